"""Renewal by monthly questions: subscriptions, the questions dispatched to them and
the answers, each correct one in time recorded as a renewal credit."""

from django.apps import AppConfig


class RenewalConfig(AppConfig):
    name = "certwright.renewal"
    label = "renewal"
    verbose_name = "Renewal app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # commerce declares these and never imports this app.
        from certwright.commerce import signals
        from certwright.renewal import receivers

        signals.renewal_check.connect(
            receivers.on_renewal_check, dispatch_uid="renewal_check"
        )
        signals.renewal_purchased.connect(
            receivers.on_renewal_purchased, dispatch_uid="renewal_purchased"
        )
        signals.renewal_refunded.connect(
            receivers.on_renewal_refunded, dispatch_uid="renewal_refunded"
        )
