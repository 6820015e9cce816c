"""Another certification body's program is data: it loads with no code change."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from certwright.program import (
    AllOf,
    AnyOf,
    OnePerGroup,
    ProgramError,
    get_program,
    listing,
    load,
)
from certwright.program.model import Program

WELDING = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "welding"


@pytest.fixture(scope="module")
def welding() -> Program:
    return load(WELDING)


def test_welding_program_loads(welding: Program) -> None:
    """The guild's program loads: two series, six tests, its own identity."""
    # then
    assert welding.id == "welding"
    assert welding.body == "Guild of Pipe Welders"
    assert list(welding.series) == ["PW", "ST"]
    assert len(welding.tests) == 6


def test_its_own_policies(welding: Program) -> None:
    """Validity, waits and experience come from the data, not ASE's defaults."""
    # then
    assert welding.policy.validity_years == 3
    assert welding.policy.retest_wait_days == 14
    assert welding.policy.pending_pass_valid_days == 365
    assert welding.experience_rule_for("PW1").required_days == 365
    assert welding.experience_rule_for("PW3").required_days == 0
    assert welding.tests["ST1"].validity_years == 2
    assert welding.renewal.credits_for_extension == 6


def test_titles_with_any_of_and_one_per_group(welding: Program) -> None:
    """One title nests any_of in all_of; the other is one per group."""
    # given
    journeyman = welding.titles["pipe-journeyman"].rule
    master = welding.titles["master-welder"].rule
    # then
    assert isinstance(journeyman, AllOf)
    assert isinstance(journeyman.items[1], AnyOf)
    assert isinstance(master, OnePerGroup)
    assert [g.name for g in master.groups] == ["Pipe", "Structural"]
    assert listing.expr_text(journeyman) == "PW3 and (PW1 or PW2)"


def test_own_fee_table_and_classes(welding: Program) -> None:
    """Fee classes and currency are the guild's; the recert cap ends in 2025."""
    # when
    old = welding.fees_on(dt.date(2024, 12, 31))
    new = welding.fees_on(dt.date(2025, 1, 1))
    # then
    assert old is not None
    assert new is not None
    assert old.currency == "EUR"
    assert old.test_fees == {"written": 4000, "practical": 15000}
    assert (old.recert_cap_cents, new.recert_cap_cents) == (20000, None)


def test_catalog_for_the_second_program(welding: Program) -> None:
    """The catalog helpers work unchanged: blueprints by date, withdrawn tests."""
    # when
    rows = {r["code"]: r for r in listing.catalog_rows(welding, dt.date(2025, 3, 1))}
    offered = listing.catalog_rows(welding, dt.date(2025, 3, 1), offered_only=True)
    summary = listing.program_summary(welding)
    # then
    assert rows["PW2"]["scored"] == 36
    assert rows["PW1"]["fee_cents"] == 18000
    assert rows["ST2"]["prerequisites"] == "ST1 certified (initial)"
    assert rows["ST3"]["offered"] is False
    assert "ST3" not in {r["code"] for r in offered}
    assert rows["PW1"]["renewable_by_app"] is True
    json.dumps(summary)
    assert summary["titles"][1]["tests"] == ["PW1", "PW2", "ST1", "ST2"]


def test_format_table_lines_up_columns(welding: Program) -> None:
    """The CLI table has a header, a rule and one line per row."""
    # given
    rows = listing.catalog_rows(welding, dt.date(2025, 3, 1))
    # when
    text = listing.format_table(rows, ["code", "scored", "minutes", "estimated"])
    # then
    lines = text.splitlines()
    assert lines[0].split() == ["code", "scored", "minutes", "estimated"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 2 + len(rows)
    assert lines[2].split() == ["PW1", "30", "240", "no"]


def test_a_single_toml_file_is_a_program(tmp_path: Path) -> None:
    """The same program in one file loads the same, with its own digest."""
    # given
    single = tmp_path / "welding.toml"
    single.write_text(
        "\n".join(
            (WELDING / name).read_text(encoding="utf-8")
            for name in ["program.toml", "tests.toml"]
        ),
        encoding="utf-8",
    )
    # when
    program = load(single)
    # then
    assert set(program.tests) == set(load(WELDING).tests)
    assert program.source == str(single.resolve())


def test_get_program_caches_until_a_file_changes(tmp_path: Path) -> None:
    """get_program returns the cached program until a file's mtime or size changes."""
    # given
    root = tmp_path / "welding"
    shutil.copytree(WELDING, root)
    first = get_program(str(root))
    # when
    again = get_program(str(root))
    tests = root / "tests.toml"
    tests.write_text(
        tests.read_text(encoding="utf-8").replace(
            'name = "Weld Inspection Basics"', 'name = "Weld Inspection"'
        ),
        encoding="utf-8",
    )
    stat = tests.stat()
    os.utime(tests, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = get_program(str(root))
    # then
    assert again is first
    assert changed is not first
    assert changed.tests["ST3"].name == "Weld Inspection"
    assert changed.digest != first.digest


def test_the_documented_example_loads(tmp_path: Path) -> None:
    """The complete example in docs/program-format.md is a valid program."""
    # given
    doc = Path(__file__).resolve().parents[2] / "docs" / "program-format.md"
    example = doc.read_text(encoding="utf-8").split("## A complete example")[1]
    toml = example.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(toml, encoding="utf-8")
    # when
    program = load(path)
    # then
    assert program.id == "welding"
    assert set(program.titles) == {"pipe-journeyman", "master-welder"}


def test_get_program_sees_a_file_added_to_its_directory(tmp_path: Path) -> None:
    """A file added beside the program's files is read on the next call (the
    directory's own mtime is part of the cached stamp)."""
    # given
    root = tmp_path / "welding"
    shutil.copytree(WELDING, root)
    get_program(str(root))
    # when a stray, broken file is added
    (root / "stray.toml").write_text("this is = = not toml\n", encoding="utf-8")
    stat = root.stat()
    os.utime(root, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    # then it is read (and refused)
    with pytest.raises(ProgramError):
        get_program(str(root))
