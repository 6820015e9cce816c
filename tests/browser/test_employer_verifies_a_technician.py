"""An employer (an anonymous visitor) verifies a technician by certification ID and
last name, then by the technician's share link; the technician revokes the link and
the next visit is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import page_factory
from tests.support.scheduling import user_create
from tests.support.verification import certified_technician

from .proof_steps import (
    share_link_make,
    share_link_withdraw,
    verify_by_id_and_last_name,
)
from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_by_id_and_name_then_by_share_link_then_revoked(
    browser: Any, live_server: Any, phone: Any, shoot: Any
) -> None:
    # given Ana, certified in A1 and A4, with an account
    user = user_create("ana@example.com")
    ana = certified_technician(
        "Ana García", tests=("A1", "A4"), user_id=user.pk, email=user.email
    )
    with page_factory(browser, live_server.url, timeout_ms=15_000) as new_page:
        employer = new_page()
        # when the employer follows the home page's link and types her ID and name
        answer = verify_by_id_and_last_name(employer, ana.certification_id, "garcia")
        # then Ana's certifications in force are shown
        assert "Ana García" in answer.inner_text()
        assert answer.get_by_text("In force").count() == 2

        # when Ana makes a share link on her page, reached from her dashboard
        sign_in(phone, user, live_server.url)
        link = share_link_make(phone, "Main Street Garage")
        shoot(phone, "share-links")

        # then the employer opens it: her certifications and a QR code, no name typed
        employer.goto(link)
        assert "Ana García" in employer.locator("main").inner_text()
        assert employer.locator(".qr-code svg").count() == 1

        # when Ana revokes it
        share_link_withdraw(phone, "Main Street Garage")
        # then the employer's next visit is refused, with nothing about Ana
        response = employer.goto(link)
        assert response is not None
        assert response.status == 404
        text = employer.locator("main").inner_text()
        assert "no longer valid" in text
        assert "Ana" not in text
