"""The certificate is a PDF on the program's paper (US Letter for ASE, A4 when the
program says so) naming the technician, their certification ID, each certification
in force with its dates, the issuer and the day it was made, tagged for screen
readers (PDF/UA: structure tree, marked content, language and title)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from pypdf.generic import NameObject

from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.credentials.models import Certification, TitleHolding
from certwright.program.loader import builtin_path
from certwright.rules.dates import last_valid_day
from tests.support.certificates import (
    A4_PT,
    US_LETTER_PT,
    account_technician,
    page_sizes,
    pdf_reader,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def _download(client: Any, user: Any, kind: str = "certificate") -> bytes:
    client.force_login(user)
    response = client.get(reverse("certificates:download", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return bytes(response.content)


def test_the_certificate_names_the_technician_and_each_certification_with_dates(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Name, certification ID, the tests with their dates, the issuer and the day."""
    # given Casey, certified in A1 and A4
    user, technician = certified
    # when Casey downloads the certificate
    text = pdf_text(_download(client, user))
    # then it prints who, what, from and until when, by whom and when made
    assert "Casey Certified" in text
    assert technician.certification_id in text
    for cert in Certification.objects.filter(technician=technician):
        assert cert.certified_on is not None
        assert cert.valid_through is not None
        line = f"{cert.test} {'Engine Repair' if cert.test == 'A1' else 'Suspension'}"
        assert line in text
        assert cert.certified_on.isoformat() in text
        assert cert.valid_through.isoformat() in text
    assert "National Institute for Automotive Service Excellence" in text
    assert today().isoformat() in text


def test_ase_certificates_are_us_letter_and_tagged(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """US Letter (612 × 792 pt) for ASE; marked, with a structure tree, language
    and title shown instead of the file name."""
    # given
    user, _technician = certified
    # when
    pdf = _download(client, user)
    # then
    assert page_sizes(pdf) == [US_LETTER_PT]
    reader = pdf_reader(pdf)
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert str(root["/Lang"]).startswith("en")
    assert root["/ViewerPreferences"][NameObject("/DisplayDocTitle")]
    assert reader.metadata is not None
    assert reader.metadata.title == "Certificate of Casey Certified"


def test_a_program_on_a4_gets_a4_certificates(
    client: Any, certified: tuple[Any, Technician], tmp_path: Path, settings: Any
) -> None:
    """The paper comes from the program's `[documents] paper`."""
    # given the ASE program with its paper changed to A4
    copy = tmp_path / "ase-a4"
    shutil.copytree(builtin_path("ase"), copy)
    program_toml = copy / "program.toml"
    text = program_toml.read_text(encoding="utf-8")
    assert 'paper = "letter"' in text
    program_toml.write_text(text.replace('paper = "letter"', 'paper = "a4"'))
    settings.CERTWRIGHT_PROGRAM = str(copy)
    user, _technician = certified
    # when
    pdf = _download(client, user)
    # then
    [(width, height)] = page_sizes(pdf)
    assert (round(width, 1), round(height, 1)) == (
        round(A4_PT[0], 1),
        round(A4_PT[1], 1),
    )


def test_titles_held_are_printed_with_their_dates(client: Any, db: None) -> None:
    """A Master Automobile Technician (A1–A8) has the title, its first day and its
    last valid day on the certificate."""
    # given
    tests = tuple(f"A{n}" for n in range(1, 9))
    user, technician = account_technician(
        "Morgan Master", "m@example.com", passed=tests
    )
    # when
    text = pdf_text(_download(client, user))
    # then
    holding = TitleHolding.objects.get(technician=technician, held=True)
    assert holding.since is not None
    through = last_valid_day(holding.until)
    assert through is not None
    assert "Titles held" in text
    assert (
        f"Master Automobile Technician {holding.since.isoformat()} "
        f"{through.isoformat()}"
    ) in text
