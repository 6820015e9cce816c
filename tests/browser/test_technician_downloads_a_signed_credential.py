"""On a phone, a certified technician goes from the dashboard to her signed
credentials and downloads one: the file is the signed credential, and it verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from certwright.badges.models import SigningKey
from certwright.badges.selectors import did_document
from certwright.vc.verify import credential_verify
from tests.support.badges import certified_candidate

from .proof_steps import download, my_credentials_open
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_from_the_dashboard_on_a_phone(
    phone: Any, live_server: Any, shoot: Any, issuer_key: SigningKey, tmp_path: Path
) -> None:
    # given a technician certified in A1 and A4
    technician = certified_candidate("Phone Holder", ("A1", "A4"))
    assert technician.user is not None

    # when she follows the dashboard's link to her signed credentials
    sign_in(phone, technician.user, live_server.url)
    cards = my_credentials_open(phone)
    shoot(phone, "signed-credentials")

    # then each certification is listed, and nothing is wider than the phone
    assert cards.count() == 2
    # with the last day valid, as every page shows it (the day before validUntil)
    cert = technician.certifications.get(test="A1")
    assert cert.valid_through is not None
    assert f"Valid through {cert.valid_through:%Y-%m-%d}" in cards.nth(0).inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"]

    # and the A1 download is the signed credential, which verifies
    saved = download(phone, cards.nth(0).get_by_role("link", name="Download"), tmp_path)
    assert saved.name == "A1.json"
    document = json.loads(saved.read_text())
    assert document["name"] == "A1 Engine Repair"
    credential_verify(document, did_document())
