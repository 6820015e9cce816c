"""Every page declares its language (`<html lang>`), so screen readers pronounce
it and browsers offer translation rightly: the site's pages, allauth's, the
admin, the API docs (Swagger UI) and the error pages (issue 8, item 4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress

from tests.support.browser import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-horse-battery-9"
ANONYMOUS = [
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/inactive/",
    "/accounts/confirm-email/",
    "/api/docs",
    "/no-such-page/",  # the 404 page
]
CANDIDATE = [
    "/me/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/logout/",
    "/account/",
    "/scoring/",  # not staff: the 403 page
]
SUPERUSER = ["/admin/", "/admin/auth/user/", "/admin/password_change/"]


@pytest.fixture
def browse(browser: Any, live_server: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_as(email: str | None) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if email:
            page.goto("/accounts/login/")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def _user(django_user_model: Any, email: str, *, superuser: bool = False) -> Any:
    user = django_user_model.objects.create_user(
        username=email.split("@")[0],
        email=email,
        password=PASSWORD,
        is_staff=superuser,
        is_superuser=superuser,
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_every_page_has_an_html_lang(browse, django_user_model, settings):
    """Anonymous, candidate and superuser pages, the API docs and the 403 and 404
    pages all answer with a non-empty `lang` on their <html> element."""
    # given a candidate and a superuser (no second factor, as in `make run`)
    settings.CERTWRIGHT_STAFF_MFA = False
    _user(django_user_model, "candidate@example.com")
    _user(django_user_model, "admin@example.com", superuser=True)
    missing: dict[str, int | None] = {}
    statuses: dict[str, int | None] = {}
    # when each page is opened in the browser
    for who, paths in (
        (None, ANONYMOUS),
        ("candidate@example.com", CANDIDATE),
        ("admin@example.com", SUPERUSER),
    ):
        page = browse(who)
        for path in paths:
            answer = page.goto(path)
            statuses[path] = answer.status if answer else None
            lang = page.evaluate("() => document.documentElement.lang")
            if not lang:
                missing[f"{who or 'anonymous'} {path} -> {page.url}"] = statuses[path]
    # then every one declared its language
    assert not missing, missing
    # then the crawl met the error pages it meant to
    assert statuses["/no-such-page/"] == 404
    assert statuses["/scoring/"] == 403
