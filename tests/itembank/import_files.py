"""Small item files for the import tests: a two-item A1 document, a real PNG, and a
QTI package whose members a test can replace."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from certwright.audit.models import Event
from certwright.itembank.models import Item, ItemVersion


def item(code: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "code": code,
        "area": "A",
        "task": "",
        "stem": f"Stem of {code}?",
        "options": {"A": "a", "B": "b", "C": "c", "D": "d"},
        "key": "B",
        "rationale": "",
        "enemies": [],
        "image": None,
        "status": "operational",
    }
    raw.update(changes)
    return raw


def document(*items: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "certwright-items/1",
        "program": "ase",
        "test": "A1",
        "items": list(items) or [item("A1-001"), item("A1-002")],
    }


def write_json(directory: Path, doc: dict[str, Any], name: str = "A1.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def png(size: tuple[int, int] = (3, 2)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 10)).save(out, format="PNG")
    return out.getvalue()


def qti_package(bundle_bytes: bytes, replace: dict[str, bytes | None]) -> bytes:
    """``bundle_bytes`` (a package) with members replaced (None: removed) or added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(bundle_bytes)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info, source.read(info))
        for name, data in replace.items():
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def stored() -> tuple[int, int, int]:
    """What an import writes: items, versions, events."""
    return Item.objects.count(), ItemVersion.objects.count(), Event.objects.count()
