"""The score-report PDF is one page on the program's paper (US Letter for ASE), headed
by the program and its body once, with the footer in the page margin instead of on a
page of its own, each "right / of" figure on one line, and tagged (PDF/UA) so a
screen reader can read it."""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_submit
from certwright.delivery.models import Attempt
from certwright.delivery.reports import report_document
from tests.support.delivery import KEYS, SEATS, form_items, save

pytestmark = pytest.mark.django_db

# The A1 (2026) content areas, with a result in each as a real sitting gives it.
A1_AREAS = [
    ("A", "General Engine Diagnosis", 16, 18),
    ("B", "Cylinder Head & Valve Train Diagnosis & Repair", 5, 6),
    ("C", "Engine Block Diagnosis & Repair", 3, 4),
    ("D", "Lubrication & Cooling Systems", 6, 8),
    (
        "E",
        "Fuel, Electrical, Ignition, Air Induction, and Exhaust Systems Inspection "
        "and Service",
        7,
        9,
    ),
]
US_LETTER_PT = (612, 792)


@pytest.fixture
def submitted(started: Attempt, candidate: Any) -> Attempt:
    items = form_items(started)
    for seq, code in enumerate(["A1-001", "A1-002", "A1-003"], start=1):
        save(started, items[code], seq=seq, choice=KEYS[code])
    attempt = attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )
    attempt.area_scores = [
        {"code": code, "name": name, "raw": raw, "of": of}
        for code, name, raw, of in A1_AREAS
    ]
    attempt.save(update_fields=["area_scores"])
    return attempt


def _inflated(pdf: bytes) -> bytes:
    """The PDF with every compressed stream (object streams included) inflated, so
    its dictionaries can be read."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _texts(box: Any) -> list[str]:
    """The text of every line fragment laid out under ``box``."""
    out = []
    if getattr(box, "text", None):
        out.append(box.text)
    for child in getattr(box, "children", ()):
        out.extend(_texts(child))
    return out


def test_the_pdf_is_one_us_letter_page_headed_by_the_program(
    client: Any, submitted: Attempt, candidate: Any
) -> None:
    """One US Letter page; the header names the program and body once, and the
    footer (attempt and address) is on that page."""
    # when
    document = report_document(submitted)
    # then
    assert len(document.pages) == 1
    page = document.pages[0]
    # WeasyPrint measures in CSS pixels: 96 per inch, 72 points per inch.
    assert (round(page.width * 72 / 96), round(page.height * 72 / 96)) == US_LETTER_PT
    texts = _texts(page._page_box)
    assert "Certwright · Certwright" not in " ".join(texts)
    assert any(
        "ASE Certification · National Institute for Automotive Service Excellence"
        in text
        for text in texts
    )
    assert any(f"Attempt {submitted.pk}" in text for text in texts)


def test_each_area_figure_stays_on_one_line(submitted: Attempt) -> None:
    """ "16 / 18" and the other right-of figures are each laid out as one line."""
    # when
    texts = _texts(report_document(submitted).pages[0]._page_box)
    # then
    for _code, _name, raw, of in A1_AREAS:
        assert f"{raw} / {of}" in texts, texts


def test_the_downloaded_pdf_is_tagged_letter_with_its_language(
    client: Any, submitted: Attempt, candidate: Any
) -> None:
    """The PDF the candidate downloads is marked and has a structure tree (PDF/UA),
    a document language and a US Letter media box."""
    # given
    client.force_login(candidate.user)
    # when
    pdf = client.get(reverse("delivery:report_pdf", args=[submitted.pk])).content
    # then
    text = _inflated(pdf)
    assert b"/StructTreeRoot" in text
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", text)
    assert b"/Lang" in text
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+612(\.0+)?\s+792(\.0+)?\s*\]", text)
    assert b"pdfuaid" in text
