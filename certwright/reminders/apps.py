"""Expiry reminders: the ladder of e-mails before and after a certification expires,
each rung sent once per certification and expiry date, and the technician's choice of
which ones they get."""

from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "certwright.reminders"
    label = "reminders"
    verbose_name = "Expiry reminders"
    default_auto_field = "django.db.models.BigAutoField"
