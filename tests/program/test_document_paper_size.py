"""The program names the paper its PDFs print on (`[documents] paper`); ASE prints on
US Letter, a program that names none on A4, and an unknown size is refused with its
key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from certwright.program import ProgramError, load
from certwright.program.loader import builtin_path

from .test_validator import FEES, PROGRAM, TESTS


def _write(root: Path, program_toml: str) -> Path:
    root.mkdir(exist_ok=True)
    for name, text in (
        ("program.toml", program_toml),
        ("fees.toml", FEES),
        ("tests.toml", TESTS),
    ):
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_ase_prints_on_us_letter() -> None:
    """The ASE program's documents are US Letter."""
    # when
    program = load(builtin_path("ase"))
    # then
    assert program.documents.paper == "letter"


def test_a_program_without_a_documents_table_prints_on_a4(tmp_path: Path) -> None:
    """No `[documents]` table means A4."""
    # when
    program = load(_write(tmp_path / "tiny", PROGRAM))
    # then
    assert program.documents.paper == "a4"


def test_the_paper_named_is_used(tmp_path: Path) -> None:
    """`paper = "letter"` is read."""
    # when
    program = load(
        _write(tmp_path / "tiny", PROGRAM + '\n[documents]\npaper = "letter"\n')
    )
    # then
    assert program.documents.paper == "letter"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('paper = "legal"', "'legal' is not one of 'letter', 'a4'"),
        ("paper = 8", "expected a string"),
        ('size = "letter"', "size"),
    ],
)
def test_a_bad_documents_table_is_refused(
    tmp_path: Path, line: str, reason: str
) -> None:
    """An unknown paper size, a wrong type or an unknown key is an error naming
    `documents.…`; nothing is loaded."""
    # given
    root = _write(tmp_path / "tiny", PROGRAM + f"\n[documents]\n{line}\n")
    # when
    with pytest.raises(ProgramError) as caught:
        load(root)
    # then
    message = str(caught.value)
    assert "documents." in message
    assert reason in message
