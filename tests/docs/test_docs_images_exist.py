"""Every picture the docs show is in the repository (a renamed or forgotten
screenshot is a broken image on GitHub and in an operator's editor), and
docs/portal.md shows the front door and each role's landing page."""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def test_every_image_in_the_docs_exists():
    missing = [
        f"{page.name}: {target}"
        for page in DOCS.glob("*.md")
        for target in IMAGE.findall(page.read_text(encoding="utf-8"))
        if not target.startswith(("http://", "https://"))
        and not (page.parent / target).is_file()
    ]
    assert missing == []


def test_the_portal_guide_shows_each_roles_landing_page():
    shown = set(IMAGE.findall((DOCS / "portal.md").read_text(encoding="utf-8")))
    for name in (
        "front-door",
        "candidate-landing",
        "employer-landing",
        "staff-landing",
    ):
        assert any(name in target for target in shown), name
    assert any("proctor-landing" in target for target in shown)
    for target in shown:
        assert target.endswith(".png")
        assert target.startswith("img/")
