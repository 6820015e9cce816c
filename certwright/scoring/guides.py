"""Operator guides from ``docs/`` rendered as pages for program staff.

The guide stays one Markdown file in ``docs/`` (read on GitHub, in an editor, or
here); markdown-it-py renders it with raw HTML escaped, so a guide can never put
markup or script on a staff page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# The guides a page may show, by name: nothing else under docs/ is served.
GUIDES = {"psychometrics": "psychometrics.md"}


class GuideMissing(LookupError):
    """The guide's file is not on this installation."""


def _path(name: str) -> Path:
    return Path(settings.BASE_DIR) / "docs" / GUIDES[name]


@cache
def _render(path: Path, mtime_ns: int) -> str:
    # Cached per file version: an edited guide shows on the next request.
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    return parser.render(path.read_text(encoding="utf-8"))


def guide_html(name: str) -> SafeString:
    """The guide as HTML; GuideMissing names the file when it is not installed."""
    path = _path(name)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise GuideMissing(f"The guide {path} is not installed.") from None
    return mark_safe(_render(path, mtime))  # raw HTML is escaped by the parser
