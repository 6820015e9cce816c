"""The item files' messages, translated by whoever runs the readers.

A reader's problems and a written QTI item's few words are for people, so they are
marked for translation (``_("…")``). This package imports no Django, so it cannot call
Django's ``gettext`` itself: the platform installs it (``certwright.core.apps``), and
until then (a script using the formats alone) the messages stay in English. Each call
asks the installed function, so the language is the one active when a file is read.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str], str] = str


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return _translate(message)


def translation_install(translate: Callable[[str], str]) -> None:
    """Translate every later message with ``translate`` (Django's ``gettext``)."""
    global _translate
    _translate = translate
