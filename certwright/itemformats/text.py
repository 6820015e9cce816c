"""Text that every supported database stores as given.

SQLite keeps a NUL character without complaint; PostgreSQL refuses it (``DataError``),
and neither database can encode a lone surrogate (which ``json`` produces from an
escaped ``"\\ud800"``). Importers check their input with this before anything is
written, so an import that checks out on one database cannot fail on the other.
"""

from __future__ import annotations

from certwright.itemformats.i18n import gettext as _


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (None: it can)."""
    if "\x00" in value:
        return _("contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("is not valid Unicode text")
    return None
