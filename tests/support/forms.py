"""Published exam forms for tests whose subject is not the item bank.

A test is sold, booked and authorised only while a published form of it exists
(``itembank.selectors.deliverable``). The commerce, scheduling and portal tests buy
and book many tests of the ASE program; they are given a published initial and
recertification form of every test, written straight into the item bank's table
(real rows, without items: how forms are assembled is the item bank's own tests'
business). A test about the rule itself removes a test's forms in its "given" step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from certwright.itembank.models import Form, FormKind, FormStatus
from certwright.program.loader import get_program


def _codes() -> list[str]:
    # Every test of the built-in program (the mini program's codes are among them).
    return list(get_program("ase").tests)


def forms_publish_for_every_test(tests: list[str] | None = None) -> None:
    """One published initial and recertification form of every test (of
    ``tests`` when given) that has no form number 1 of that kind yet."""
    Form.objects.bulk_create(
        Form(
            test=code,
            kind=kind,
            number=1,
            status=FormStatus.PUBLISHED,
            blueprint_effective=dt.date(2000, 1, 1),
            minutes=75,
            cut_score=1,
            scale=[100, 500],
            published_at=timezone.now(),
        )
        for code in (tests if tests is not None else _codes())
        for kind in (FormKind.INITIAL, FormKind.RECERT)
        if not Form.objects.filter(test=code, kind=kind, number=1).exists()
    )


def uses_database(request: pytest.FixtureRequest) -> str | None:
    """The database fixture the test uses ("db", "transactional_db") or None."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if (marker is not None and marker.kwargs.get("transaction")) or names & {
        "transactional_db",
        "live_server",
    }:
        return "transactional_db"
    if marker is not None or "db" in names:
        return "db"
    return None


def every_test_deliverable(request: pytest.FixtureRequest) -> None:
    """For an autouse fixture: publish the stand-in forms when the test has a
    database."""
    fixture = uses_database(request)
    if fixture is None:
        return
    request.getfixturevalue(fixture)
    forms_publish_for_every_test()
