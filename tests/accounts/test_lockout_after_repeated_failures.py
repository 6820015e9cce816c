"""Lock-out after repeated wrong passwords (django-axes), with a page that says so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def _fail(client: Client, email: str, times: int) -> list[Any]:
    return [sign_in(client, email, "wrong-password") for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_out(
    client: Client, make_user: Any
) -> None:
    """The first four failures re-show the form; the fifth answers 429 with a page
    that explains the pause and its length; during the pause even the right
    password is refused."""
    # given
    make_user("ana@example.com")

    # when
    responses = _fail(client, "ana@example.com", 5)

    # then
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = responses[-1].content.decode()
    assert "Sign-in paused" in page
    assert "30 minutes" in page
    assert 'role="alert"' in page
    assert "/accounts/password/reset/" in page

    # when: the right password, still from the same address
    right = sign_in(client, "ana@example.com")

    # then
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_count_whatever_the_address_case(
    client: Client, make_user: Any
) -> None:
    """Changing the case of the e-mail address does not reset the count."""
    # given
    make_user("ana@example.com")
    _fail(client, "ana@example.com", 2)
    _fail(client, "ANA@example.com", 2)

    # when
    last = sign_in(client, "Ana@Example.com", "wrong-password")

    # then
    assert last.status_code == 429


def test_the_lock_is_per_account_and_address(client: Client, make_user: Any) -> None:
    """The lock-out holds for that account from that address. Other accounts from
    the same address are not locked; the owner, from elsewhere, is only slowed down
    by allauth's per-account limit for five minutes, then can sign in while the
    original address is still locked out."""
    # given
    make_user("ana@example.com")
    make_user("bo@example.com")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        _fail(client, "ana@example.com", 5)

        # when: another account from the same address
        other = Client()
        other_account = sign_in(other, "bo@example.com")
        # when: the owner from elsewhere, at once
        elsewhere = Client(REMOTE_ADDR="203.0.113.9")
        too_soon = sign_in(elsewhere, "ana@example.com")

    # then
    assert other_account.status_code == 302
    assert too_soon.status_code == 200
    assert "Too many failed login attempts" in too_soon.content.decode()
    assert "_auth_user_id" not in elsewhere.session

    # when: six minutes later
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        from_elsewhere = sign_in(elsewhere, "ana@example.com")
        from_here = sign_in(client, "ana@example.com")

    # then
    assert from_elsewhere.status_code == 302
    assert "_auth_user_id" in elsewhere.session
    assert from_here.status_code == 429


def test_the_limit_and_pause_come_from_settings(
    client: Client, make_user: Any, settings: Any
) -> None:
    """CERTWRIGHT_LOGIN_FAILURE_LIMIT / _COOLOFF_MINUTES become axes' settings."""
    # given
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 10 / 60
    make_user("ana@example.com")

    # when
    responses = _fail(client, "ana@example.com", 3)

    # then
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "10 minutes" in responses[-1].content.decode()


def test_a_successful_sign_in_resets_the_count(client: Client, make_user: Any) -> None:
    """Four failures, a success, four more failures: still not locked."""
    # given
    make_user("ana@example.com")
    _fail(client, "ana@example.com", 4)
    assert sign_in(client, "ana@example.com").status_code == 302
    client.logout()

    # when
    responses = _fail(client, "ana@example.com", 4)

    # then
    assert {r.status_code for r in responses} == {200}
