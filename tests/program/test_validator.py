"""A broken program is refused with every problem named by file, key and reason."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from certwright.program import Issue, ProgramError, get_program, load

# A valid program in three files; each test breaks one thing.
PROGRAM = """\
[program]
id = "tiny"
name = "Tiny Program"
version = "1"
body = "Tiny Board"

[experience]
default_rule = "standard"

[experience.kinds.employment]
name = "Employment"
accrual = "time"

[experience.rules.standard]
required_days = 730

[series.A]
name = "Automobile"
"""

FEES = """\
[[fees]]
start = 2020-01-01
end = 2025-01-01
currency = "USD"
registration_cents = 3600
registration_per = "window"
test_fees = { standard = 4300 }

[[fees]]
start = 2025-01-01
currency = "USD"
registration_cents = 3400
registration_per = "order"
test_fees = { standard = 6200 }
"""

TESTS = """\
[tests.A1]
name = "Engine Repair"
series = "A"

[[tests.A1.blueprints]]
effective = 2020-01-01
scored = 50
areas = [
    { code = "A", name = "Diagnosis", questions = 30 },
    { code = "B", name = "Repair", questions = 20 },
]

[tests.A8]
name = "Engine Performance"
series = "A"

[[tests.A8.blueprints]]
effective = 2020-01-01
scored = 50

[titles.master]
name = "Master"
rule = { all_of = ["A1", "A8"] }
"""

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write the tiny program with some files replaced (None leaves a file out)."""

    def _write(**files: str | None) -> Path:
        base: dict[str, str | None] = {
            "program.toml": PROGRAM,
            "fees.toml": FEES,
            "tests.toml": TESTS,
        }
        for name, text in files.items():
            base[name.replace("_toml", ".toml")] = text
        root = tmp_path / "tiny"
        root.mkdir(exist_ok=True)
        for name, text in base.items():
            if text is not None:
                (root / name).write_text(text, encoding="utf-8")
        return root

    return _write


def _issues(path: Path) -> list[Issue]:
    with pytest.raises(ProgramError) as caught:
        load(path)
    return caught.value.issues


def _one(path: Path) -> Issue:
    issues = _issues(path)
    assert len(issues) == 1, issues
    return issues[0]


def test_the_base_program_is_valid(write: Write) -> None:
    """The tiny program every other test breaks loads as it is."""
    # given
    root = write()
    # when
    program = load(root)
    # then
    assert set(program.tests) == {"A1", "A8"}


def test_toml_syntax_error_names_line_and_column(write: Write) -> None:
    """A file that is not TOML is reported with tomllib's line and column."""
    # given
    root = write(fees_toml=FEES.replace('currency = "USD"', "currency = USD", 1))
    # when
    issue = _one(root)
    # then
    assert issue.file.endswith("fees.toml")
    assert issue.key == "(syntax)"
    assert "line 4, column 12" in issue.reason


def test_syntax_errors_in_several_files_are_all_reported(write: Write) -> None:
    """Every file that does not parse is reported, not just the first."""
    # given
    root = write(fees_toml="[[fees]\n", tests_toml="[tests.A1]\nname = \n")
    # when
    issues = _issues(root)
    # then
    assert sorted(Path(i.file).name for i in issues) == ["fees.toml", "tests.toml"]


def test_unknown_key_is_an_error_with_a_suggestion(write: Write) -> None:
    """A misspelt key is refused, and the nearest known key is suggested."""
    # given
    root = write(tests_toml=TESTS.replace("scored = 50\n", "socred = 50\n"))
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert (
        reasons["tests.A1.blueprints[0].socred"]
        == "unknown key (did you mean 'scored'?)"
    )
    assert reasons["tests.A1.blueprints[0].scored"] == "missing required key"
    assert all(i.file.endswith("tests.toml") for i in issues)


