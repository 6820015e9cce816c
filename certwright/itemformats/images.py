"""Item images (figures beside a stem), checked by what they contain.

A figure reaches every candidate's browser from the media storage, so a file is
accepted only when Pillow decodes it, whole, as one of the raster formats below and
its name says that format. SVG is refused rather than sanitised: it is a document
that can carry scripts and external references, and no item needs a vector figure
that a PNG cannot show. docs/item-bank.md states the rules.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from certwright.itemformats.i18n import gettext as _

# Pillow's format name -> the file-name suffixes that announce it.
IMAGE_FORMATS: dict[str, tuple[str, ...]] = {
    "PNG": (".png",),
    "JPEG": (".jpg", ".jpeg"),
    "GIF": (".gif",),
    "WEBP": (".webp",),
}
IMAGE_SUFFIXES = tuple(s for suffixes in IMAGE_FORMATS.values() for s in suffixes)
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Decoded size bound (width × height), checked from the header before any pixel is
# decoded: a small compressed file can hold a huge bitmap. 16 megapixels is a
# 4000 × 4000 figure, far more than a screen shows.
MAX_IMAGE_PIXELS = 16_000_000


def image_problem(name: str, data: bytes) -> str | None:
    """What is wrong with ``data`` as the item image called ``name`` (None: it is a
    whole PNG, JPEG, GIF or WebP image, within the limits, named for its format)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in IMAGE_SUFFIXES:
        return _("%(f)s: only %(s)s images are accepted") % {
            "f": name,
            "s": ", ".join(IMAGE_SUFFIXES),
        }
    if len(data) > MAX_IMAGE_BYTES:
        return _("%(f)s is larger than 2 MB") % {"f": name}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return _("%(f)s is %(w)d × %(h)d pixels, more than %(n)d") % {
                        "f": name,
                        "w": width,
                        "h": height,
                        "n": MAX_IMAGE_PIXELS,
                    }
                image.verify()  # the file's structure to its end (PNG: every CRC)
            # verify() leaves the image unusable; decoding needs a fresh one.
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                image.load()  # every pixel: a damaged stream fails here
    # Pillow reports a damaged file with whatever its decoder hit (OSError,
    # SyntaxError, ValueError, struct.error, EOFError, ...): any of them means
    # "not a whole image".
    except Exception:
        return _("%(f)s is not a PNG, JPEG, GIF or WebP image") % {"f": name}
    if suffix not in IMAGE_FORMATS.get(kind, ()):
        return _("%(f)s is a %(k)s image, but its name ends in %(s)s") % {
            "f": name,
            "k": kind,
            "s": suffix,
        }
    return None
