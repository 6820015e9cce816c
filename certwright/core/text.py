"""Text that every supported database stores as given.

SQLite keeps a NUL character or an over-long ``varchar`` without complaint; PostgreSQL
refuses both (``DataError``), and neither database can encode a lone surrogate
(which ``json`` produces from an escaped ``"\\ud800"``). Importers check their input
with these before anything is written, so an import that checks out on one database
cannot fail on the other. The character check is pure, so it lives with the item
file formats, which import no Django (``certwright.itemformats.text``).
"""

from __future__ import annotations

from django.db import models

from certwright.itemformats.text import text_problem

__all__ = ["field_max_length", "text_problem"]


def field_max_length(model: type[models.Model], name: str) -> int:
    """The ``max_length`` of a model's text field: the one place an importer's
    length check takes its number from."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is no field"
    length = field.max_length
    assert isinstance(length, int), f"{model.__name__}.{name} has no max_length"
    return length
