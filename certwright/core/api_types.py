"""Input types for the REST API that accept exactly what the OpenAPI document says.

pydantic's lax mode takes more than the document promises: ``0`` or ``"0"`` as a
date (a Unix time), ``false`` as an integer, ``"yes"`` as a boolean. A client that
sends them has made a mistake it should hear about, and the document must describe
the API, so request bodies and date parameters use these instead (422 otherwise,
as for any input that does not match the document).

Query and path integers stay plain ``int``: there every value arrives as text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BeforeValidator, Strict

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    raise ValueError(_("Give a date as YYYY-MM-DD."))


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATETIME.match(value):
        return value
    raise ValueError(_("Give an instant as ISO 8601 (YYYY-MM-DDTHH:MM:SS+00:00)."))


# A date as YYYY-MM-DD (body or query).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
# An instant as ISO 8601 text (body).
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer: a number with no fractional part (2.0 is one).
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(_("Give a whole number."))


# A JSON integer, not a boolean or a numeric string (body). Bounds go before it
# (``Annotated[int, Interval(...), JSON_INTEGER]``) so the document shows them.
JSON_INTEGER = BeforeValidator(_json_integer)
BodyInt = Annotated[int, JSON_INTEGER]
# A JSON boolean (body).
BodyBool = Annotated[bool, Strict()]

# Text without control characters: the document's pattern for the fields whose
# validators refuse them (a NUL is an error on PostgreSQL; none belongs in a record).
# Line breaks and tabs are allowed where the field says so.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
PRINTABLE_LINE = r"^[^\x00-\x09\x0b-\x1f\x7f-\x9f]*$"


def documented_pattern(pattern: str) -> dict[str, Any]:
    """``json_schema_extra`` that documents ``pattern`` while the field's own
    validator (with its message) does the refusing."""
    return {"pattern": pattern}
