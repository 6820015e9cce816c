"""The platform's part of the REST API: is it up, and the test catalog.

Mounted at the root of /api/ by ``certwright.interface.api``, beside every app's router.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest
from ninja import Router, Schema, Status

import certwright
from certwright.core import clock
from certwright.core.api_types import IsoDate
from certwright.core.program import current_program
from certwright.program import catalog_rows, program_summary

router = Router()


class HealthOut(Schema):
    status: str
    version: str
    database: str
    program: str


@router.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    tags=["platform"],
    summary="Is the platform up?",
)
def health(request: HttpRequest) -> Status:
    """200 when the database answers; 503 otherwise, for load balancers."""
    program = current_program()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    body = HealthOut(
        status="ok" if database == "ok" else "degraded",
        version=certwright.__version__,
        database=database,
        program=f"{program.id} {program.version}",
    )
    return Status(200 if database == "ok" else 503, body)


class TestOut(Schema):
    """One test as it stands on the day asked (``certwright.program.listing``)."""

    code: str
    name: str
    series: str
    series_name: str
    offered: bool
    blueprint_effective: dt.date | None
    scored: int | None
    unscored: int | None
    minutes: int | None
    recertifiable: bool
    recert_scored: int | None
    recert_minutes: int | None
    fee_class: str
    fee_cents: int | None
    currency: str | None
    prerequisites: str
    experience_rule: str
    experience_years: float | None
    renewable_by_app: bool
    estimated: bool


class ProgramSeriesOut(Schema):
    code: str
    name: str
    tests: int
    note: str


class ProgramTitleOut(Schema):
    id: str
    name: str
    rule_text: str
    tests: list[str]
    excluded_by: list[str]
    estimated: bool
    note: str


class ProgramOut(Schema):
    id: str
    name: str
    version: str
    body: str
    digest: str
    on: dt.date
    series: list[ProgramSeriesOut]
    tests: list[TestOut]
    titles: list[ProgramTitleOut]


@router.get(
    "/program", response=ProgramOut, tags=["catalog"], summary="The test catalog"
)
def program_catalog(request: HttpRequest, on: IsoDate | None = None) -> dict[str, Any]:
    """The program's series, tests and titles; blueprints and fees as in force on
    ``on`` (default: today)."""
    program = current_program()
    day = on or clock.today()
    summary = program_summary(program)
    return {
        **summary,
        "on": day,
        "tests": catalog_rows(program, day),
    }
