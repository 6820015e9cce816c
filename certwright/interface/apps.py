from django.apps import AppConfig


class InterfaceConfig(AppConfig):
    # An app only so that Django finds its management command (`certwright demo`).
    name = "certwright.interface"
    label = "interface"
    verbose_name = "Certwright site"
