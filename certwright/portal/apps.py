from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "certwright.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