def test_unknown_top_level_table_is_an_error(write: Write) -> None:
    """A table the format does not know is refused rather than ignored."""
    # given
    root = write(extra_toml="[polcy]\nvalidity_years = 3\n")
    # when
    issue = _one(root)
    # then
    assert Path(issue.file).name == "extra.toml"
    assert issue.key == "polcy"
    assert "did you mean 'policy'" in issue.reason


def test_missing_required_key(write: Write) -> None:
    """A test without a name is refused at tests.<code>.name."""
    # given
    root = write(tests_toml=TESTS.replace('name = "Engine Repair"\n', ""))
    # when
    issue = _one(root)
    # then
    assert (issue.key, issue.reason) == ("tests.A1.name", "missing required key")


def test_wrong_types(write: Write) -> None:
    """Strings for numbers, numbers for strings and booleans for counts are refused."""
    # given
    tests = TESTS.replace("scored = 50\nareas", 'scored = "fifty"\nareas')
    tests = tests.replace('series = "A"\n\n[[tests.A8', "series = 1\n\n[[tests.A8")
    tests = tests.replace(
        "effective = 2020-01-01\nscored = 50\n\n[titles",
        ("effective = 2020-01-01\nscored = true\n\n[titles"),
    )
    root = write(tests_toml=tests)
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert (
        reasons["tests.A1.blueprints[0].scored"] == "expected an integer, got a string"
    )
    assert reasons["tests.A8.series"] == "expected a string, got an integer"
    assert (
        reasons["tests.A8.blueprints[0].scored"] == "expected an integer, got a boolean"
    )


def test_bad_dates(write: Write) -> None:
    """An impossible date string and a date-time where a date belongs are refused."""
    # given
    fees = FEES.replace("end = 2025-01-01", 'end = "2025-13-01"')
    tests = TESTS.replace(
        "effective = 2020-01-01", "effective = 2020-01-01T08:00:00", 1
    )
    root = write(fees_toml=fees, tests_toml=tests)
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert "'2025-13-01' is not a valid date" in reasons["fees[0].end"]
    assert reasons["tests.A1.blueprints[0].effective"] == (
        "expected a date (YYYY-MM-DD), got a date-time"
    )


def test_negative_numbers(write: Write) -> None:
    """Counts, days and money cannot be negative."""
    # given
    program = PROGRAM.replace("required_days = 730", "required_days = -1")
    fees = FEES.replace("registration_cents = 3600", "registration_cents = -3600")
    root = write(program_toml=program, fees_toml=fees)
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert reasons["experience.rules.standard.required_days"] == (
        "must not be negative, got -1"
    )
    assert reasons["fees[0].registration_cents"] == "must not be negative, got -3600"


def test_title_naming_an_unknown_test(write: Write) -> None:
    """A title whose rule names a test that does not exist is refused at that item."""
    # given
    root = write(tests_toml=TESTS.replace('["A1", "A8"]', '["A1", "A9"]'))
    # when
    issue = _one(root)
    # then
    assert issue.key == "titles.master.rule.all_of[1]"
    assert issue.reason == "unknown test 'A9'"


def test_prerequisite_naming_an_unknown_test(write: Write) -> None:
    """A prerequisite on a test that does not exist is refused."""
    # given
    tests = TESTS + '\n[[tests.A8.prerequisites]]\nexpr = { test = "A7" }\n'
    root = write(tests_toml=tests)
    # when
    issue = _one(root)
    # then
    assert issue.key == "tests.A8.prerequisites[0].expr.test"
    assert issue.reason == "unknown test 'A7'"


def test_unknown_series_rule_and_fee_class(write: Write) -> None:
    """A test's series, experience rule and fee class must exist."""
    # given
    tests = TESTS.replace(
        'series = "A"\n\n[[tests.A8',
        'series = "Z"\nexperience_rule = "expert"\nfee_class = "premium"\n\n[[tests.A8',
    )
    root = write(tests_toml=tests)
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert reasons["tests.A8.series"] == "unknown series 'Z'"
    assert reasons["tests.A8.experience_rule"] == "unknown experience rule 'expert'"
    assert reasons["tests.A8.fee_class"].startswith("unknown fee class 'premium'")


