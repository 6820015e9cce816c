"""`certwright program check|show`: validate and read a program from the shell."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from certwright.core.program import current_program


def test_check_accepts_a_good_program(mini_program_path, capsys):
    """A valid program prints OK with its id, version and counts."""
    # when
    call_command("program", "check", str(mini_program_path))
    # then
    assert (
        capsys.readouterr().out.strip()
        == "OK: mini 2026.1: 1 series, 3 tests, 1 titles"
    )


def test_check_lists_every_problem_with_file_key_and_reason(mini_program_path, capsys):
    """A broken program prints each problem as FILE: KEY: REASON and fails with 2."""
    # given: two independent mistakes
    text = mini_program_path.read_text()
    text = text.replace('series = "A"\n\n[[tests.A8', 'series = "Z"\n\n[[tests.A8', 1)
    text = text.replace("scored = 45", "scored = 46", 1)
    mini_program_path.write_text(text)
    # when
    with pytest.raises(CommandError) as error:
        call_command("program", "check", str(mini_program_path))
    # then
    assert error.value.returncode == 2
    lines = capsys.readouterr().out.splitlines()
    assert f"{mini_program_path}: tests.A8.series: unknown series 'Z'" in lines
    assert any(
        line.startswith(f"{mini_program_path}: tests.A1.blueprints[1].areas: ")
        for line in lines
    )
    assert "2 problems" in str(error.value)


def test_check_exits_with_status_2_and_needs_no_database(
    mini_program_path, certwright_cli
):
    """The real command exits 2 on a bad file, even with an unreachable database."""
    # given
    mini_program_path.write_text("[program\nid = 'broken'\n")
    # when
    result = certwright_cli(
        "program",
        "check",
        str(mini_program_path),
        env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
    )
    # then
    assert result.returncode == 2
    assert result.stdout.startswith(f"{mini_program_path}: (syntax): TOML syntax error")
    assert "1 problem" in result.stderr


def test_check_reports_a_missing_path(tmp_path: Path, capsys):
    """A path that does not exist is a problem, not a traceback."""
    with pytest.raises(CommandError) as error:
        call_command("program", "check", str(tmp_path / "nowhere"))
    assert error.value.returncode == 2
    assert "no such file or directory" in capsys.readouterr().out


def test_check_accepts_the_builtin_program_by_id(capsys):
    """`certwright program check ase` checks the shipped program."""
    # given
    program = current_program()
    # when
    call_command("program", "check", program.id)
    # then
    assert capsys.readouterr().out.startswith(f"OK: {program.id} {program.version}: ")


def test_show_prints_the_catalog_table(mini_program_path, capsys):
    """The table has one row per test with the blueprint in force on the day."""
    # when
    call_command(
        "program", "show", "--program", str(mini_program_path), "--on", "2025-06-01"
    )
    # then
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Mini Certification Program (mini 2026.1")
    assert out[1].split()[:3] == ["code", "name", "series"]
    a1 = next(line for line in out if line.startswith("A1 "))
    # the 2023 blueprint (50 scored + 10): the 2026 one is not in force yet
    assert a1.split()[:6] == ["A1", "Engine", "Repair", "A", "50", "10"]
    l1 = next(line for line in out if line.startswith("L1 "))
    assert "A8 passed (initial)" in l1


def test_show_one_test_in_detail(mini_program_path, capsys):
    """`program show CODE` prints the blueprint with its content areas."""
    # when
    call_command(
        "program",
        "show",
        "A1",
        "--program",
        str(mini_program_path),
        "--on",
        "2026-02-01",
    )
    # then
    out = capsys.readouterr().out
    assert "A1  Engine Repair" in out
    assert "effective 2026-01-01: 45 scored + 10 unscored questions, 75 minutes" in out
    assert "General Engine Diagnosis" in out
    assert "Recertification: 25 questions, 30 minutes" in out


def test_show_json_for_one_test_has_every_blueprint(mini_program_path, capsys):
    """--json gives the test with the blueprint in force and all blueprint versions."""
    # when
    call_command(
        "program",
        "show",
        "A1",
        "--json",
        "--program",
        str(mini_program_path),
        "--on",
        "2026-02-01",
    )
    # then
    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "A1"
    assert [a["questions"] for a in data["blueprint"]["areas"]] == [25, 20]
    assert [b["effective"] for b in data["blueprints"]] == ["2023-07-01", "2026-01-01"]
    assert (data["recert"]["scored"], data["recert"]["minutes"]) == (25, 30)


def test_show_json_catalog_lists_every_test(mini_program_path, capsys):
    """--json without a code gives the whole catalog."""
    call_command("program", "show", "--json", "--program", str(mini_program_path))
    data = json.loads(capsys.readouterr().out)
    assert [t["code"] for t in data["tests"]] == ["A1", "A8", "L1"]


def test_show_an_unknown_test_suggests_close_codes(mini_program_path):
    """A mistyped code fails with 2 and suggests the codes it might mean."""
    with pytest.raises(CommandError) as error:
        call_command("program", "show", "A11", "--program", str(mini_program_path))
    assert error.value.returncode == 2
    assert "no test 'A11' in program mini" in str(error.value)
    assert "A1" in str(error.value)


def test_show_reads_the_configured_program_without_a_database(certwright_cli):
    """`certwright program show` works with no database reachable."""
    # when
    result = certwright_cli(
        "program",
        "show",
        "--json",
        env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"},
    )
    # then
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["tests"]) == len(current_program().tests)
