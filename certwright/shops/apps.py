"""Shops: the technicians they employ, recognition decided by program rules, and the
public finder."""

from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "certwright.shops"
    label = "shops"
    verbose_name = "Shops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connected here, not at import: the receiver module imports the services.
        from certwright.credentials.signals import certifications_changed
        from certwright.shops.receivers import recognition_on_certifications_changed

        certifications_changed.connect(
            recognition_on_certifications_changed, dispatch_uid="shops.recognition"
        )
