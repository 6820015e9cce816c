"""A proctor no centre lists yet opens the console from the menu and reads why it
is empty (200), instead of a 404; someone who is no proctor still gets 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from certwright.core.roles import Role, role_add

pytestmark = pytest.mark.django_db


def test_a_proctor_without_a_centre_reads_why(
    client: Client, django_user_model: Any, settings: Any
) -> None:
    """The console answers 200 and says a centre must add them."""
    # given a proctor on no centre's staff
    settings.CERTWRIGHT_STAFF_MFA = False
    proctor = django_user_model.objects.create_user(username="p", email="p@x.org")
    role_add(proctor, Role.PROCTOR)
    client.force_login(proctor)
    # when
    response = client.get("/proctor/")
    # then
    assert response.status_code == 200
    assert "No test centre lists you among its staff yet" in response.content.decode()


def test_someone_who_is_no_proctor_finds_no_console(
    client: Client, django_user_model: Any
) -> None:
    """A candidate asking for the console gets 404, as before."""
    # given an account with no centre role
    user = django_user_model.objects.create_user(username="c", email="c@x.org")
    role_add(user, Role.CANDIDATE)
    client.force_login(user)
    # then
    assert client.get("/proctor/").status_code == 404
