"""A bad import file gets an error naming the file, the item and the field, and
changes nothing: not its good items, not the other files of a directory, not the
bank that was there."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from certwright.audit.models import Event, EventKind
from certwright.itembank.item_files import (
    items_import,
    read_csv,
    read_path,
    read_qti,
    write_qti,
)
from certwright.itembank.models import Item, ItemEnemy, ItemVersion
from certwright.itemformats import ItemFileError

SAMPLE = Path(__file__).parents[2] / "certwright/itembank/data/ase/A1.json"


def _document() -> dict[str, Any]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def _bank_state() -> tuple[Any, ...]:
    return (
        list(Item.objects.values_list("code", flat=True).order_by("code")),
        list(ItemVersion.objects.values_list("id", "status", "stem").order_by("id")),
        ItemEnemy.objects.count(),
    )


@pytest.fixture
def bank(db: Any) -> tuple[Any, ...]:
    """Two existing items in the bank (A2), whose state a failed import keeps."""
    doc = {
        "format": "certwright-items/1",
        "program": "ase",
        "test": "A2",
        "items": [
            {
                "code": f"A2-90{n}",
                "area": "A",
                "task": "",
                "stem": f"Existing item {n}?",
                "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
                "key": "A",
                "rationale": "",
                "enemies": [],
                "image": None,
                "status": "operational",
            }
            for n in (1, 2)
        ],
    }
    from certwright.itembank.item_files import read_json

    items_import([read_json(json.dumps(doc))], actor="test")
    return _bank_state()


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda raw: raw.update(key="E"), "item A1-005: field key must be one of"),
        (lambda raw: raw["options"].pop("D"), "item A1-005: field options must have"),
        (lambda raw: raw.update(area="Z"), "item A1-005: field area: 'Z' is not"),
        (lambda raw: raw.update(status="live"), "item A1-005: field status must be"),
        (lambda raw: raw.update(stem="  "), "item A1-005: field stem is empty"),
        (lambda raw: raw.update(image="a/b.png"), "item A1-005: field image must be"),
        (
            lambda raw: raw.update(image="gone.png"),
            "item A1-005: field image: file gone.png not found",
        ),
        (lambda raw: raw.update(code="A1-004"), "item A1-004: the code appears twice"),
    ],
)
def test_a_bad_item_names_file_item_and_field(
    bank: tuple[Any, ...], tmp_path: Path, change: Any, expected: str
) -> None:
    """One bad item among 70: the error names it; nothing of the file is stored."""
    # given
    doc = _document()
    change(doc["items"][4])
    path = _write(tmp_path, "A1.json", doc)
    # when
    with pytest.raises(ItemFileError) as refused:
        items_import(read_path(path), actor="test")
    # then
    assert f"A1.json: {expected}" in str(refused.value.message)
    assert _bank_state() == bank


def test_one_bad_file_in_a_directory_stores_none_of_them(
    bank: tuple[Any, ...], tmp_path: Path
) -> None:
    """A good A1.json beside a bad A3.json: neither is imported."""
    # given
    _write(tmp_path, "A1.json", _document())
    bad = copy.deepcopy(_document())
    bad["test"] = "A3"
    for raw in bad["items"]:
        raw["area"] = "A"
    bad["items"][0]["key"] = "Q"
    _write(tmp_path, "A3.json", bad)
    # when
    with pytest.raises(ItemFileError, match=r"A3\.json: item A1-001: field key"):
        items_import(read_path(tmp_path), actor="test")
    # then
    assert _bank_state() == bank


def test_an_unknown_enemy_stores_nothing(bank: tuple[Any, ...], tmp_path: Path) -> None:
    """An enemy code that is in neither the file nor the bank (it needs the bank to
    check) is refused before anything is written: no item, no import event."""
    # given
    doc = _document()
    doc["items"][-1]["enemies"] = ["A1-999"]
    path = _write(tmp_path, "A1.json", doc)
    bundles = read_path(path)
    # when
    with pytest.raises(ItemFileError, match="field enemies: no item A1-999 in A1"):
        items_import(bundles, actor="test", source="A1.json")
    # then
    assert _bank_state() == bank
    assert Event.objects.filter(kind=EventKind.ITEMS_IMPORTED).count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "A1.json: not valid JSON"),
        ('{"format": "other/2", "items": []}', "field format must be"),
        ('{"format": "certwright-items/1", "test": "Q9", "items": []}', "'Q9' is not"),
    ],
)
def test_a_bad_document_is_refused(
    bank: tuple[Any, ...], tmp_path: Path, content: str, expected: str
) -> None:
    """Broken JSON, another format or an unknown test: refused, nothing stored."""
    # given
    path = tmp_path / "A1.json"
    path.write_text(content, encoding="utf-8")
    # when / then
    with pytest.raises(ItemFileError, match=expected):
        read_path(path)
    assert _bank_state() == bank


def test_csv_without_its_columns_is_refused(db: Any) -> None:
    """A CSV missing the key column says which columns are missing."""
    # when / then
    with pytest.raises(ItemFileError, match="missing columns: key"):
        read_csv(
            "code,test,area,task,stem,option_a,option_b,option_c,option_d,"
            "rationale,enemies,image,status\n"
        )


def test_qti_with_a_doctype_is_refused(db: Any) -> None:
    """An item XML with entity declarations (an XML bomb's way in) is refused,
    naming the file."""
    # given
    package = io.BytesIO(write_qti(read_path(SAMPLE)))
    out = io.BytesIO()
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "items/A1/A1-002.xml":
                data = data.replace(
                    b"<qti-assessment-item",
                    b'<!DOCTYPE x [<!ENTITY e "boom">]><qti-assessment-item',
                )
            target.writestr(info, data)
    # when / then
    with pytest.raises(
        ItemFileError, match=r"items/A1/A1-002\.xml: XML with a document"
    ):
        read_qti(out.getvalue(), source="A1.zip")
