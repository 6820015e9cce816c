from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "certwright.core"
    label = "core"
    verbose_name = "Certwright core"

    def ready(self) -> None:
        from certwright.core import checks  # noqa: F401  (registers the checks)
