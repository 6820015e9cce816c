from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "certwright.candidates"
    label = "candidates"
    verbose_name = "Candidates"
    default_auto_field = "django.db.models.BigAutoField"