def test_blueprint_areas_must_add_up(write: Write) -> None:
    """When every area has a count, the counts must add up to the scored total."""
    # given
    root = write(tests_toml=TESTS.replace("questions = 20", "questions = 25"))
    # when
    issue = _one(root)
    # then
    assert issue.key == "tests.A1.blueprints[0].areas"
    assert issue.reason == "content-area questions add up to 55, not scored = 50"


def test_areas_without_counts_are_not_summed(write: Write) -> None:
    """Areas whose counts are not known are accepted (ASE publishes some areas only)."""
    # given
    root = write(tests_toml=TESTS.replace(", questions = 20", ""))
    # when
    program = load(root)
    # then
    assert program.tests["A1"].blueprints[0].areas[1].questions is None


def test_blueprints_in_order_without_duplicate_dates(write: Write) -> None:
    """Blueprint versions must have increasing, distinct effective dates."""
    # given
    extra = """
[[tests.A8.blueprints]]
effective = 2019-01-01
scored = 45

[[tests.A8.blueprints]]
effective = 2019-01-01
scored = 40
"""
    root = write(tests_toml=TESTS + extra)
    # when
    issues = _issues(root)
    # then
    reasons = {i.key: i.reason for i in issues}
    assert (
        "increasing effective-date order" in reasons["tests.A8.blueprints[1].effective"]
    )
    assert (
        "duplicate effective date 2019-01-01"
        in reasons["tests.A8.blueprints[2].effective"]
    )


def test_overlapping_fee_periods(write: Write) -> None:
    """A fee period that starts before the previous one ends is refused."""
    # given
    root = write(fees_toml=FEES.replace("start = 2025-01-01", "start = 2024-06-01"))
    # when
    issue = _one(root)
    # then
    assert issue.key == "fees[1].start"
    assert issue.reason == "overlaps fees[0] (2020-01-01, until 2025-01-01)"


def test_unordered_fee_periods(write: Write) -> None:
    """Fee periods must be listed in start order."""
    # given
    root = write(fees_toml=FEES.replace("start = 2025-01-01", "start = 2019-01-01"))
    # when
    issue = _one(root)
    # then
    assert issue.key == "fees[1].start"
    assert issue.reason.startswith("fee periods must be in increasing start order")


def test_fee_period_ending_before_it_starts(write: Write) -> None:
    """A period's end must come after its start."""
    # given
    root = write(fees_toml=FEES.replace("end = 2025-01-01", "end = 2019-06-01"))
    # when
    issue = _one(root)
    # then
    assert (issue.key, issue.reason) == (
        "fees[0].end",
        "end 2019-06-01 is not after start 2020-01-01",
    )


def test_open_ended_period_must_be_last(write: Write) -> None:
    """Only the last fee period may be open-ended."""
    # given
    fees = FEES.replace("end = 2025-01-01\n", "")
    root = write(fees_toml=fees)
    # when
    issue = _one(root)
    # then
    assert issue.key == "fees[1].start"
    assert "open-ended" in issue.reason


def test_duplicate_test_code_in_two_files(write: Write) -> None:
    """The same test defined in two files is reported against the second file."""
    # given
    again = '[tests.A8]\nname = "Again"\nseries = "A"\n'
    root = write(more_tests_toml=again)
    # when
    issue = _one(root)
    # then
    assert Path(issue.file).name == "tests.toml"  # sorted after more_tests.toml
    assert issue.key == "tests.A8"
    assert issue.reason.startswith("duplicate test code 'A8': also defined in")
    assert "more_tests.toml" in issue.reason


