"""Sign-ins and lock-outs are counted for Prometheus (Django's and django-axes'
signals, whichever form sent them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_logins_failures_and_lockouts_are_counted(
    client: Client, make_user: Any
) -> None:
    # given
    make_user("ana@example.com")
    make_user("ben@example.com")
    ok = value("certwright_logins_total", outcome="succeeded")
    failed = value("certwright_logins_total", outcome="failed")
    locked = value("certwright_login_lockouts_total")

    # when: Ben signs in; five wrong passwords for Ana, the fifth locks her out
    assert sign_in(Client(), "ben@example.com").status_code == 302
    responses = [sign_in(client, "ana@example.com", "wrong") for _ in range(5)]

    # then
    assert responses[-1].status_code == 429
    assert value("certwright_logins_total", outcome="succeeded") == ok + 1
    assert value("certwright_logins_total", outcome="failed") == failed + 5
    assert value("certwright_login_lockouts_total") == locked + 1
