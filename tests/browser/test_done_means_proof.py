"""Done means (issue 11), the whole story in one test: an employer verifies a
technician by certification ID and last name, then by the technician's share link,
and downloads the wallet card; the technician downloads a signed credential (the
outside verifier accepts it), revokes the link, and the employer's next visit is
refused; a shop becomes recognised on the finder when its technicians'
certifications reach the rule.

The employer is a signed-out desktop browser; the technician is on her phone. The
site URL is the live server's, so the issuer's did:web, the status list and the
wallet card's QR code all resolve to it, as they would to the real site.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from certwright.badges.models import SigningKey
from tests.support.badges import VERIFIER, verify
from tests.support.browser import page_factory
from tests.support.certificates import pdf_text, qr_codes
from tests.support.dates import ago
from tests.support.scheduling import user_create
from tests.support.shops import employ, passes_record, shop_make, technician_make
from tests.support.verification import certified_technician

from .proof_steps import (
    download,
    finder_search,
    my_credentials_open,
    share_link_make,
    share_link_withdraw,
    verify_by_id_and_last_name,
)
from .signing_in import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    # Links, the issuer's DID and the status list are then on the live server.
    settings.CERTWRIGHT_SITE_URL = live_server.url
    return str(live_server.url)


def test_employer_verifies_technician_proves_shop_is_recognised(
    browser: Any,
    site: str,
    phone: Any,
    shoot: Any,
    issuer_key: SigningKey,
    tmp_path: Path,
) -> None:
    if not (VERIFIER / "node_modules").is_dir():
        pytest.fail("tools/vc-verify has no node_modules: run `make install` (npm ci)")
    # given Ana, certified in A1 (engine) and A4 (suspension), with an account
    user = user_create("ana@example.com")
    ana = certified_technician(
        "Ana García", tests=("A1", "A4"), user_id=user.pk, email=user.email
    )
    with page_factory(browser, site, timeout_ms=15_000) as new_page:
        employer = new_page()

        # --- The employer verifies Ana by certification ID and last name.
        answer = verify_by_id_and_last_name(employer, ana.certification_id, "garcia")
        expect(answer).to_contain_text("Ana García")
        expect(answer.get_by_text("In force")).to_have_count(2)

        # --- Ana makes a share link for the employer on her phone.
        sign_in(phone, user, site)
        link = share_link_make(phone, "Main Street Garage")
        assert link.startswith(f"{site}/v/")

        # --- The employer opens it: her certifications and a QR code, no name typed.
        employer.goto(link)
        main = employer.locator("main")
        expect(main).to_contain_text("Ana García")
        expect(employer.locator(".qr-code svg")).to_have_count(1)

        # --- and downloads her wallet card from that page.
        card_path = download(
            employer,
            employer.get_by_role("link", name="Download the wallet card (PDF)"),
            tmp_path,
        )
        assert card_path.name == f"wallet-card-{ana.certification_id}.pdf"
        card = card_path.read_bytes()
        assert card.startswith(b"%PDF-")
        card_text = pdf_text(card)
        assert "Ana García" in card_text
        assert ana.certification_id in card_text
        # Its QR code opens the link the employer holds, nothing else of Ana's.
        assert qr_codes(card, 1) == [link]

        # --- Ana downloads a signed credential, and an outside verifier accepts it.
        cards = my_credentials_open(phone)
        expect(cards).to_have_count(2)
        saved = download(
            phone, cards.nth(0).get_by_role("link", name="Download"), tmp_path
        )
        assert saved.name == "A1.json"
        credential = json.loads(saved.read_text())
        assert credential["name"] == "A1 Engine Repair"
        assert verify(credential, tmp_path) == {
            "verified": True,
            "revoked": False,
            "error": None,
        }

        # --- Ana revokes the employer's link.
        share_link_withdraw(phone, "Main Street Garage")
        shoot(phone, "link-revoked")

        # --- The employer's next visit is refused, with nothing about Ana; the
        # wallet card behind the link is refused alike.
        response = employer.goto(link)
        assert response is not None
        assert response.status == 404
        expect(main).to_contain_text("no longer valid")
        assert "Ana" not in main.inner_text()
        refused_card = employer.request.get(f"{link}/wallet-card.pdf")
        assert refused_card.status == 404
        assert "Ana" not in refused_card.text()

        # --- A shop: Main Street Garage offers brakes and employs Ana and Rae,
        # who is not certified: one of two (under three quarters), brakes not
        # covered, so the finder shows it with the sign only.
        shop = shop_make(
            "Main Street Garage", zip_code="97201", city="Portland", areas=["brakes"]
        )
        rae = technician_make("Rae Brakes")
        employ(shop, ana)
        employ(shop, rae)
        finder_search(employer, "97201")
        entry = employer.locator(".shop-entry", has_text="Main Street Garage")
        expect(entry).to_contain_text("ASE certified technicians on staff")
        expect(entry).to_contain_text("1 certified technician")
        expect(entry).not_to_contain_text("Blue Seal")

        # when Rae passes A5 (brakes) and it is derived, as after the results import
        passes_record(rae, ["A5"], on=ago(months=1))
        employer.reload()
        # then two of two are certified and brakes are covered: the Blue Seal
        expect(entry).to_contain_text("Blue Seal of Excellence")
        expect(entry).to_contain_text("2 certified technicians")
        # nobody agreed to be named
        expect(entry).not_to_contain_text("Ana García")
        expect(entry).not_to_contain_text("Rae Brakes")