def test_test_codes_differing_only_in_case(write: Write) -> None:
    """ "a1" beside "A1" is refused as a duplicate."""
    # given
    extra = '\n[tests.a1]\nname = "Lower"\nseries = "A"\n'
    extra += "[[tests.a1.blueprints]]\neffective = 2020-01-01\nscored = 10\n"
    root = write(tests_toml=TESTS + extra)
    # when
    issue = _one(root)
    # then
    assert issue.key == "tests.a1"
    assert issue.reason == "duplicate test code 'a1' (same as 'A1')"


def test_key_defined_in_two_files(write: Write) -> None:
    """A plain key set in two files is an error, not a silent override."""
    # given
    root = write(zz_toml='[program]\nversion = "2"\n')
    # when
    issue = _one(root)
    # then
    assert Path(issue.file).name == "zz.toml"
    assert issue.key == "program.version"
    assert issue.reason.startswith("defined twice: also in")


@pytest.mark.parametrize(
    ("rule", "key", "reason"),
    [
        (
            '{ none_of = ["A1"] }',
            "titles.master.rule",
            "unknown expression shape (none_of)",
        ),
        (
            '{ all_of = ["A1"], any_of = ["A8"] }',
            "titles.master.rule",
            "unknown expression shape (all_of, any_of)",
        ),
        ("{ all_of = [] }", "titles.master.rule.all_of", "expected a non-empty array"),
        ("42", "titles.master.rule", "expected a test code or a table"),
        (
            '{ one_per_group = [{ name = "x", members = ["A1"] }] }',
            "titles.master.rule.one_per_group[0].members",
            "unknown key",
        ),
    ],
)
def test_title_expression_of_unknown_shape(
    write: Write, rule: str, key: str, reason: str
) -> None:
    """Only test / all_of / any_of / one_per_group expressions are accepted."""
    # given
    root = write(tests_toml=TESTS.replace('{ all_of = ["A1", "A8"] }', rule))
    # when
    issues = _issues(root)
    # then
    assert any(i.key == key and i.reason.startswith(reason) for i in issues), issues


def test_several_problems_are_reported_at_once(write: Write) -> None:
    """Problems in different files and sections come back in one error."""
    # given
    program = PROGRAM.replace('version = "1"\n', 'version = "1"\nlogo = "x.png"\n')
    fees = FEES.replace("start = 2025-01-01", "start = 2024-01-01")
    tests = TESTS.replace("questions = 20", "questions = 21")
    tests = tests.replace('["A1", "A8"]', '["A1", "B9"]')
    root = write(program_toml=program, fees_toml=fees, tests_toml=tests)
    # when
    with pytest.raises(ProgramError) as caught:
        load(root)
    # then
    text = str(caught.value)
    lines = text.splitlines()
    assert len(lines) == 4
    assert f"{root / 'program.toml'}: program.logo: unknown key" in lines
    assert f"{root / 'fees.toml'}: fees[1].start: overlaps fees[0]" in text
    assert f"{root / 'tests.toml'}: tests.A1.blueprints[0].areas: content-area" in text
    assert (
        f"{root / 'tests.toml'}: titles.master.rule.all_of[1]: unknown test 'B9'"
        in (lines)
    )


def test_a_missing_path_or_builtin_is_an_error(tmp_path: Path) -> None:
    """Loading nothing is a ProgramError naming the path."""
    # when
    with pytest.raises(ProgramError) as missing:
        load(tmp_path / "nowhere")
    with pytest.raises(ProgramError) as unknown:
        get_program("no-such-program")
    # then
    assert missing.value.issues[0].reason == "no such file or directory"
    assert unknown.value.issues[0].file == "no-such-program"


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    """A directory without TOML files is not a program."""
    # when
    issue = _one(tmp_path)
    # then
    assert issue.reason == "no *.toml files in this directory"


def test_program_error_survives_pickling() -> None:
    """A ProgramError sent through a task queue keeps its issues."""
    # given
    error = ProgramError([Issue("a.toml", "program.id", "missing required key")])
    # when
    copy = pickle.loads(pickle.dumps(error))
    # then
    assert copy.issues == error.issues
    assert str(copy) == "a.toml: program.id: missing required key"
