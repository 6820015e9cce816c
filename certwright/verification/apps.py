from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "certwright.verification"
    label = "verification"
    verbose_name = "Verification"
