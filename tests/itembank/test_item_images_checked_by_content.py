"""An item image is accepted only as a whole PNG, JPEG, GIF or WebP named for its
format, read from a regular file (never through a link); anything else is refused
with the file, item and reason, and nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certwright.itembank.admin import ContentForm
from certwright.itembank.item_files import items_import, read_path, read_qti, write_qti
from certwright.itembank.models import ItemVersion
from certwright.itemformats import ItemFileError
from tests.itembank.import_files import (
    document,
    item,
    png,
    qti_package,
    stored,
    write_json,
)

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)'
    b"</script></svg>"
)


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="JPEG")
    return out.getvalue()


def _import(path: Path) -> None:
    items_import(read_path(path), actor="test", source=path.name)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("fig.svg", SVG, "field image must be a plain file name ending in .png"),
        ("fig.png", b"<html><script>alert(1)</script></html>", "not a PNG, JPEG"),
        ("fig.png", _jpeg(), "fig.png is a JPEG image, but its name ends in .png"),
        ("fig.png", png()[:-20], "not a PNG, JPEG"),
        ("fig.png", png((5000, 4000)), "5000 × 4000 pixels, more than 16000000"),
    ],
)
def test_an_image_that_is_not_a_whole_raster_image_is_refused(
    db: Any, tmp_path: Path, media: Path, name: str, data: bytes, expected: str
) -> None:
    """SVG (scripts), HTML named .png, a JPEG named .png, a truncated PNG and a
    bitmap too large to decode are refused, naming the item; nothing is stored."""
    # given
    (tmp_path / name).write_bytes(data)
    path = write_json(tmp_path, document(item("A1-001", image=name)))
    before = stored()
    # when
    with pytest.raises(ItemFileError) as refused:
        _import(path)
    # then
    assert "A1.json: item A1-001: field image" in refused.value.message
    assert expected in refused.value.message
    assert stored() == before
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_whole_png_is_stored_as_it_came(db: Any, tmp_path: Path) -> None:
    """A real PNG beside the file is stored with the item, byte for byte."""
    # given
    (tmp_path / "fig.png").write_bytes(png())
    path = write_json(tmp_path, document(item("A1-001", image="fig.png")))
    # when
    _import(path)
    # then
    version = ItemVersion.objects.get(item__code="A1-001")
    with version.image.open("rb") as handle:
        assert handle.read() == png()


def test_a_link_beside_the_file_is_not_followed(
    db: Any, tmp_path: Path, media: Path
) -> None:
    """An image that is a symbolic link (to a valid PNG elsewhere) is refused as a
    link: the import never copies a file a link points at."""
    # given
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.png").write_bytes(png())
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "fig.png").symlink_to(elsewhere / "secret.png")
    path = write_json(bank, document(item("A1-001", image="fig.png")))
    before = stored()
    # when
    with pytest.raises(ItemFileError) as refused:
        _import(path)
    # then
    assert "fig.png: is a symbolic link (links are not followed)" in str(
        refused.value.message
    )
    assert stored() == before
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_linked_item_file_in_a_directory_is_not_followed(
    db: Any, tmp_path: Path
) -> None:
    """A directory import lists its files; one that is a link is refused."""
    # given
    good = write_json(tmp_path, document(), name="source.json")
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "A1.json").symlink_to(good)
    before = stored()
    # when
    with pytest.raises(ItemFileError, match=r"A1\.json: is a symbolic link"):
        _import(bank)
    # then
    assert stored() == before


def test_an_svg_in_a_qti_package_is_refused(db: Any, tmp_path: Path) -> None:
    """A QTI item whose figure is an SVG with a script is refused."""
    # given a package with a real PNG figure, then that figure swapped for an SVG
    (tmp_path / "fig.png").write_bytes(png())
    bundles = read_path(write_json(tmp_path, document(item("A1-001", image="fig.png"))))
    package = write_qti(bundles)
    bad = qti_package(package, {"images/A1/fig.png": SVG})
    # when / then
    with pytest.raises(
        ItemFileError, match=r"item A1-001: field image: fig\.png is not"
    ):
        read_qti(bad, source="A1.zip")
    assert read_qti(package, source="A1.zip")[0].images == {"fig.png": png()}


def test_the_admin_refuses_a_page_uploaded_as_an_image(make_version: Any) -> None:
    """Editing an item in the admin, an HTML file named .png is refused by the same
    check; a real PNG passes."""
    # given
    version = make_version("A1-001")
    data = {
        "stem": version.stem,
        "rationale": "",
        "area": "A",
        "task": "",
        "option_a": "a",
        "option_b": "b",
        "option_c": "c",
        "option_d": "d",
        "key": "1",
    }

    def form(name: str, content: bytes) -> ContentForm:
        upload = SimpleUploadedFile(name, content, content_type="image/png")
        return ContentForm(data=data, files={"image": upload}, instance=version)

    # when
    html = form("fig.png", b"<html><script>alert(1)</script></html>")
    real = form("fig.png", png())
    # then
    assert not html.is_valid()
    assert "not a PNG, JPEG, GIF or WebP image" in str(html.errors["image"])
    assert real.is_valid(), real.errors
