"""The item pool travels in the exchange formats: ``"pool": "practice"`` or
``"renewal"`` in JSON (exam when absent), a ``pool`` column in CSV (optional on
reading: a file without it holds exam items), ``pool`` in the QTI manifest
metadata. A bad pool is refused with the item named; an import that would move an
item candidates have seen to the other pool is refused whole, while an unseen item
takes the file's pool."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from certwright.itembank.item_files import (
    items_export,
    items_import,
    read_csv,
    read_json,
    read_qti,
    write_csv,
    write_json,
    write_qti,
)
from certwright.itembank.models import Item, ItemPool, ItemVersion
from certwright.itembank.services import form_publish
from certwright.itemformats import CSV_COLUMNS, ItemFileError
from tests.support.itembank import MakeForm


def _doc(*items: dict[str, Any]) -> str:
    return json.dumps(
        {"format": "certwright-items/1", "program": "ase", "test": "A1", "items": items}
    )


def _item(code: str, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "area": "A",
        "task": "Diagnose it",
        "stem": f"Which one ({code})?",
        "options": {"A": "One", "B": "Two", "C": "Three", "D": "Four"},
        "key": "B",
        "rationale": "Because two.",
        "status": "operational",
        **extra,
    }


def test_json_reads_the_pool_with_exam_as_default(db: Any) -> None:
    """A practice item is stored in the practice pool, an item without "pool" in
    the exam pool; both are written back as read (the default unwritten)."""
    # when
    bundle = read_json(_doc(_item("A1-P1", pool="practice"), _item("A1-X1")))
    report = items_import([bundle], actor="test", source="doc.json")
    # then
    assert sorted(report.created) == ["A1-P1", "A1-X1"]
    pools = dict(Item.objects.values_list("code", "pool"))
    assert pools == {"A1-P1": ItemPool.PRACTICE, "A1-X1": ItemPool.EXAM}
    written = {i["code"]: i for i in json.loads(write_json(bundle))["items"]}
    assert written["A1-P1"]["pool"] == "practice"
    assert "pool" not in written["A1-X1"]


def test_csv_and_qti_carry_the_pool(db: Any) -> None:
    """CSV writes a pool column and QTI a pool attribute; reading gives it back."""
    # given
    bundle = read_json(_doc(_item("A1-P1", pool="practice"), _item("A1-X1")))
    # when
    text = write_csv([bundle])
    from_csv = read_csv(text)[0]
    from_qti = read_qti(write_qti([bundle]))[0]
    # then
    assert text.splitlines()[0].endswith(",status,pool")
    for read in (from_csv, from_qti):
        assert {i.code: i.pool for i in read.items} == {
            "A1-P1": "practice",
            "A1-X1": "exam",
        }


def test_a_csv_without_the_pool_column_holds_exam_items(db: Any) -> None:
    """The column is optional: a file in the original layout still imports."""
    # given
    header = ",".join(CSV_COLUMNS)
    row = "A1-X9,A1,A,Task,Which?,a,b,c,d,C,Why,,,operational"
    # when
    (bundle,) = read_csv(f"{header}\n{row}\n")
    items_import([bundle], actor="test")
    # then
    assert Item.objects.get(code="A1-X9").pool == ItemPool.EXAM


def test_an_unknown_pool_is_refused_by_name(db: Any) -> None:
    """ "pool": "spare" is refused, naming the item and field; nothing is stored."""
    with pytest.raises(ItemFileError) as refused:
        read_json(_doc(_item("A1-P1", pool="spare")), source="bad.json")
    assert refused.value.problems == [
        "bad.json: item A1-P1: field pool must be one of exam, practice, renewal, "
        "not 'spare'"
    ]
    assert not Item.objects.exists()


def test_an_unseen_item_changes_pool_a_seen_one_never(
    db: Any, make_form: MakeForm
) -> None:
    """An item on no published form takes the file's pool (reported); an item on a
    published form keeps its pool, and the import that tries to move it stores
    nothing at all."""
    # given two exam items; one of them on a published exam form
    items_import([read_json(_doc(_item("A1-X1"), _item("A1-X2")))], actor="test")
    seen = ItemVersion.objects.get(item__code="A1-X2")
    form_publish(form_id=make_form([seen]).pk, actor="test")
    # when the unseen one is moved to the practice pool
    report = items_import(
        [read_json(_doc(_item("A1-X1", pool="practice"), _item("A1-X2")))],
        actor="test",
    )
    # then
    assert report.pool_changed == ["A1-X1"]
    assert report.unchanged == 1
    assert Item.objects.get(code="A1-X1").pool == ItemPool.PRACTICE
    # when the seen one is moved too, with a new item beside it
    with pytest.raises(ItemFileError) as refused:
        items_import(
            [
                read_json(
                    _doc(_item("A1-X2", pool="practice"), _item("A1-X3")),
                    source="move.json",
                )
            ],
            actor="test",
        )
    # then nothing changed
    (problem,) = refused.value.problems
    assert problem.startswith("move.json: item A1-X2: field pool: candidates have")
    assert Item.objects.get(code="A1-X2").pool == ItemPool.EXAM
    assert not Item.objects.filter(code="A1-X3").exists()


def test_a_renewal_item_keeps_its_pool_through_every_format(db: Any) -> None:
    """A renewal item written as JSON, CSV and QTI (``pool="renewal"`` on its
    ``cw:item``) and read back is a renewal item each time, with its key; imported
    from each, it is stored in the renewal pool, and the exports of the stored bank
    say renewal again."""
    # given
    bundle = read_json(_doc(_item("A1-R01", pool="renewal"), _item("A1-X1")))
    qti = write_qti([bundle])
    # when
    read_back = {
        "json": read_json(write_json(bundle)),
        "csv": read_csv(write_csv([bundle]))[0],
        "qti": read_qti(qti)[0],
    }
    # then
    with zipfile.ZipFile(io.BytesIO(qti)) as package:
        manifest = package.read("imsmanifest.xml").decode()
    assert 'code="A1-R01" area="A" status="operational" pool="renewal"' in manifest
    for fmt, read in read_back.items():
        renewal = {i.code: (i.pool, i.key) for i in read.items}
        assert renewal == {"A1-R01": ("renewal", "B"), "A1-X1": ("exam", "B")}, fmt
        Item.objects.all().delete()
        items_import([read], actor="test", source=f"renewal.{fmt}")
        assert Item.objects.get(code="A1-R01").pool == ItemPool.RENEWAL, fmt
        exported = json.loads(write_json(items_export(test="A1", actor="test")))
        assert {i["code"]: i.get("pool") for i in exported["items"]} == {
            "A1-R01": "renewal",
            "A1-X1": None,
        }, fmt
