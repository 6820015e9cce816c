"""The catalog tables mirror a loaded program, once per definition."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from certwright.catalog.models import (
    ContentAreaDefinition,
    FeePeriodDefinition,
    ProgramVersion,
    SeriesDefinition,
    TestDefinition,
    TitleDefinition,
)
from certwright.catalog.services import program_sync
from certwright.core.program import current_program

pytestmark = pytest.mark.django_db


def test_sync_mirrors_series_tests_areas_titles_and_fees(mini_program):
    """Every part of the program gets a row, tied to one program version."""
    # when
    version = program_sync(mini_program)
    # then
    assert (version.program, version.version, version.digest) == (
        "mini",
        "2026.1",
        mini_program.digest,
    )
    assert version.definition["test_count"] == 3
    assert version.definition["policy"]["validity_years"] == 5
    assert list(
        SeriesDefinition.objects.filter(program_version=version).values_list(
            "code", flat=True
        )
    ) == ["A"]
    tests = TestDefinition.objects.filter(program_version=version)
    assert [t.code for t in tests] == ["A1", "A8", "L1"]


def test_a_test_is_summarised_from_its_latest_blueprint(mini_program):
    """The test row shows the newest blueprint; the content areas keep every version."""
    # when
    version = program_sync(mini_program)
    # then
    a1 = TestDefinition.objects.get(program_version=version, code="A1")
    assert (a1.blueprint_effective, a1.scored, a1.unscored, a1.minutes) == (
        dt.date(2026, 1, 1),
        45,
        10,
        75,
    )
    assert (a1.recertifiable, a1.recert_scored, a1.recert_minutes) == (True, 25, 30)
    assert a1.experience_years == Decimal("2.0")
    assert a1.series.code == "A"
    areas = ContentAreaDefinition.objects.filter(test=a1)
    assert [(a.effective.year, a.code, a.questions) for a in areas] == [
        (2026, "A", 25),
        (2026, "B", 20),
        (2023, "A", 30),
        (2023, "B", 20),
    ]
    l1 = TestDefinition.objects.get(program_version=version, code="L1")
    assert l1.prerequisites == "A8 passed (initial)"
    assert l1.recertifiable is False


def test_titles_and_fees_are_mirrored_as_text_and_cents(mini_program):
    """A title's rule is readable text; fee periods keep their cents by class."""
    # when
    version = program_sync(mini_program)
    # then
    title = TitleDefinition.objects.get(program_version=version)
    assert (title.code, title.name, title.rule, title.tests) == (
        "master",
        "Master Technician",
        "A1 and A8",
        "A1, A8",
    )
    fees = FeePeriodDefinition.objects.get(program_version=version)
    assert (fees.start, fees.end, fees.currency) == (dt.date(2020, 1, 1), None, "USD")
    assert fees.test_fees == {"standard": 5400}


def test_syncing_the_same_definition_again_writes_nothing(
    mini_program, django_assert_num_queries
):
    """Sync is idempotent by digest: the second call is one lookup returning the row."""
    # given
    first = program_sync(mini_program)
    # when
    with django_assert_num_queries(1):
        again = program_sync(mini_program)
    # then
    assert again.pk == first.pk
    assert TestDefinition.objects.filter(program_version=first).count() == 3


def test_a_changed_definition_is_a_new_version_and_the_old_one_stays(mini_program):
    """A program edited on disk gets its own version; the history is kept."""
    # given
    first = program_sync(mini_program)
    edited = dataclasses.replace(mini_program, version="2026.2", digest="f" * 64)
    # when
    second = program_sync(edited)
    # then
    assert second.pk != first.pk
    assert set(
        ProgramVersion.objects.filter(program="mini").values_list("version", flat=True)
    ) == {"2026.1", "2026.2"}
    assert TestDefinition.objects.filter(program_version=first).count() == 3


def test_migrate_mirrors_the_current_program():
    """The post_migrate handler has already loaded the configured program."""
    # given: the test database was built by `migrate`
    program = current_program()
    # then
    version = ProgramVersion.objects.get(digest=program.digest)
    assert TestDefinition.objects.filter(program_version=version).count() == len(
        program.tests
    )


def test_the_load_command_is_idempotent(mini_program_path, capsys):
    """`certwright program load` loads once and then reports it is already loaded."""
    # when
    call_command("program", "load", str(mini_program_path))
    first = capsys.readouterr().out
    call_command("program", "load", str(mini_program_path))
    second = capsys.readouterr().out
    # then
    assert first.startswith("Loaded: mini 2026.1: 1 series, 3 tests, 1 titles")
    assert second.startswith("Already loaded: mini 2026.1")
    assert ProgramVersion.objects.filter(program="mini").count() == 1
