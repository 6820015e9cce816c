"""Rows as a person's data export shows them.

Each app that holds personal data reads its own tables in a ``personal_data``
selector and returns ``{model label: rows}``; ``certwright.privacy`` collects the
parts into one export. The helpers here keep every part in one shape: a row is the
model's concrete fields by name (a foreign key as ``<name>_id``), JSON-safe, so the
export is readable without the code that wrote it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        # Binary columns (PDFs, packed answers) are not data a person reads in
        # JSON; a part that means to hand them over adds them as files.
        return None
    return value


def model_label(model: type[Model]) -> str:
    return str(model._meta.label)


def export_rows(
    queryset: QuerySet[Any],
    *,
    only: Iterable[str] | None = None,
    omit: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """The rows of ``queryset`` as plain dicts: ``only`` these fields (in that
    order) or every concrete field but those in ``omit`` (secrets, exam-security
    data, binary blobs)."""
    meta = queryset.model._meta
    if only is not None:
        names = list(only)
    else:
        skipped = set(omit)
        names = [f.attname for f in meta.concrete_fields if f.name not in skipped]
    return [
        {name: _plain(value) for name, value in row.items()}
        for row in queryset.values(*names)
    ]


def export_part(
    *tables: tuple[QuerySet[Any], dict[str, Any]] | QuerySet[Any],
) -> dict[str, list[dict[str, Any]]]:
    """An app's part of the export: ``{model label: rows}`` for each queryset (or
    ``(queryset, export_rows options)``). Every label is present even with no rows,
    so the export says which tables were looked at."""
    part: dict[str, list[dict[str, Any]]] = {}
    for table in tables:
        queryset, options = table if isinstance(table, tuple) else (table, {})
        part[model_label(queryset.model)] = export_rows(queryset, **options)
    return part
