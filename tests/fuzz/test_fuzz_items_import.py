"""Fuzz `items import`: arbitrary and mutated JSON, CSV and QTI zip input either
imports or is refused with ItemFileError, and a refused input writes nothing. What
the check (a dry run) passes, the import stores, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright.audit.models import Event
from certwright.itembank.item_files import (
    items_check,
    items_import,
    read_path,
    write_csv,
    write_qti,
)
from certwright.itembank.models import Item, ItemEnemy, ItemVersion
from certwright.itemformats import ItemFileError
from tests.fuzz.mutations import NASTY, mutated

BOUNDED = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _item(code: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "code": code,
        "area": "A",
        "task": "a task",
        "stem": f"Stem of {code}?",
        "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
        "key": "B",
        "rationale": "why",
        "enemies": [],
        "image": None,
        "status": "operational",
        "stats": {"p": 0.5},
    }
    raw.update(changes)
    return raw


def _document(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": "certwright-items/1",
        "program": "ase",
        "test": "A1",
        "items": items,
    }


SEED_JSON = json.dumps(
    _document([_item("A1-001", enemies=["A1-002"]), _item("A1-002", pool="practice")])
).encode()


field_values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=20),
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
fields = st.sampled_from(sorted(_item("x")))


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A document whose items have random fields set to random or nasty values."""
    items = []
    for n in range(draw(st.integers(1, 3))):
        changes = draw(st.dictionaries(fields, field_values, max_size=3))
        raw = _item(f"A1-{n:03d}")
        raw.update(changes)
        items.append(raw)
    return json.dumps(_document(items)).encode("utf-8", "surrogatepass")


def _stored() -> tuple[int, ...]:
    return (
        Item.objects.count(),
        ItemVersion.objects.count(),
        ItemEnemy.objects.count(),
        Event.objects.count(),
    )


def _import_or_refuse(path: Path) -> None:
    """Read, check (what --dry-run runs) and import: only ItemFileError may come
    out, and then nothing was written."""
    before = _stored()
    try:
        bundles = read_path(path)
        items_check(bundles, source=path.name)
    except ItemFileError:
        assert _stored() == before
        return
    items_import(bundles, actor="fuzz", source=path.name)  # must not fail now


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _target(tmp_path: Path, name: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        _import_or_refuse(path)

    return run


@BOUNDED
@given(data=st.one_of(mutated(SEED_JSON), documents(), st.binary(max_size=256)))
def test_fuzz_items_json(db: Any, media: None, tmp_path: Path, data: bytes) -> None:
    """Arbitrary, mutated and field-scrambled JSON: imported or ItemFileError."""
    (tmp_path / "fig.png").write_bytes(b"<html>not an image</html>")
    _target(tmp_path, "A1.json")(data)


def _seed_csv() -> bytes:
    from certwright.itembank.item_files import read_json

    bundle = read_json(SEED_JSON)
    return write_csv([bundle]).encode("utf-8")


@BOUNDED
@given(data=st.data())
def test_fuzz_items_csv(db: Any, media: None, tmp_path: Path, data: Any) -> None:
    """Arbitrary and mutated CSV: imported or ItemFileError."""
    content = data.draw(st.one_of(mutated(_seed_csv()), st.binary(max_size=256)))
    _target(tmp_path, "A1.csv")(content)


def _seed_qti() -> bytes:
    from certwright.itembank.item_files import read_json

    return write_qti([read_json(SEED_JSON)])


@st.composite
def packages(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed package with one member's bytes mutated (or the whole zip's)."""
    with zipfile.ZipFile(io.BytesIO(seed)) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    if draw(st.booleans()):
        return draw(mutated(seed))
    name = draw(st.sampled_from(sorted(members)))
    members[name] = draw(mutated(members[name]))
    out = io.BytesIO()
    method = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(out, "w", method) as target:
        for member, content in members.items():
            target.writestr(member, content)
    return out.getvalue()


@BOUNDED
@given(data=st.data())
def test_fuzz_items_qti_zip(db: Any, media: None, tmp_path: Path, data: Any) -> None:
    """Mutated QTI packages (the zip itself, or one XML member): imported or
    ItemFileError."""
    content = data.draw(st.one_of(packages(_seed_qti()), st.binary(max_size=256)))
    _target(tmp_path, "A1.zip")(content)
