"""QTI XML with a document type declaration is refused whatever its encoding: an
internal entity in a UTF-16 item never reaches a stored stem."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from certwright.itembank.item_files import read_path, read_qti, write_qti
from certwright.itemformats import ItemFileError
from tests.itembank.import_files import document, qti_package, write_json

ITEM = "items/A1/A1-001.xml"


def _item_xml(tmp_path: Path) -> tuple[bytes, str]:
    package = write_qti(read_path(write_json(tmp_path, document())))
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return package, archive.read(ITEM).decode("utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be"])
def test_an_entity_declaration_is_refused_in_every_encoding(
    db: Any, tmp_path: Path, encoding: str
) -> None:
    """An item declaring an internal entity used in its stem is refused, naming the
    member, in UTF-8 and in UTF-16 (with and without a byte-order mark)."""
    # given
    package, xml = _item_xml(tmp_path)
    body = xml.split("?>", 1)[1]
    body = body.replace("Stem of A1-001?", "&payload;", 1)
    declared = body.replace(
        "<qti-assessment-item",
        '<!DOCTYPE qti-assessment-item [<!ENTITY payload "injected stem">]>'
        "<qti-assessment-item",
        1,
    )
    name = "UTF-16" if encoding == "utf-16-be" else encoding.upper()
    text = f'<?xml version="1.0" encoding="{name}"?>{declared}'
    data = text.encode(encoding)
    assert b"<!DOCTYPE" not in data or encoding == "utf-8"
    # when / then
    with pytest.raises(
        ItemFileError,
        match=rf"A1\.zip: {ITEM}: XML with a document type declaration",
    ):
        read_qti(qti_package(package, {ITEM: data}), source="A1.zip")


def test_a_utf16_item_without_a_doctype_is_read(db: Any, tmp_path: Path) -> None:
    """The encoding itself is fine: the same item in UTF-16 reads as in UTF-8."""
    # given
    package, xml = _item_xml(tmp_path)
    text = xml.replace("encoding='utf-8'", "encoding='UTF-16'", 1)
    assert "UTF-16" in text
    # when
    bundles = read_qti(
        qti_package(package, {ITEM: text.encode("utf-16")}), source="A1.zip"
    )
    # then
    assert bundles[0].items[0].stem == "Stem of A1-001?"
