"""A QTI package that is damaged (bad CRC, unknown compression, encrypted member) or
that would inflate past the limits is refused naming the member and the reason,
before its content is read: `items import` exits 2 and stores nothing."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from certwright.itembank.item_files import read_path, read_qti, write_qti
from certwright.itemformats import ItemFileError, qti
from tests.itembank.import_files import document, item, png, stored, write_json

ITEM = "items/A1/A1-001.xml"


def _package(tmp_path: Path) -> bytes:
    (tmp_path / "fig.png").write_bytes(png())
    doc = document(item("A1-001", image="fig.png"), item("A1-002"))
    return write_qti(read_path(write_json(tmp_path, doc)))


def _patch_member(package: bytes, name: str, patch: Any) -> bytes:
    """``package`` with the local and central headers of member ``name`` edited in
    place by ``patch(data, local_offset, central_offset, info)``."""
    data = bytearray(package)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        info = archive.getinfo(name)
    patch(data, info.header_offset, _central_offset(data, name), info)
    return bytes(data)


def _central_offset(data: bytearray, name: str) -> int:
    encoded = name.encode()
    at = 0
    while True:
        at = data.index(b"PK\x01\x02", at)
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == encoded:
            return at
        at += 4


def _bad_crc(data: bytearray, local: int, central: int, info: Any) -> None:
    for at in (local + 14, central + 16):
        data[at] ^= 0xFF


def _unknown_method(data: bytearray, local: int, central: int, info: Any) -> None:
    for at in (local + 8, central + 10):
        data[at : at + 2] = (99).to_bytes(2, "little")


def _encrypted(data: bytearray, local: int, central: int, info: Any) -> None:
    for at in (local + 6, central + 8):
        data[at] |= 0x1


@pytest.mark.parametrize(
    ("patch", "expected"),
    [
        (_bad_crc, "is damaged (Bad CRC-32"),
        (_unknown_method, "uses an unsupported compression method (99)"),
        (_encrypted, "is encrypted"),
    ],
)
def test_a_damaged_member_is_named_and_the_command_exits_2(
    db: Any, tmp_path: Path, patch: Any, expected: str
) -> None:
    """A bad CRC, an unknown compression method or the encryption flag on an item
    XML: the command lists the member and reason, exits 2, stores nothing."""
    # given
    bad = _patch_member(_package(tmp_path), ITEM, patch)
    path = tmp_path / "bank" / "A1.zip"
    path.parent.mkdir()
    path.write_bytes(bad)
    before = stored()
    err = io.StringIO()
    # when
    with pytest.raises(CommandError) as failed:
        call_command("items", "import", str(path), stdout=io.StringIO(), stderr=err)
    # then
    assert failed.value.returncode == 2
    assert f"A1.zip: {ITEM}: {expected}" in err.getvalue()
    assert stored() == before


def test_a_member_that_inflates_past_the_limit_is_refused_unread(
    db: Any, tmp_path: Path
) -> None:
    """A small zip whose image member unpacks to 150 MB is refused from its header,
    without inflating it (memory stays far below the member's size)."""
    # given a package whose figure is 150 MB of zeros (about 150 KB deflated)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_package(tmp_path))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "images/A1/fig.png":
                target.writestr(info, source.read(info))
        with target.open("images/A1/fig.png", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(150):
                member.write(chunk)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024
    # when
    tracemalloc.start()
    try:
        with pytest.raises(ItemFileError) as refused:
            read_qti(bomb, source="A1.zip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # then
    assert "A1.zip: images/A1/fig.png: is larger than 2097152 bytes unpacked" in (
        refused.value.message
    )
    assert peak < 20 * 1024 * 1024


def test_too_many_members_are_refused(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package with more members than MAX_PACKAGE_MEMBERS is refused whole."""
    # given
    monkeypatch.setattr(qti, "MAX_PACKAGE_MEMBERS", 3)
    package = _package(tmp_path)  # manifest, two items, one image
    # when / then
    with pytest.raises(ItemFileError, match=r"A1\.zip: the package has more than 3"):
        read_qti(package, source="A1.zip")


def test_a_file_that_is_not_a_zip_exits_2(db: Any, tmp_path: Path) -> None:
    """A truncated package is reported, not a traceback."""
    # given
    path = tmp_path / "A1.zip"
    path.write_bytes(_package(tmp_path)[:-30])
    err = io.StringIO()
    # when
    with pytest.raises(CommandError) as failed:
        call_command("items", "import", str(path), stdout=io.StringIO(), stderr=err)
    # then
    assert failed.value.returncode == 2
    assert "A1.zip: not a zip file" in err.getvalue()
