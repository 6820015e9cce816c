"""Renewal by monthly questions: subscriptions, the questions dispatched to them and
the answers, each correct one in time recorded as a renewal credit."""

from django.apps import AppConfig


class RenewalConfig(AppConfig):
    name = "certwright.renewal"
    label = "renewal"
    verbose_name = "Renewal app"
    default_auto_field = "django.db.models.BigAutoField"
