from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "certwright.scoring"
    label = "scoring"
    verbose_name = "Scoring and psychometrics"
    default_auto_field = "django.db.models.BigAutoField"
