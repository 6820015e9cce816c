"""An employer, on a phone, filters the roster to those expiring soon, and turns the
weekly digest on."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.accounts.models import OrganizationWatch
from certwright.credentials.models import CertificationStatus
from tests.support.browser import PHONE, axe_violations, sign_in
from tests.support.employers import certification_put, employer, sharing_technician

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_employer_filters_the_roster_and_turns_the_digest_on_from_a_phone(
    browser: Any, live_server: Any
) -> None:
    # given an employer with three technicians in different states
    organization, _boss = employer()
    certification_put(
        sharing_technician(organization, "Ben Expiring"), "A2", expires_in_days=30
    )
    certification_put(sharing_technician(organization, "Ada Steady"), "A1")
    certification_put(
        sharing_technician(organization, "Di Revoked"),
        "A4",
        status=CertificationStatus.REVOKED,
    )
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        page = context.new_page()

        # when the administrator signs in on a phone
        sign_in(page, "boss@fleet.test", "Correct-horse-battery-9")

        # then they land on the roster, which fits the screen
        page.wait_for_url(f"**/account/organizations/{organization.pk}/")
        main = page.get_by_role("main")
        for name in ("Ada Steady", "Ben Expiring", "Di Revoked"):
            assert name in main.inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]

        # when they show only those expiring within 90 days
        page.get_by_label("Show").select_option("expiring")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**filter=expiring**")

        # then only Ben is listed, and axe finds nothing serious
        text = main.inner_text()
        assert "Ben Expiring" in text
        assert "Ada Steady" not in text
        assert "Di Revoked" not in text
        assert axe_violations(page, impacts=("serious", "critical")) == []

        # when they turn the weekly digest on
        page.get_by_label("Weekly e-mail digest of changes").check()
        page.get_by_role("button", name="Save").click()

        # then it is saved
        page.get_by_text("Your e-mail settings are saved.").wait_for()
        assert OrganizationWatch.objects.get(organization=organization).weekly_digest
    finally:
        context.close()
