"""The renewal app subscription's price is dated program data (``renewal_cents`` in
a fee period): ASE's current period carries Certwright's estimate, earlier periods
none (not sold); a bad value names the file and key and nothing loads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from certwright.catalog.models import FeePeriodDefinition
from certwright.catalog.services import program_sync
from certwright.program.listing import program_summary
from certwright.program.loader import ProgramError, get_program, load
from tests.support.program import MINI_PROGRAM


def test_ase_sells_a_year_for_62_dollars_now_and_not_before_2022():
    program = get_program("ase")
    current = program.fees_on(dt.date(2026, 3, 2))
    assert current is not None
    assert current.renewal_cents == 6200
    assert current.estimated
    earlier = program.fees_on(dt.date(2020, 1, 1))
    assert earlier is not None
    assert earlier.renewal_cents is None


def test_program_show_lists_it():
    summary = program_summary(get_program("ase"))
    assert [f["renewal_cents"] for f in summary["fees"]][-2:] == [None, 6200]


def test_a_program_without_it_does_not_sell_it(mini_program):
    assert all(p.renewal_cents is None for p in mini_program.fees)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("0", "must be ≥ 1, got 0"),
        ('"62.00"', "expected an integer, got a string"),
        ("-5", "must be ≥ 1, got -5"),
    ],
)
def test_a_bad_price_is_refused_with_its_key(tmp_path: Path, value, reason):
    path = tmp_path / "program.toml"
    path.write_text(
        MINI_PROGRAM.replace(
            "recert_cap_cents = 15000",
            f"recert_cap_cents = 15000\nrenewal_cents = {value}",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(ProgramError) as caught:
        load(path)
    messages = [str(issue) for issue in caught.value.issues]
    assert any("fees[0].renewal_cents" in m and reason in m for m in messages), messages


@pytest.mark.django_db
def test_the_catalog_mirror_keeps_it():
    version = program_sync(get_program("ase"))
    stored = FeePeriodDefinition.objects.filter(program_version=version)
    assert list(stored.values_list("renewal_cents", flat=True))[-2:] == [None, 6200]
