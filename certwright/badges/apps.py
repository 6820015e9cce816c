from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "certwright.badges"
    label = "badges"
    verbose_name = "Signed credentials"
