"""Every demo role, signed in through the form in chromium, lands on its own page
(the candidate her certifications, the employer the organization, the proctor the
centre's day, program staff and the admin superuser the staff home), and no link of
that role's menu or landing page answers 4xx or 5xx; nobody but the candidate is
offered the candidate's Experience, Cart or Appointments."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from certwright.accounts.demo import ORGANIZATION_NAME, PASSWORD
from certwright.proctoring.demo import CENTRE_CODE
from certwright.scheduling.models import TestCentre
from tests.support.browser import page_factory, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "certwright-admin"
CANDIDATE_ONLY = {"Experience", "Cart", "Appointments"}


@pytest.fixture
def demo(settings: Any) -> None:
    """`certwright demo load` with the demo's settings (no second factor for
    staff), plus an admin superuser with an e-mail address to sign in with."""
    settings.CERTWRIGHT_STAFF_MFA = False
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    admin = get_user_model().objects.create_superuser(
        username="admin", email=ADMIN_EMAIL, password=ADMIN_PASSWORD
    )
    EmailAddress.objects.create(
        user=admin, email=ADMIN_EMAIL, verified=True, primary=True
    )


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``new_page()``: a page in a browser of its own (its own cookies)."""
    with page_factory(browser, live_server.url, timeout_ms=15_000) as make:
        yield make


def _springfield_day() -> str:
    centre = TestCentre.objects.get(code=CENTRE_CODE)
    return f"/proctor/centres/{centre.pk}/"


def _links(page: Any, selector: str) -> dict[str, str]:
    """The same-site links (path → words) under ``selector``."""
    found = page.eval_on_selector_all(
        selector,
        "els => els.map(a => [a.href, a.textContent.trim()])",
    )
    base = urlsplit(page.url)
    links: dict[str, str] = {}
    for href, words in found:
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        links.setdefault(path, words)
    return links


def _broken(page: Any, paths: dict[str, str]) -> list[str]:
    """The links that answer 4xx or 5xx (after redirects), with the browser's
    cookies."""
    broken = []
    for path, words in sorted(paths.items()):
        response = page.request.get(path)
        if response.status >= 400:
            broken.append(f"{words!r} {path}: {response.status}")
    return broken


@pytest.mark.parametrize(
    ("email", "password", "landing", "heading"),
    [
        ("candidate@example.com", PASSWORD, "/me/", "Priya Raman"),
        ("employer@example.com", PASSWORD, "organization", ORGANIZATION_NAME),
        ("proctor@example.com", PASSWORD, "springfield", "Springfield"),
        ("staff@example.com", PASSWORD, "/staff/", "Staff home"),
        (ADMIN_EMAIL, ADMIN_PASSWORD, "/staff/", "Staff home"),
    ],
)
def test_each_role_lands_on_its_own_page_and_no_link_is_broken(
    demo: None,
    new_page: Any,
    email: str,
    password: str,
    landing: str,
    heading: str,
) -> None:
    """Sign-in takes each role to its own page, whose menu and links all answer."""
    # given a browser of their own
    page = new_page()

    # when they sign in
    sign_in(page, email, password)

    # then they are on their role's page
    path = urlsplit(page.url).path
    if landing == "organization":
        assert path.startswith("/account/organizations/"), page.url
    elif landing == "springfield":
        assert path == _springfield_day(), page.url
    else:
        assert path == landing, page.url
    assert heading in page.locator("main h1").inner_text()

    # then the candidate's entries are the candidate's alone
    menu = _links(page, "header.site nav a[href]")
    words = set(menu.values())
    if email == "candidate@example.com":
        assert words >= CANDIDATE_ONLY, words
    else:
        assert not words & CANDIDATE_ONLY, words

    # then nothing in the menu or on the landing page is refused or missing
    links = {**menu, **_links(page, "main a[href]")}
    assert _broken(page, links) == [], email


def test_the_employers_vouchers_are_linked_from_the_organization_page(
    demo: None, new_page: Any
) -> None:
    """The shop's administrator reaches the vouchers from the organization page,
    which also lists its members."""
    # given the employer signed in, on the organization page
    page = new_page()
    sign_in(page, "employer@example.com", PASSWORD)

    # when they follow the vouchers link
    members = page.get_by_role("region", name="Members").inner_text()
    page.get_by_role("link", name="Your vouchers").click()

    # then the shop's vouchers open
    page.wait_for_url("**/shop/vouchers/")
    assert page.locator("main h1").inner_text() == "Vouchers"
    assert ORGANIZATION_NAME in page.locator("main").inner_text()
    assert "employer@example.com" in members
