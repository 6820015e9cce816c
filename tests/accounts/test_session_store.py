"""Sessions are Django's database sessions, read with one plain query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from certwright.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_loads_back_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    """What was stored is what a later request reads, for one query."""
    # given
    store = SessionStore()
    store["answer"] = {"item": 7, "seq": 3}
    store.save()

    # when
    again = SessionStore(session_key=store.session_key)
    with django_assert_num_queries(1):
        loaded = dict(again.items())

    # then
    assert loaded == {"answer": {"item": 7, "seq": 3}}
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_starts_afresh() -> None:
    """An expired key reads as empty and is not reused; an unknown one likewise."""
    # given an expired session
    store = SessionStore()
    store["x"] = 1
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    # when / then
    expired = SessionStore(session_key=store.session_key)
    assert dict(expired.items()) == {}
    assert expired.session_key is None
    unknown = SessionStore(session_key="x" * 32)
    assert dict(unknown.items()) == {}
    assert unknown.session_key is None


def test_signed_in_pages_work_with_it(client: Client, django_user_model: Any) -> None:
    """The site's own session engine is this one, and signing in survives requests."""
    # given
    assert settings.SESSION_ENGINE == "certwright.accounts.sessions"
    user = django_user_model.objects.create_user(
        username="u", email="u@example.com", password="x"
    )
    client.force_login(user)

    # when
    response = client.get("/me/")

    # then
    assert response.status_code in (200, 302)
    assert "_auth_user_id" in client.session
