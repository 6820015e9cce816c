"""The demo leaves a recognised shop on the finder, so ``make run`` shows one."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from certwright.accounts.demo import ORGANIZATION_CODE

pytestmark = pytest.mark.django_db


def test_the_demo_shop_is_on_the_finder_with_its_named_technician(
    settings: object, client: Client
) -> None:
    # given the demo loaded (twice: it is idempotent)
    settings.CERTWRIGHT_STAFF_MFA = False  # type: ignore[attr-defined]
    out = io.StringIO()
    call_command("demo", "load", stdout=out, stderr=io.StringIO())
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    assert "shop finder: MAINST recognised (blue_seal)" in out.getvalue()
    # when the finder is searched by the demo shop's ZIP code
    page = client.get("/shops/", {"q": "62701"}).content.decode()
    # then Main Street Auto, its three certified technicians, and only Maria named
    assert f"/shops/{ORGANIZATION_CODE}/" in page
    assert "3 certified technicians" in page
    assert "Maria Okafor" in page
    assert "Grace Lindqvist" not in page
