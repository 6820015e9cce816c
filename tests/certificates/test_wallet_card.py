"""The wallet card is two pages (front and back) of a payment card's size, 85.6 ×
53.98 mm, whose QR code decodes to the technician's share link labelled "Wallet
card", made once and reused; a revoked one is replaced on the next card."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.certificates.services import wallet_card_link
from certwright.core.program import current_program
from certwright.verification.models import ShareLink
from certwright.verification.services import share_link_revoke
from tests.support.certificates import (
    WALLET_CARD_PT,
    account_technician,
    page_sizes,
    pdf_text,
    qr_codes,
)
from tests.support.racing import at_once

pytestmark = pytest.mark.django_db


def _wallet_card(client: Any) -> bytes:
    response = client.get(reverse("certificates:download", args=["wallet-card"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return bytes(response.content)


def test_the_card_is_front_and_back_of_card_size(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Two pages, each 85.6 × 53.98 mm; the front names the holder and the tests."""
    # given
    user, technician = certified
    client.force_login(user)
    # when
    pdf = _wallet_card(client)
    # then
    sizes = page_sizes(pdf)
    assert len(sizes) == 2
    for width, height in sizes:
        assert width == pytest.approx(WALLET_CARD_PT[0], abs=0.1)
        assert height == pytest.approx(WALLET_CARD_PT[1], abs=0.1)
    text = pdf_text(pdf)
    assert "Casey Certified" in text
    assert technician.certification_id in text
    assert "A1" in text
    assert "A4" in text


def test_the_qr_code_opens_the_wallet_card_share_link(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """The back's QR code decodes to /v/<token> on the site URL, for an active link
    labelled "Wallet card"; a second card reuses it."""
    # given
    user, technician = certified
    client.force_login(user)
    # when the card is downloaded twice
    pdf = _wallet_card(client)
    _wallet_card(client)
    # then one link was made, and the QR code on the back opens it
    link = ShareLink.objects.get(technician=technician)
    assert link.label == "Wallet card"
    assert link.revoked_at is None
    assert qr_codes(pdf, 1) == [f"http://testserver/v/{link.token}"]


def test_a_revoked_wallet_card_link_is_replaced_on_the_next_card(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """After the technician revokes the card's link, the next card is made again
    with a new link: a printed code that no longer answers is not served again."""
    # given a card, and its link revoked
    user, technician = certified
    client.force_login(user)
    _wallet_card(client)
    old = ShareLink.objects.get(technician=technician)
    share_link_revoke(link_id=old.pk)
    # when
    pdf = _wallet_card(client)
    # then
    new = ShareLink.objects.get(technician=technician, revoked_at__isnull=True)
    assert new.pk != old.pk
    assert new.label == "Wallet card"
    assert qr_codes(pdf, 1) == [f"http://testserver/v/{new.token}"]


def test_a_technician_certified_in_every_test_still_gets_two_sides(
    client: Any, db: None
) -> None:
    """However many certifications and titles, the card stays front and back: the
    front is clipped to the card rather than spilling onto a third page."""
    # given a technician with a pass in every test of the program
    tests = sorted(current_program().tests)
    assert len(tests) > 30
    user, _technician = account_technician(
        "Maximilian Everything-Certified", "max@example.com", passed=tuple(tests)
    )
    client.force_login(user)
    # when
    pdf = _wallet_card(client)
    # then
    assert len(page_sizes(pdf)) == 2
    assert qr_codes(pdf, 1)


def test_two_first_cards_at_once_make_one_wallet_card_link(
    racing_database: None,
) -> None:
    """A double click on the first download: two requests ask for the wallet card
    link at the same moment; one link is made and both get it."""
    # given a certified technician with no link yet (in the racing database)
    _user, technician = account_technician(
        "Riley Racing", "riley@example.com", passed=("A1",)
    )
    # when two threads ask at once
    got = at_once(lambda: wallet_card_link(technician.pk).pk)
    # then both have the same, only, link
    assert len(got) == 2, got
    assert all(isinstance(g, int) for g in got), got
    assert len(set(got)) == 1
    assert ShareLink.objects.filter(technician=technician).count() == 1
