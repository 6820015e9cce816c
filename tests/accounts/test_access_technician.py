"""Who may see a technician: themselves, program staff, and members of an
organization the technician shares with (while the grant is active). Everyone else
gets 404, as if the technician did not exist."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from certwright.accounts.models import MembershipRole
from certwright.accounts.selectors import access_technician, technicians_visible_to
from certwright.accounts.services import (
    membership_add,
    organization_create,
    share_grant,
    share_revoke,
)
from certwright.candidates.services import technician_create
from certwright.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user: Any, make_candidate: Any) -> dict[str, Any]:
    ana, ana_tech = make_candidate("ana@example.com", "Ana López")
    bo, bo_tech = make_candidate("bo@example.com", "Bo Chen")
    imported = technician_create(name="Carl Imported", email="carl@example.com")
    shop = organization_create(name="Main Street Auto")
    other_shop = organization_create(name="Other Garage")
    employer = make_user("boss@example.com")
    membership_add(organization_id=shop.pk, user=employer, role=MembershipRole.ADMIN)
    rival = make_user("rival@example.com")
    membership_add(organization_id=other_shop.pk, user=rival)
    grant, _ = share_grant(technician_id=ana_tech.pk, organization_id=shop.pk)
    return {
        "ana": ana,
        "ana_tech": ana_tech,
        "bo": bo,
        "bo_tech": bo_tech,
        "imported": imported,
        "shop": shop,
        "employer": employer,
        "rival": rival,
        "grant": grant,
        "staff": make_user("staff@example.com", roles=(Role.PROGRAM_STAFF,)),
        "superuser": make_user("root@example.com", superuser=True),
        "django_staff": make_user("admin@example.com", staff=True),
        "proctor": make_user("proctor@example.com", roles=(Role.PROCTOR,)),
    }


def _denied(user: Any, technician_id: int) -> bool:
    try:
        access_technician(user, technician_id)
    except Http404:
        return True
    return False


def test_a_candidate_sees_only_themselves(world: dict[str, Any]) -> None:
    """Ana gets her own record, and 404 for Bo's and for a record with no account."""
    ana = world["ana"]
    assert access_technician(ana, world["ana_tech"].pk) == world["ana_tech"]
    assert _denied(ana, world["bo_tech"].pk)
    assert _denied(ana, world["imported"].pk)
    assert list(technicians_visible_to(ana)) == [world["ana_tech"]]


def test_an_employer_sees_only_who_shares_with_them(world: dict[str, Any]) -> None:
    """The shop's admin sees Ana (who shares), not Bo (who does not); a member of
    another organization sees neither."""
    employer, rival = world["employer"], world["rival"]
    assert access_technician(employer, world["ana_tech"].pk) == world["ana_tech"]
    assert _denied(employer, world["bo_tech"].pk)
    assert _denied(rival, world["ana_tech"].pk)
    assert list(technicians_visible_to(rival)) == []


def test_revoking_the_grant_ends_the_employers_access(world: dict[str, Any]) -> None:
    """After Ana stops sharing, her record is 404 for the shop."""
    # when
    share_revoke(grant_id=world["grant"].pk)

    # then
    assert _denied(world["employer"], world["ana_tech"].pk)
    assert list(technicians_visible_to(world["employer"])) == []


def test_sharing_again_restores_access(world: dict[str, Any]) -> None:
    """A new grant after a revoked one works (and keeps the old row as history)."""
    # given
    share_revoke(grant_id=world["grant"].pk)

    # when
    grant, created = share_grant(
        technician_id=world["ana_tech"].pk, organization_id=world["shop"].pk
    )

    # then
    assert created
    assert grant.pk != world["grant"].pk
    assert access_technician(world["employer"], world["ana_tech"].pk)


def test_program_staff_see_everyone(world: dict[str, Any]) -> None:
    """Program staff (the role) and superusers reach any technician; Django staff
    without the role, like a proctor, reach none."""
    for key in ("staff", "superuser"):
        for tech in ("ana_tech", "bo_tech", "imported"):
            assert access_technician(world[key], world[tech].pk) == world[tech]
    for key in ("django_staff", "proctor"):
        assert _denied(world[key], world["ana_tech"].pk)
        assert list(technicians_visible_to(world[key])) == []


@pytest.mark.parametrize("technician_id", [0, -1, 2**63, 10**30, 999_999])
def test_impossible_or_missing_ids_are_404(
    world: dict[str, Any], technician_id: int
) -> None:
    """An id that cannot exist is 404, not a database error."""
    assert _denied(world["staff"], technician_id)


def test_anonymous_and_inactive_users_see_nobody(world: dict[str, Any]) -> None:
    """Signed out or deactivated: 404 for every record, including one's own."""
    ana = world["ana"]
    ana.is_active = False
    assert _denied(AnonymousUser(), world["ana_tech"].pk)
    assert _denied(ana, world["ana_tech"].pk)


def test_access_can_lock_the_row(world: dict[str, Any]) -> None:
    """lock=True returns the same technician (under SELECT ... FOR UPDATE)."""
    from django.db import transaction

    with transaction.atomic():
        locked = access_technician(world["ana"], world["ana_tech"].pk, lock=True)
    assert locked == world["ana_tech"]
