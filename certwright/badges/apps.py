from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "certwright.badges"
    label = "badges"
    verbose_name = "Signed credentials"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certwright.badges.receivers import revoke_on_derived_withdrawn
        from certwright.credentials.signals import derived_withdrawn

        derived_withdrawn.connect(
            revoke_on_derived_withdrawn,
            dispatch_uid="badges.revoke_on_derived_withdrawn",
        )
