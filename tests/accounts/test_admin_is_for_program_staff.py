"""The admin's records are program staff's: a centre administrator with ``is_staff``
and model permissions on technicians, experience records, orders, the item bank and
users still gets 403 on those pages and sees only the centre pages, scoped to their
own centre; program staff with the same permissions open them all."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from certwright.candidates.models import Technician
from certwright.core.roles import Role, role_add
from certwright.scheduling.models import TestCentre
from tests.support.scheduling import centre_create, user_create

pytestmark = pytest.mark.django_db

PROGRAM_PAGES = [
    "/admin/candidates/technician/",
    "/admin/candidates/experiencerecord/",
    "/admin/commerce/order/",
    "/admin/itembank/item/",
    "/admin/auth/user/",
]


def _staff(email: str, role: Role) -> Any:
    user = user_create(email, is_staff=True)
    role_add(user, role)
    # Every permission there is: what the role allows is the point, not the grant.
    user.user_permissions.add(*Permission.objects.all())
    return type(user).objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def _no_second_factor(settings: Any) -> None:
    settings.CERTWRIGHT_STAFF_MFA = False


def test_a_centre_admin_with_every_permission_reaches_only_their_centre(
    client: Client,
) -> None:
    """403 on every program page, the technician's change page included; the
    centre list shows their centre and not the other; the index lists no program
    app."""
    # given
    mine, other = centre_create(), centre_create()
    admin_user = _staff("centre@example.com", Role.CENTRE_ADMIN)
    mine.admins.add(admin_user)
    technician = Technician.objects.create(
        certification_id="CW00000001", name="Tina Tech", email="t@example.com"
    )
    client.force_login(admin_user)
    # when
    statuses = {page: client.get(page).status_code for page in PROGRAM_PAGES}
    change = client.get(f"/admin/candidates/technician/{technician.pk}/change/")
    centres = client.get("/admin/scheduling/testcentre/").content.decode()
    index = client.get("/admin/").content.decode()
    # then
    assert set(statuses.values()) == {403}, statuses
    assert change.status_code == 403
    assert mine.name in centres
    assert other.name not in centres
    assert "/admin/scheduling/" in index
    assert "/admin/candidates/" not in index
    assert "/admin/auth/" not in index


def test_program_staff_with_the_permissions_open_the_program_pages(
    client: Client,
) -> None:
    """The same permissions open every page for a holder of the program_staff
    role, and every centre."""
    # given
    centre = centre_create()
    staff = _staff("program@example.com", Role.PROGRAM_STAFF)
    client.force_login(staff)
    # when
    statuses = {page: client.get(page).status_code for page in PROGRAM_PAGES}
    centres = client.get("/admin/scheduling/testcentre/").content.decode()
    # then
    assert set(statuses.values()) == {200}, statuses
    assert centre.name in centres
    assert TestCentre.objects.count() == 1
