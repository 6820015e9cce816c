"""What a certificate and a wallet card print, its digest, and the PDF (WeasyPrint,
from Django templates, tagged PDF/UA so a screen reader reads it in order)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from certwright.candidates.models import Technician
from certwright.certificates.models import DocumentKind
from certwright.credentials.models import TitleHolding
from certwright.credentials.selectors import certifications_current
from certwright.program.model import Program
from certwright.rules.dates import last_valid_day

# PDF/UA-1 makes WeasyPrint write a tagged PDF (structure tree, marked content,
# document language and title), as the score report does.
PDF_VARIANT = "pdf/ua-1"

# Part of every digest: a change to the templates' layout bumps it, so stored PDFs
# are made again in the new layout instead of being served as they were.
LAYOUT_VERSION = 2

# How many certifications the wallet card's front lists with their end month.
WALLET_CARD_DATED_MAX = 12

# The public page a share link opens (certwright.verification mounts it).
SHARE_LINK_PATH = "/v/{token}"


@dataclasses.dataclass(frozen=True)
class CertificationLine:
    test: str
    name: str
    certified_on: dt.date | None
    valid_through: dt.date | None


@dataclasses.dataclass(frozen=True)
class TitleLine:
    title_id: str
    name: str
    since: dt.date | None
    # The last day held unless renewed (``TitleHolding.until`` is the first day not).
    valid_through: dt.date | None


@dataclasses.dataclass(frozen=True)
class Standing:
    """What a technician's certificate prints: their certifications in force and
    titles held on ``as_of``, as the derived rows say."""

    technician_id: int
    name: str
    certification_id: str
    as_of: dt.date
    certifications: tuple[CertificationLine, ...]
    titles: tuple[TitleLine, ...]

    @property
    def in_force(self) -> bool:
        return bool(self.certifications or self.titles)


def standing_of(technician: Technician, program: Program, as_of: dt.date) -> Standing:
    """The technician's certifications in force and titles held on ``as_of``."""
    certifications = tuple(
        CertificationLine(
            test=c.test,
            name=program.tests[c.test].name if c.test in program.tests else c.test,
            certified_on=c.certified_on,
            valid_through=c.valid_through,
        )
        for c in certifications_current(on=as_of)
        .filter(technician_id=technician.pk)
        .order_by("test")
    )
    titles = tuple(
        TitleLine(
            title_id=t.title_id,
            name=program.titles[t.title_id].name
            if t.title_id in program.titles
            else t.title_id,
            since=t.since,
            valid_through=last_valid_day(t.until),
        )
        for t in TitleHolding.objects.filter(
            technician_id=technician.pk, held=True
        ).order_by("title_id")
    )
    return Standing(
        technician_id=technician.pk,
        name=technician.name,
        certification_id=technician.certification_id,
        as_of=as_of,
        certifications=certifications,
        titles=titles,
    )


def share_link_url(token: str) -> str:
    """The absolute URL of the share link with this token, on the site URL."""
    return settings.CERTWRIGHT_SITE_URL.rstrip("/") + SHARE_LINK_PATH.format(
        token=token
    )


def document_digest(
    kind: DocumentKind, standing: Standing, program: Program, link_url: str = ""
) -> str:
    """The SHA-256 of everything the document prints but the day it was made: the
    same digest, the same document."""
    certifications = [
        [c.test, c.name, _iso(c.certified_on), _iso(c.valid_through)]
        for c in standing.certifications
    ]
    titles = [
        [t.title_id, t.name, _iso(t.since), _iso(t.valid_through)]
        for t in standing.titles
    ]
    state = {
        "layout": LAYOUT_VERSION,
        "kind": str(kind),
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "name": standing.name,
        "certification_id": standing.certification_id,
        "program": [program.name, program.body, program.documents.paper],
        "certifications": certifications,
        "titles": titles,
        "link": link_url,
    }
    encoded = json.dumps(state, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def qr_svg_data_uri(url: str) -> str:
    """The URL as a QR code, an SVG data URI: vector, so it prints sharp at any
    size. Error correction M survives a scuffed wallet card."""
    return str(segno.make_qr(url, error="m").svg_data_uri(border=2))


def _context(standing: Standing, program: Program, made_on: dt.date) -> dict[str, Any]:
    return {
        "standing": standing,
        "program_name": program.name,
        "program_body": program.body,
        "paper": program.documents.paper,
        "made_on": made_on,
        "verify_url": settings.CERTWRIGHT_SITE_URL.rstrip("/") + "/verify/",
        "language": translation.get_language() or settings.LANGUAGE_CODE,
    }


def certificate_html(standing: Standing, program: Program, made_on: dt.date) -> str:
    return render_to_string(
        "certificates/certificate_pdf.html", _context(standing, program, made_on)
    )


def wallet_card_html(
    standing: Standing, program: Program, made_on: dt.date, link_url: str
) -> str:
    return render_to_string(
        "certificates/wallet_card_pdf.html",
        {
            **_context(standing, program, made_on),
            "link_url": link_url,
            "qr": qr_svg_data_uri(link_url),
            # Each test's end month fits on the front for a dozen; past that, the
            # codes alone (the dates are on the certificate and the linked page).
            "with_dates": len(standing.certifications) <= WALLET_CARD_DATED_MAX,
        },
    )


def pdf_from_html(html: str) -> bytes:
    """The HTML laid out as a tagged PDF."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, base_url=settings.CERTWRIGHT_SITE_URL)
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
