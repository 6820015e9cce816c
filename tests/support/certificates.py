"""Certified technicians with accounts, and reading the PDFs a certificate download
gives (pypdf for text and structure, pypdfium2 + zxing-cpp for the QR code)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib.auth import get_user_model
from pypdf import PdfReader

from certwright.candidates.models import Technician
from certwright.candidates.services import experience_record_add, technician_create
from certwright.credentials.services import result_record
from tests.support.dates import ago

# PDF points per millimetre.
PT_PER_MM = 72 / 25.4
US_LETTER_PT = (612.0, 792.0)
A4_PT = (595.28, 841.89)
WALLET_CARD_PT = (85.6 * PT_PER_MM, 53.98 * PT_PER_MM)


def account_technician(
    name: str, email: str, *, passed: tuple[str, ...] = ()
) -> tuple[Any, Technician]:
    """A signed-up technician with ten years of approved experience and a pass,
    a year ago, in each of ``passed`` (so each is a certification in force)."""
    user = get_user_model().objects.create_user(
        username=email, email=email, password=None
    )
    technician = technician_create(name=name, email=email, user_id=user.pk)
    experience_record_add(
        technician_id=technician.pk,
        kind="employment",
        start=ago(years=10),
        approved=True,
    )
    for test in passed:
        pass_record(technician, test)
    return user, technician


def pass_record(technician: Technician, test: str, *, years_ago: int = 1) -> Any:
    return result_record(
        technician_id=technician.pk,
        test=test,
        date=ago(years=years_ago),
        kind="initial",
        outcome="pass",
        source="test",
    )


def pdf_reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_reader(pdf).pages)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (float(page.mediabox.width), float(page.mediabox.height))
        for page in pdf_reader(pdf).pages
    ]


def qr_codes(pdf: bytes, page: int) -> list[str]:
    """The text of every QR code on the page, rendered at 600 dpi as a phone's camera
    would see the printed card."""
    import pypdfium2  # type: ignore[import-untyped]
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=600 / 72).to_pil()
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]
