"""An items JSON file is read strictly: a key given twice in one object, NaN or
Infinity, or nesting deeper than MAX_JSON_DEPTH is refused with a plain message;
`items import` exits 2 and stores nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from certwright.itemformats import MAX_JSON_DEPTH
from tests.itembank.import_files import document, stored


def _import(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    try:
        call_command("items", "import", str(path), stdout=io.StringIO(), stderr=err)
    except CommandError as exc:
        return exc.returncode, err.getvalue()
    return 0, err.getvalue()


def test_a_key_given_twice_is_refused(db: Any, tmp_path: Path) -> None:
    """An item with "key": "A" and, later, "key": "D" is refused, not read as D."""
    # given
    text = json.dumps(document()).replace('"key": "B"', '"key": "A", "key": "D"', 1)
    path = tmp_path / "A1.json"
    path.write_text(text, encoding="utf-8")
    before = stored()
    # when
    status, err = _import(path)
    # then
    assert status == 2
    assert "A1.json: the key 'key' appears twice in one object" in err
    assert stored() == before


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deep_nesting_is_refused_with_a_plain_message(
    db: Any, tmp_path: Path, depth: int
) -> None:
    """Stats nested past the limit, or so deep that the parser would recurse out of
    stack: exit 2 with one plain line, no traceback."""
    # given
    text = json.dumps(document()).replace(
        '"status": "operational"',
        '"status": "operational", "stats": {"x": ' + "[" * depth + "]" * depth + "}",
        1,
    )
    path = tmp_path / "A1.json"
    path.write_text(text, encoding="utf-8")
    before = stored()
    # when
    status, err = _import(path)
    # then
    assert status == 2
    assert err.strip() == (
        f"A1.json: JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)"
    )
    assert stored() == before


def test_nan_is_refused(db: Any, tmp_path: Path) -> None:
    """NaN is no JSON number (PostgreSQL's jsonb refuses it): refused."""
    # given
    text = json.dumps(document()).replace(
        '"status": "operational"', '"status": "operational", "stats": {"p": NaN}', 1
    )
    path = tmp_path / "A1.json"
    path.write_text(text, encoding="utf-8")
    # when
    status, err = _import(path)
    # then
    assert status == 2
    assert "A1.json: not valid JSON: NaN is not a JSON number" in err
