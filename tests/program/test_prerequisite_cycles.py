"""A program whose prerequisites form a cycle, of any length, is refused.

If L1 requires L2 and L2 requires L1, neither test can ever be bought; the validator
names the cycle at the prerequisite that starts it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from certwright.program import DATA_DIR, Issue, ProgramError, load

PROGRAM = """\
[program]
id = "loop"
name = "Loop Program"
version = "1"
body = "Loop Board"

[experience]
default_rule = "standard"

[experience.kinds.employment]
name = "Employment"
accrual = "time"

[experience.rules.standard]
required_days = 730

[series.L]
name = "Advanced"

[[fees]]
start = 2020-01-01
currency = "USD"
registration_cents = 3400
registration_per = "order"
test_fees = { standard = 6200 }
"""


def a_test(code: str, *prerequisites: str) -> str:
    text = (
        f'[tests.{code}]\nname = "Test {code}"\nseries = "L"\n'
        f"[[tests.{code}.blueprints]]\neffective = 2020-01-01\nscored = 50\n"
    )
    for prerequisite in prerequisites:
        text += f"[[tests.{code}.prerequisites]]\n{prerequisite}\n"
    return text


def program_file(tmp_path: Path, *tests: str) -> Path:
    path = tmp_path / "program.toml"
    path.write_text(PROGRAM + "\n".join(tests), encoding="utf-8")
    return path


def issues(path: Path) -> list[Issue]:
    with pytest.raises(ProgramError) as caught:
        load(path)
    return caught.value.issues


def test_two_tests_requiring_each_other_are_refused(tmp_path: Path) -> None:
    """L1 requires L2 and L2 requires L1: one issue naming L1 → L2 → L1."""
    # given
    path = program_file(
        tmp_path,
        a_test("L1", 'expr = "L2"'),
        a_test("L2", 'expr = { all_of = ["L1"] }'),
    )
    # when
    [issue] = issues(path)
    # then
    assert str(issue) == (
        f"{path}: tests.L1.prerequisites[0].expr: prerequisite cycle L1 → L2 → L1: "
        "none of these tests could ever be bought"
    )


def test_a_long_cycle_is_named_in_full(tmp_path: Path) -> None:
    """L1 → L2 → L3 → L4 → L1, through any_of and `both`, is one issue."""
    # given
    path = program_file(
        tmp_path,
        a_test("L1", 'expr = "L0"', 'expr = "L2"'),
        a_test("L2", 'expr = { any_of = ["L0", "L3"] }\napplies_to = "both"'),
        a_test("L3", 'expr = "L4"'),
        a_test("L4", 'expr = "L1"\nstate = "certified"'),
        a_test("L0"),
    )
    # when
    [issue] = issues(path)
    # then
    assert issue.key == "tests.L1.prerequisites[1].expr"
    assert "prerequisite cycle L1 → L2 → L3 → L4 → L1" in issue.reason


def test_a_test_requiring_itself_is_refused(tmp_path: Path) -> None:
    """A self-loop for an initial purchase is refused (once, not also as a cycle)."""
    # given
    path = program_file(tmp_path, a_test("L1", 'expr = "L1"'))
    # when
    [issue] = issues(path)
    # then
    assert issue.key == "tests.L1.prerequisites[0].expr"
    assert issue.reason == "an initial purchase of L1 cannot require L1"


def test_recert_prerequisites_are_not_a_cycle(tmp_path: Path) -> None:
    """A recert-only prerequisite on the way back leaves L1 buyable: no issue."""
    # given
    path = program_file(
        tmp_path,
        a_test("L1", 'expr = "L2"'),
        a_test("L2", 'expr = "L1"\napplies_to = "recert"'),
    )
    # when
    program = load(path)
    # then
    assert set(program.tests) == {"L1", "L2"}


def test_a_chain_without_a_cycle_loads(tmp_path: Path) -> None:
    """L1 requires L2 requires L3, and L1 also requires L3 directly: a DAG loads."""
    # given
    path = program_file(
        tmp_path,
        a_test("L1", 'expr = { all_of = ["L2", "L3"] }'),
        a_test("L2", 'expr = "L3"'),
        a_test("L3"),
    )
    # when
    program = load(path)
    # then
    assert len(program.tests) == 3


@pytest.mark.parametrize(
    "path", [DATA_DIR / "ase", Path(__file__).parents[1] / "fixtures/programs/welding"]
)
def test_the_shipped_programs_have_no_cycle(path: Path) -> None:
    """The ASE program and the welding fixture still load."""
    assert load(path).tests


def test_program_check_exits_2_on_a_cycle(tmp_path: Path, capsys) -> None:
    """`program check` prints the cycle as FILE: KEY: REASON and exits with 2."""
    # given
    path = program_file(
        tmp_path, a_test("L1", 'expr = "L2"'), a_test("L2", 'expr = "L1"')
    )
    # when
    with pytest.raises(CommandError) as error:
        call_command("program", "check", str(path))
    # then
    assert error.value.returncode == 2
    assert "prerequisite cycle L1 → L2 → L1" in capsys.readouterr().out
