"""Whoever holds a technician's share link (an employer) downloads the wallet card
from /v/<token>/wallet-card.pdf: its QR code opens that same link, a revoked or
unknown token gets the share-link page's own 404, the card is made once per link
and state and then served stored, and a link to nothing in force gets a clear 404
instead of an empty card."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.certificates.models import CertificateFile, DocumentKind
from certwright.credentials.recompute import technician_recompute
from certwright.verification.models import ShareLink
from certwright.verification.services import share_link_create, share_link_revoke
from tests.support.certificates import (
    WALLET_CARD_PT,
    account_technician,
    page_sizes,
    pass_record,
    pdf_text,
    qr_codes,
)

pytestmark = pytest.mark.django_db

# The page's CSRF token is masked afresh on every response.
_CSRF = re.compile(r'"X-CSRFToken": "[^"]*"')


def _link(technician: Technician, label: str = "Main Street Garage") -> ShareLink:
    return share_link_create(technician_id=technician.pk, label=label)


def _card_url(link: ShareLink) -> str:
    return reverse("certificates:share_wallet_card", args=[link.token])


def _card_of(technician: Technician) -> list[CertificateFile]:
    return list(
        CertificateFile.objects.filter(
            technician=technician, kind=DocumentKind.WALLET_CARD
        )
    )


def test_the_url_lives_under_the_share_link() -> None:
    assert reverse("certificates:share_wallet_card", args=["abc"]) == (
        "/v/abc/wallet-card.pdf"
    )


def test_an_anonymous_holder_gets_the_card_with_that_links_qr_code(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Signed out, the link's holder gets a card-sized PDF naming the technician,
    whose QR code and printed URL are the link they hold: not the technician's own
    "Wallet card" link, which is neither made nor shown."""
    # given Casey's link for an employer
    _user, casey = certified
    link = _link(casey)
    # when the employer, signed out, downloads the card
    response = client.get(_card_url(link))
    # then a PDF attachment, never kept by a shared cache
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="wallet-card-{casey.certification_id}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    pdf = bytes(response.content)
    assert [round(w, 1) for w, _h in page_sizes(pdf)] == [
        round(WALLET_CARD_PT[0], 1)
    ] * 2
    text = pdf_text(pdf)
    assert "Casey Certified" in text
    assert casey.certification_id in text
    url = f"http://testserver/v/{link.token}"
    assert qr_codes(pdf, 1) == [url]
    assert url in text.replace("\n", "")
    # and the technician's own wallet-card link was not made behind their back
    assert list(ShareLink.objects.filter(technician=casey)) == [link]


