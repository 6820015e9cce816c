"""The psychometrics guide is a page linked from /scoring/, for program staff only,
rendered from docs/psychometrics.md with raw HTML escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from certwright.scoring import guides


@pytest.mark.django_db
def test_the_scoring_page_links_the_guide_and_the_guide_renders(client, program_staff):
    """/scoring/ links to the guide; the guide shows docs/psychometrics.md's
    headings and tables as HTML, not the file's name as text."""
    client.force_login(program_staff)
    staff_client = client
    index = staff_client.get(reverse("scoring:index")).content.decode()
    assert f'href="{reverse("scoring:guide")}"' in index
    assert "docs/psychometrics.md" not in index
    page = staff_client.get(reverse("scoring:guide"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Psychometrics: what the statistics mean" in html
    assert "<table>" in html


@pytest.mark.django_db
def test_the_guide_is_for_program_staff_only(client, candidate_user):
    """A signed-in candidate gets 403; a signed-out visitor goes to sign in."""
    url = reverse("scoring:guide")
    assert client.get(url).status_code == 302
    client.force_login(candidate_user)
    assert client.get(url).status_code == 403


def test_raw_html_in_a_guide_is_escaped(tmp_path: Path, settings):
    """A guide that holds a <script> shows it as text."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "psychometrics.md").write_text(
        "# Title\n\n<script>alert(1)</script>\n", encoding="utf-8"
    )
    settings.BASE_DIR = tmp_path
    html = guides.guide_html("psychometrics")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_a_missing_guide_is_named(tmp_path: Path, settings):
    settings.BASE_DIR = tmp_path
    with pytest.raises(guides.GuideMissing, match=r"psychometrics\.md"):
        guides.guide_html("psychometrics")
