from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "certwright.credentials"
    label = "credentials"
    verbose_name = "Credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certwright.candidates.signals import experience_approved, facts_changed
        from certwright.credentials.receivers import (
            certifications_on_experience_approved,
            recompute_on_facts_changed,
        )

        facts_changed.connect(
            recompute_on_facts_changed, dispatch_uid="credentials.recompute"
        )
        experience_approved.connect(
            certifications_on_experience_approved,
            dispatch_uid="credentials.experience_approved",
        )
