from django.apps import AppConfig


class ItembankConfig(AppConfig):
    name = "certwright.itembank"
    label = "itembank"
    verbose_name = "Item bank"
    default_auto_field = "django.db.models.BigAutoField"
