"""Reading input files: regular files only, never through a link, within limits."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from certwright.itemformats.checking import Problems
from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.images import MAX_IMAGE_BYTES
from certwright.itemformats.text import text_problem


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not read as an input file (None: it is a regular file).
    Links are never followed: a link beside an item file could make the import
    copy any file the operator can read into the media storage."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return _("is a symbolic link (links are not followed)")
    if not stat.S_ISREG(mode):
        return _("is not a regular file")
    return None


def read_limited(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file ``path`` (None: it holds more),
    opened without following a link put there since it was checked."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def images_beside(
    directory: Path | None, names: Iterable[Any], problems: Problems
) -> dict[str, bytes | None]:
    """The image files named, from ``directory``. A name that cannot be read as a
    plain regular file of at most MAX_IMAGE_BYTES maps to None, its reason added to
    ``problems``; a name not there is left out (the item says "not found")."""
    images: dict[str, bytes | None] = {}
    if directory is None:
        return images
    for name in names:
        if (
            not isinstance(name, str)
            or name in images
            or text_problem(name) is not None
            or PurePosixPath(name).name != name
            or name.startswith(".")
        ):
            continue  # the item's own check names what is wrong with it
        path = directory / name
        try:
            why = not_regular(path)
            data = read_limited(path, MAX_IMAGE_BYTES) if why is None else None
            if why is None and data is None:
                why = _("is larger than 2 MB")
        except FileNotFoundError:
            continue
        except OSError as exc:
            data, why = None, exc.strerror or _("cannot be read")
        images[name] = data
        if why is not None:
            problems.add(name, why)
    return images