def test_two_links_print_two_different_codes(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Each holder's card opens their own link, so one can be revoked alone."""
    # given two links of Casey's
    _user, casey = certified
    first, second = _link(casey, "Garage One"), _link(casey, "Garage Two")
    # when
    one = bytes(client.get(_card_url(first)).content)
    two = bytes(client.get(_card_url(second)).content)
    # then
    assert qr_codes(one, 1) == [f"http://testserver/v/{first.token}"]
    assert qr_codes(two, 1) == [f"http://testserver/v/{second.token}"]
    assert len(_card_of(casey)) == 2


def test_a_revoked_link_gets_the_same_404_as_an_unknown_one(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Revoked, unknown and overlong tokens answer alike, and like the share-link
    page itself: nothing says whose link it was, and no card is made."""
    # given a link Casey revoked
    _user, casey = certified
    link = _link(casey)
    share_link_revoke(link_id=link.pk)
    # when
    revoked = client.get(_card_url(link))
    unknown = client.get(
        reverse("certificates:share_wallet_card", args=["x" * len(link.token)])
    )
    overlong = client.get(reverse("certificates:share_wallet_card", args=["y" * 40]))
    page = client.get(reverse("verification:share_link", args=[link.token]))
    # then
    assert revoked.status_code == unknown.status_code == overlong.status_code == 404
    bodies = {
        _CSRF.sub("", r.content.decode()) for r in (revoked, unknown, overlong, page)
    }
    assert len(bodies) == 1
    assert "Casey" not in revoked.content.decode()
    assert _card_of(casey) == []


def test_revoking_after_a_download_cuts_the_holder_off(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """The stored card is not served once its link is revoked."""
    # given a card downloaded through a link
    _user, casey = certified
    link = _link(casey)
    assert client.get(_card_url(link)).status_code == 200
    # when Casey revokes the link
    share_link_revoke(link_id=link.pk)
    # then
    assert client.get(_card_url(link)).status_code == 404


def test_the_second_download_serves_the_stored_card(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Anonymous visitors cannot make the server lay out a card on every request:
    one is made per link and state, stored with an audit event, then served."""
    # given a first download
    _user, casey = certified
    link = _link(casey)
    first = bytes(client.get(_card_url(link)).content)
    [stored] = _card_of(casey)
    # when it is downloaded again
    second = bytes(client.get(_card_url(link)).content)
    # then the stored bytes, not a second layout
    assert second == first
    [again] = _card_of(casey)
    assert again.pk == stored.pk
    assert again.made_at == stored.made_at
    assert again.share_link_id == link.pk
    events = Event.objects.filter(kind=EventKind.CERTIFICATE_MADE)
    assert events.count() == 1
    assert events.get().data["share_link"] == link.pk


def test_a_new_certification_makes_the_links_card_again(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """The stored card is keyed by state too: a new pass shows on the next one."""
    # given a card made before a pass in A5
    _user, casey = certified
    link = _link(casey)
    assert "A5" not in pdf_text(bytes(client.get(_card_url(link)).content))
    pass_record(casey, "A5")
    # when
    again = bytes(client.get(_card_url(link)).content)
    # then the card is made again, in place of the old one
    assert "A5" in pdf_text(again)
    [stored] = _card_of(casey)
    assert bytes(stored.pdf) == again
    assert Event.objects.filter(kind=EventKind.CERTIFICATE_MADE).count() == 2


def test_the_technicians_own_card_is_kept_apart(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """The technician's own card (their "Wallet card" link) and a holder's card
    are stored side by side, neither replacing the other."""
    # given Casey's own card and a holder's
    user, casey = certified
    link = _link(casey)
    holders = bytes(client.get(_card_url(link)).content)
    client.force_login(user)
    own = bytes(
        client.get(reverse("certificates:download", args=["wallet-card"])).content
    )
    # then two stored cards with different codes
    own_link = ShareLink.objects.get(technician=casey, label="Wallet card")
    assert qr_codes(own, 1) == [f"http://testserver/v/{own_link.token}"]
    assert qr_codes(holders, 1) == [f"http://testserver/v/{link.token}"]
    assert {c.share_link_id for c in _card_of(casey)} == {None, link.pk}


def test_a_link_to_nothing_in_force_gets_a_clear_404(client: Any, db: None) -> None:
    """A working link whose technician has nothing in force: the share-link page
    offers no card, and the card URL explains why instead of an empty card."""
    # given Nolan, who passed nothing, and his link
    _user, nolan = account_technician("Nolan None", "nolan@example.com")
    link = _link(nolan)
    # when
    page = client.get(reverse("verification:share_link", args=[link.token]))
    response = client.get(_card_url(link))
    # then
    assert page.status_code == 200
    assert _card_url(link) not in page.content.decode()
    assert response.status_code == 404
    body = response.content.decode()
    assert "no certification in force" in body
    assert reverse("verification:share_link", args=[link.token]) in body
    assert _card_of(nolan) == []


def test_the_share_link_page_offers_the_card(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    # given Casey's link, her passes derived as the after-commit recompute would
    _user, casey = certified
    technician_recompute(technician_id=casey.pk)
    link = _link(casey)
    # when
    page = client.get(reverse("verification:share_link", args=[link.token]))
    # then
    assert f'href="{_card_url(link)}"' in page.content.decode()
