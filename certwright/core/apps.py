from django.apps import AppConfig
from django.utils.translation import gettext

from certwright.itemformats.i18n import translation_install


class CoreConfig(AppConfig):
    name = "certwright.core"
    label = "core"
    verbose_name = "Certwright core"

    def ready(self) -> None:
        from certwright.core import checks  # noqa: F401  (registers the checks)

        # The item file formats import no Django; their messages speak its language.
        translation_install(gettext)
