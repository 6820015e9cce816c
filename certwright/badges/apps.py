from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "certwright.badges"
    label = "badges"
    verbose_name = "Signed credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certwright.badges.receivers import revoke_on_derived_changed
        from certwright.credentials.signals import derived_changed

        derived_changed.connect(
            revoke_on_derived_changed, dispatch_uid="badges.revoke_on_derived_changed"
        )
