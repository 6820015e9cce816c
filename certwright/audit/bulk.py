"""Row writes without model instances, for the set-based paths (recompute, import).

It lives beside the event log because that is the largest append-only table; the
credentials app uses it for the derived tables too. Values are plain Python values in
field order; they go through the connection's own adapters (dates, aware datetimes as
UTC, JSON), so a raw write stores exactly what the ORM would have stored.

On PostgreSQL, large inserts use ``COPY ... FROM STDIN`` (one round trip for any
number of rows); elsewhere ``executemany``, which is in-process on SQLite.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

# Below this many rows COPY's own setup costs more than it saves.
COPY_THRESHOLD = 200
# Keeps every statement under SQLite's limit of 32766 bound parameters.
DELETE_BATCH = 10_000
Adapter = Callable[[Any], Any]


def _adapter(field: models.Field, connection: BaseDatabaseWrapper) -> Adapter | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        # Bulk rows share one timestamp: adapt each distinct value once.
        return functools.lru_cache(maxsize=16)(ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        # Both drivers take dates as they are (Django registers sqlite3's adapter).
        if connection.vendor in ("sqlite", "postgresql"):
            return None
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        # One encoder for the whole batch; json.dumps(cls=...) builds one per value.
        return (field.encoder or DjangoJSONEncoder)().encode
    return None


def _connection(model: type[models.Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_write(model)]


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The field ``name`` of ``model``, which must be stored in a column."""
    if name == "pk":
        assert model._meta.pk is not None
        name = model._meta.pk.name
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def column_name(model: type[models.Model], name: str) -> str:
    """The database column of ``model``'s field ``name`` ("technician" -> its _id)."""
    column = concrete_field(model, name).column
    assert column is not None
    return column


def _columns(
    model: type[models.Model], fields: Sequence[str], connection: BaseDatabaseWrapper
) -> tuple[str, list[Adapter | None]]:
    qn = connection.ops.quote_name
    names = ", ".join(qn(column_name(model, f)) for f in fields)
    adapters = [_adapter(concrete_field(model, f), connection) for f in fields]
    return names, adapters


def _adapt(
    rows: Iterable[Sequence[Any]], adapters: list[Adapter | None]
) -> list[Sequence[Any]]:
    active = [(i, a) for i, a in enumerate(adapters) if a is not None]
    if not active:
        return list(rows)
    out: list[Sequence[Any]] = []
    for row in rows:
        values = list(row)
        for i, adapt in active:
            if values[i] is not None:
                values[i] = adapt(values[i])
        out.append(values)
    return out


def rows_insert(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table."""
    if not rows:
        return 0
    connection = _connection(model)
    columns, adapters = _columns(model, fields, connection)
    table = connection.ops.quote_name(model._meta.db_table)
    values = _adapt(rows, adapters)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(values) >= COPY_THRESHOLD:
            raw = cursor.cursor  # the psycopg cursor: Django's wrapper has no copy()
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", values
            )
    return len(values)


@functools.cache
def _insert_plan(
    model: type[models.Model], fields: tuple[str, ...], alias: str
) -> tuple[str, list[Adapter | None], bool]:
    """``row_insert``'s statement for ``model`` and ``fields`` on ``alias``, the
    adapters of its values, and whether it returns the primary key."""
    connection = connections[alias]
    returning = bool(connection.features.can_return_columns_from_insert)
    columns, adapters = _columns(model, fields, connection)
    marks = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(column_name(model, 'pk'))}"
    return sql, adapters, returning


def row_insert(
    model: type[models.Model],
    fields: Sequence[str],
    values: Sequence[Any],
) -> int:
    """Insert one row (``values`` in ``fields`` order, adapted as ``rows_insert``
    adapts them) and return its primary key.

    ``Model.objects.create`` without building the statement, the instance or the
    model signals each time: the hot paths' appends (the audit event, a renewal
    credit) spent more CPU in the ORM's insert than the database spent storing
    the row (bench/renewal.py). Only for models nothing listens to."""
    connection = _connection(model)
    sql, adapters, returning = _insert_plan(model, tuple(fields), connection.alias)
    (params,) = _adapt([values], adapters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            row = cursor.fetchone()
            assert row is not None
            return int(row[0])
        return int(
            connection.ops.last_insert_id(
                cursor, model._meta.db_table, column_name(model, "pk")
            )
        )


def row_created(model: type[models.Model], values: Sequence[Any]) -> Any:
    """Insert one row of ``model``'s columns after the primary key (``values`` in
    the model's field order) with ``row_insert``, and return the instance as a
    read of the row gives it (one positional build, saved, of this database)."""
    attnames = _attnames(model)
    pk = row_insert(model, attnames[1:], values)
    return model.from_db(router.db_for_write(model), attnames, [pk, *values])


@functools.cache
def _attnames(model: type[models.Model]) -> tuple[str, ...]:
    """``model``'s columns as attributes, the primary key first."""
    return tuple(f.attname for f in model._meta.concrete_fields)


def rows_update(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Update rows by primary key: each row is the ``fields`` values, then the pk."""
    if not rows:
        return 0
    connection = _connection(model)
    qn = connection.ops.quote_name
    _, adapters = _columns(model, fields, connection)
    table = qn(model._meta.db_table)
    pk = qn(column_name(model, "pk"))
    values = _adapt(rows, [*adapters, None])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(values) > 1:
            # One array parameter per column, unnested into rows: a statement of
            # fixed text whatever the row count, where a VALUES list of 2,000 rows
            # had the server parse and plan 10,000 placeholders each time.
            names = [qn(column_name(model, f)) for f in fields]
            arrays = [
                f"%s::{concrete_field(model, f).db_type(connection)}[]"
                for f in (*fields, "pk")
            ]
            assignments = ", ".join(f"{n} = v.{n}" for n in names)
            columns = list(zip(*values, strict=True))
            source = f"unnest({', '.join(arrays)}) AS v({', '.join(names)}, _pk)"
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {source} "
                f"WHERE t.{pk} = v._pk",
                [list(column) for column in columns],
            )
        else:
            assignments = ", ".join(f"{qn(column_name(model, f))} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s", values
            )
    return len(values)


def rows_delete(model: type[models.Model], ids: Sequence[int]) -> int:
    """Delete rows by primary key (no signals, no cascades: derived rows have none)."""
    connection = _connection(model)
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    pk = qn(column_name(model, "pk"))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), DELETE_BATCH):
            batch = ids[start : start + DELETE_BATCH]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({marks})", batch)
    return len(ids)
