from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certwright.certificates"
    label = "certificates"
    verbose_name = "Certificates"
