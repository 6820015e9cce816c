"""The program names the free-mail domains whose employer confirmations staff look at
first; a malformed entry is refused with its key and reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from certwright.program import ProgramError, load

from .test_validator import FEES, PROGRAM, TESTS

Write = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """The validator tests' tiny program, with its program.toml replaced."""

    def _write(program_toml: str = PROGRAM) -> Path:
        root = tmp_path / "tiny"
        root.mkdir(exist_ok=True)
        for name, text in (
            ("program.toml", program_toml),
            ("fees.toml", FEES),
            ("tests.toml", TESTS),
        ):
            (root / name).write_text(text, encoding="utf-8")
        return root

    return _write


EXPERIENCE = '[experience]\ndefault_rule = "standard"\n'


def _with_domains(line: str) -> str:
    assert EXPERIENCE in PROGRAM
    return PROGRAM.replace(EXPERIENCE, EXPERIENCE + line + "\n")


def test_free_mail_domains_are_read_from_the_experience_table(write: Write) -> None:
    """The listed domains are on the program's experience policy."""
    # given
    root = write(
        program_toml=_with_domains('free_mail_domains = ["gmail.com", "gmx.de"]')
    )
    # when
    program = load(root)
    # then
    assert program.experience.free_mail_domains == frozenset({"gmail.com", "gmx.de"})


def test_no_list_means_no_free_mail_domains(write: Write) -> None:
    """A program that names none flags no domain as free mail."""
    # when
    program = load(write())
    # then
    assert program.experience.free_mail_domains == frozenset()


@pytest.mark.parametrize("bad", ["Gmail.com", "@gmail.com", "gmail", "http://x.com"])
def test_a_malformed_domain_is_refused_by_key(write: Write, bad: str) -> None:
    """An entry that is not a lower-case domain name names its key and index."""
    # given
    root = write(program_toml=_with_domains(f'free_mail_domains = ["ok.com", "{bad}"]'))
    # when
    with pytest.raises(ProgramError) as caught:
        load(root)
    # then
    [issue] = caught.value.issues
    assert issue.key == "experience.free_mail_domains[1]"
    assert "domain name" in issue.reason


def test_the_ase_program_lists_the_common_free_mail_domains() -> None:
    """The shipped program flags the big free-mail providers."""
    # when
    program = load(Path(__file__).parents[2] / "certwright/program/data/ase")
    # then
    assert {
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "hotmail.com",
        "icloud.com",
        "aol.com",
        "proton.me",
        "gmx.com",
    } <= program.experience.free_mail_domains
