from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "certwright.delivery"
    label = "delivery"
    verbose_name = "Exam delivery"
    default_auto_field = "django.db.models.BigAutoField"
