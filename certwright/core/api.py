"""The platform's part of the REST API: is it up, and the test catalog.

Mounted at the root of /api/ by ``certwright.interface.api``, beside every app's router.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest
from ninja import Router, Schema, Status

import certwright
from certwright.core import clock
from certwright.core.api_types import IsoDate
from certwright.core.program import current_program
from certwright.program import catalog_rows, program_summary

logger = logging.getLogger(__name__)
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


class CheckOut(Schema):
    """One readiness check: ``ok``, ``failed`` (with what went wrong) or ``skipped``
    (nothing to check in this configuration)."""

    status: str
    detail: str = ""


class ReadyOut(Schema):
    status: str
    checks: dict[str, CheckOut]


def _check_database() -> CheckOut:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return CheckOut(status="ok")


def _check_tasks() -> CheckOut:
    backend = str(settings.TASKS.get("default", {}).get("BACKEND", ""))
    if not backend.startswith("django_tasks_db."):
        # The immediate backend runs tasks in the web process: no queue to reach.
        return CheckOut(status="skipped", detail=backend.rsplit(".", 1)[-1])
    from django_tasks_db.models import DBTaskResult

    # The table exists and answers (migrated, readable); one indexed row at most.
    DBTaskResult.objects.order_by().values_list("id", flat=True)[:1].exists()
    return CheckOut(status="ok")


def _check_storage() -> CheckOut:
    # What an upload does: a file written, read back and deleted.
    name = default_storage.save(
        f"readiness/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ready")
    )
    try:
        with default_storage.open(name) as stored:
            if stored.read() != b"ready":
                return CheckOut(status="failed", detail="read back different bytes")
    finally:
        default_storage.delete(name)
    return CheckOut(status="ok")


READINESS_CHECKS = {
    "database": _check_database,
    "tasks": _check_tasks,
    "storage": _check_storage,
}


@router.get(
    "/ready",
    response={200: ReadyOut, 503: ReadyOut},
    tags=["platform"],
    summary="Can the platform serve requests?",
)
def ready(request: HttpRequest) -> Status:
    """Readiness: the database answers, the task queue's table is reachable (with
    the database task backend), and uploads can be written to storage. 200 with
    each check when all pass; 503 with the same body when one fails. Liveness is
    ``/api/health``."""
    checks: dict[str, CheckOut] = {}
    for name, check in READINESS_CHECKS.items():
        try:
            checks[name] = check()
        # Any failure is "not ready", never a 500. The page is public: the answer
        # names the error class only, the log line has the traceback.
        except Exception as error:
            logger.warning("readiness check %s failed", name, exc_info=True)
            checks[name] = CheckOut(status="failed", detail=type(error).__name__)
    failed = any(check.status == "failed" for check in checks.values())
    body = ReadyOut(status="unavailable" if failed else "ok", checks=checks)
    return Status(503 if failed else 200, body)


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
