from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "certwright.delivery"
    label = "delivery"
    verbose_name = "Exam delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certwright.commerce.signals import entitlements_revoked
        from certwright.delivery.receivers import end_practice_on_revocation

        entitlements_revoked.connect(
            end_practice_on_revocation, dispatch_uid="delivery.end_practice"
        )
