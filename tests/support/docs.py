"""Reading the tables of docs/*.md, for the tests that keep the documentation and
the code in step (environment variables, commands, event kinds).

A documented name is a `backticked` name in the first cell of a table row; the
header and separator rows are not rows.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"

_SEPARATOR = re.compile(r"^\|[\s:|-]+\|$")
_CODE = re.compile(r"`([^`]+)`")


def table_rows(doc: str) -> list[list[str]]:
    """The body rows of every table in ``docs/<doc>``, as lists of stripped cells
    (``\\|`` inside a cell is a literal bar, not a cell boundary)."""
    rows: list[list[str]] = []
    header = True
    for line in (DOCS / doc).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith("|"):
            header = True
            continue
        if _SEPARATOR.match(line):
            header = False
            continue
        if header:
            continue
        cells = re.split(r"(?<!\\)\|", line.strip("|"))
        rows.append([cell.strip().replace("\\|", "|") for cell in cells])
    return rows


def first_cell_names(doc: str) -> list[str]:
    """Every `backticked` name in the first cell of a table row of ``docs/<doc>``,
    in order, repeats kept."""
    return [name for row in table_rows(doc) for name in _CODE.findall(row[0])]
