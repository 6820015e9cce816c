"""Export → import into an empty bank → export gives the same items, in JSON, CSV
and QTI 3.0: content, key, rationale, area, task, status, pool, enemies and
images."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from certwright.itembank.item_files import (
    items_export,
    items_import,
    read_csv,
    read_json,
    read_path,
    read_qti,
    write_csv,
    write_json,
    write_qti,
)
from certwright.itembank.models import Item, ItemEnemy, ItemVersion
from certwright.itembank.services import item_enemy_add, item_version_edit
from certwright.itemformats import ItemBundle


def _png() -> bytes:
    """A real (tiny) PNG: images are checked by content."""
    out = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 40, 10)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
SAMPLE = Path(__file__).parents[2] / "certwright/itembank/data/ase/A1.json"
PRACTICE_SAMPLE = SAMPLE.with_name("A1-practice.json")


def _bank(tmp_path: Path) -> ItemBundle:
    """The sample A1 file, plus an image on one item, an awkward stem on another
    (quotes, a comma, a line break, XML specials, non-ASCII) and two practice
    items."""
    bundle = read_path(SAMPLE)[0]
    items_import([bundle], actor="test", source="A1.json")
    first = ItemVersion.objects.get(item__code="A1-001")
    from django.core.files.base import ContentFile

    item_version_edit(version_id=first.pk, image=ContentFile(PNG, name="fig.png"))
    second = ItemVersion.objects.get(item__code="A1-003")
    item_version_edit(
        version_id=second.pk,
        stem='A "tricky", <odd> & multi-line\nstem — 5 °C; option?',
    )
    x, y = Item.objects.filter(code__in=["A1-010", "A1-020"])
    item_enemy_add(item_id=x.pk, other_id=y.pk)
    Item.objects.filter(code__in=["A1-030", "A1-060"]).update(pool="practice")
    return items_export(test="A1")


def _wipe() -> None:
    ItemEnemy.objects.all().delete()
    ItemVersion.objects.all().delete()
    Item.objects.all().delete()


def _as_json(path: Path, bundle: ItemBundle) -> list[ItemBundle]:
    path.write_text(write_json(bundle), encoding="utf-8")
    for name, data in bundle.images.items():
        (path.parent / name).write_bytes(data)
    return [read_json(path.read_bytes(), directory=path.parent)]


def _as_csv(path: Path, bundle: ItemBundle) -> list[ItemBundle]:
    text = write_csv([bundle])
    for name, data in bundle.images.items():
        (path.parent / name).write_bytes(data)
    return read_csv(text, directory=path.parent)


def _as_qti(path: Path, bundle: ItemBundle) -> list[ItemBundle]:
    return read_qti(write_qti([bundle]))


def _content(bundle: ItemBundle) -> list[Any]:
    # Stats travel in JSON only; the formats compare on everything else.
    return [
        (
            i.code,
            i.area,
            i.task,
            i.stem,
            i.options,
            i.key,
            i.rationale,
            i.enemies,
            i.image,
            i.status,
            i.pool,
        )
        for i in bundle.items
    ]


@pytest.mark.parametrize("write_and_read", [_as_json, _as_csv, _as_qti])
def test_round_trip_into_an_empty_bank(
    db: Any,
    tmp_path: Path,
    write_and_read: Callable[[Path, ItemBundle], list[ItemBundle]],
) -> None:
    """Every item comes back identical, with its image bytes."""
    # given
    exported = _bank(tmp_path)
    assert exported.images
    assert sorted(i.code for i in exported.items if i.pool == "practice") == [
        "A1-030",
        "A1-060",
    ]
    out = tmp_path / "out"
    out.mkdir()
    read = write_and_read(out / "A1.json", exported)
    _wipe()
    # when
    report = items_import(read, actor="test", source="round-trip")
    again = items_export(test="A1")
    # then
    assert len(report.created) == len(exported.items) == 70
    assert _content(again) == _content(exported)
    assert again.images == exported.images
    assert ItemEnemy.objects.count() > 0


@pytest.mark.parametrize("sample", [SAMPLE, PRACTICE_SAMPLE], ids=lambda p: p.name)
def test_the_sample_file_matches_its_export(db: Any, sample: Path) -> None:
    """Importing A1.json (or A1-practice.json) and exporting again writes the same
    document ("pool" written for practice items only: exam is the default)."""
    # given
    items_import(read_path(sample), actor="test", source=sample.name)
    # when
    written = json.loads(write_json(items_export(test="A1")))
    # then
    original = json.loads(sample.read_text(encoding="utf-8"))
    key = lambda raw: raw["code"]  # noqa: E731
    for raw in original["items"]:
        raw["enemies"] = sorted(raw["enemies"])
    assert sorted(written["items"], key=key) == sorted(original["items"], key=key)


def test_importing_twice_changes_nothing(db: Any) -> None:
    """A second import of the same file reports every item unchanged."""
    # given
    items_import(read_path(SAMPLE), actor="test", source="A1.json")
    versions = ItemVersion.objects.count()
    # when
    report = items_import(read_path(SAMPLE), actor="test", source="A1.json")
    # then
    assert (report.changed, report.unchanged) == (0, 70)
    assert ItemVersion.objects.count() == versions
