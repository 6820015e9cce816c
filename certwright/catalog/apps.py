from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogConfig(AppConfig):
    name = "certwright.catalog"
    label = "catalog"
    verbose_name = "Program catalog"

    def ready(self) -> None:
        from certwright.catalog.signals import sync_current_program

        post_migrate.connect(sync_current_program, sender=self)
