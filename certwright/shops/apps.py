from django.apps import AppConfig


class ShopsConfig(AppConfig):
    name = "certwright.shops"
    label = "shops"
    verbose_name = "Shops"
