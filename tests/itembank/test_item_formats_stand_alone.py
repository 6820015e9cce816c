"""The item file formats (certwright.itemformats) read and write files without Django,
in the item bank's words, and speak the active language when Django runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from certwright.itembank.item_files import read_json
from certwright.itembank.models import ItemPool, ItemStatus
from certwright.itemformats import ItemFileError
from certwright.itemformats.model import POOLS, STATUSES

ROOT = Path(__file__).resolve().parents[2]

STAND_ALONE = """
import json, sys
from certwright.itemformats import BankRules, ItemFileError, read_json, write_json
from certwright.program import get_program

rules = BankRules(get_program("ase"), area_max_length=10, task_max_length=300)
doc = json.loads(sys.stdin.read())
bundle = read_json(json.dumps(doc), rules=rules)
again = read_json(write_json(bundle, program="ase"), rules=rules)
doc["items"][0]["key"] = "E"
try:
    read_json(json.dumps(doc), rules=rules)
except ItemFileError as exc:
    problems = exc.problems
print(json.dumps({
    "same": again == bundle,
    "problems": problems,
    "django": sorted(m for m in sys.modules if m.split(".")[0] == "django"),
}))
"""


def _document() -> dict[str, object]:
    return {
        "format": "certwright-items/1",
        "program": "ase",
        "test": "A1",
        "items": [
            {
                "code": "A1-001",
                "area": "A",
                "stem": "Which part?",
                "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
                "key": "B",
                "status": "operational",
            }
        ],
    }


def test_formats_read_and_write_without_django() -> None:
    """A JSON file reads, writes back the same and names its problems, in a process
    that never imports Django."""
    # when
    done = subprocess.run(
        [sys.executable, "-c", STAND_ALONE],
        input=json.dumps(_document()),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    # then
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["same"] is True
    assert out["problems"] == [
        "items.json: item A1-001: field key must be one of A, B, C, D, not 'E'"
    ]
    assert out["django"] == []


def test_formats_write_the_banks_words_for_status_and_pool() -> None:
    """Every status and pool the bank stores is one the item files accept, and no
    other."""
    assert tuple(ItemStatus.values) == STATUSES
    assert tuple(ItemPool.values) == POOLS


def test_problems_go_through_djangos_translation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reader's problem is translated by Django's gettext, in the active
    language (here a stand-in catalog that marks every message it translates)."""
    # given
    doc = _document()
    doc["items"][0]["key"] = "E"  # type: ignore[index]
    monkeypatch.setattr("django.utils.translation._trans.gettext", lambda m: f"«{m}»")
    # when
    with pytest.raises(ItemFileError) as refused:
        read_json(json.dumps(doc))
    # then
    assert refused.value.problems == [
        "items.json: «item A1-001»: «field key must be one of A, B, C, D, not 'E'»"
    ]
