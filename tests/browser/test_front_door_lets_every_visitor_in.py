"""The front door (/) says what the site is and how each kind of visitor gets in
(candidates register or sign in, employers and staff sign in), inside a main
landmark, with no axe-core violation of any impact; signed in, it leads to the
person's own page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from certwright.accounts.demo import PASSWORD
from certwright.core.program import current_program
from tests.support.browser import DESKTOP, PHONE, axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_front_door_shows_every_visitor_the_way_in(
    browser: Any, live_server: Any, viewport: dict[str, int]
) -> None:
    """A first-time visitor reads what the site is and finds register and sign in,
    for candidates, employers and staff, in the main landmark; axe finds nothing."""
    # given a visitor who has never signed in
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    try:
        page = context.new_page()

        # when they open the front door
        response = page.goto("/")

        # then the page answers, inside one main landmark
        assert response is not None
        assert response.status == 200
        main = page.get_by_role("main")
        assert main.count() == 1
        text = main.inner_text()
        assert current_program().name in text
        for visitor in ("Candidates", "Employers", "program staff"):
            assert visitor in text, visitor
        # then the ways in are there, and lead where they say
        main.get_by_role("link", name="Register").click()
        page.wait_for_url("**/accounts/signup/")
        page.go_back()
        main.get_by_role("link", name="Sign in", exact=True).click()
        page.wait_for_url("**/accounts/login/")
        page.go_back()

        # then axe-core finds no violation at all
        assert axe_violations(page) == []
    finally:
        context.close()


def test_signed_in_the_front_door_leads_to_your_page(
    settings: Any, browser: Any, live_server: Any
) -> None:
    """The proctor, back on the front door, is offered the way to the centre's
    day."""
    # given the demo proctor, signed in
    settings.CERTWRIGHT_STAFF_MFA = False
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    try:
        page = context.new_page()
        sign_in(page, "proctor@example.com", PASSWORD)
        day = page.url

        # when they open the front door and follow "Go to your page"
        page.goto("/")
        page.get_by_role("link", name="Go to your page").click()

        # then they are back on the centre's day
        page.wait_for_url(day)
        assert axe_violations(page, impacts=("serious", "critical")) == []
    finally:
        context.close()
