"""Employment needs both sides: the shop invites by certification ID or the
technician asks by the shop's code; the other side confirms; either ends it."""

from __future__ import annotations

import pytest

from certwright.accounts.models import OrganizationKind
from certwright.accounts.services import organization_create
from certwright.audit.models import Event, EventKind
from certwright.shops.models import Employment, EmploymentSide
from certwright.shops.services import (
    EmploymentError,
    employment_confirm,
    employment_consent_set,
    employment_end,
    employment_invite,
    employment_request,
)
from tests.support.shops import shop_make, technician_make

pytestmark = pytest.mark.django_db


def test_an_invitation_counts_only_once_the_technician_confirms() -> None:
    # given a shop and a technician
    shop = shop_make()
    tech = technician_make("Ana Ruiz")
    # when the shop invites by certification ID (typed loosely)
    employment = employment_invite(
        shop_id=shop.pk, certification_id=f" {tech.certification_id.lower()} "
    )
    # then it is proposed, not active, and the shop cannot confirm it itself
    assert employment.state == "proposed"
    with pytest.raises(EmploymentError):
        employment_confirm(employment_id=employment.pk, side=EmploymentSide.SHOP)
    # when the technician confirms, then it is active, with events for both steps
    employment = employment_confirm(
        employment_id=employment.pk, side=EmploymentSide.TECHNICIAN
    )
    assert employment.is_active
    kinds = set(
        Event.objects.filter(subject=f"employment:{employment.pk}").values_list(
            "kind", flat=True
        )
    )
    assert {EventKind.EMPLOYMENT_PROPOSED, EventKind.EMPLOYMENT_CONFIRMED} <= kinds


def test_a_request_by_code_is_confirmed_by_the_shop() -> None:
    shop = shop_make()
    tech = technician_make("Ben Cole")
    # when the technician asks with the shop's code
    employment = employment_request(technician_id=tech.pk, shop_code=shop.code.lower())
    # then the technician cannot confirm their own request; the shop can
    with pytest.raises(EmploymentError):
        employment_confirm(employment_id=employment.pk, side=EmploymentSide.TECHNICIAN)
    employment = employment_confirm(
        employment_id=employment.pk, side=EmploymentSide.SHOP
    )
    assert employment.is_active


def test_both_sides_proposing_is_a_confirmation() -> None:
    shop = shop_make()
    tech = technician_make("Cy Dunn")
    employment_invite(shop_id=shop.pk, certification_id=tech.certification_id)
    # when the technician asks too, then the one employment is active
    employment = employment_request(technician_id=tech.pk, shop_code=shop.code)
    assert employment.is_active
    assert Employment.objects.filter(shop=shop, technician=tech).count() == 1


def test_unknown_ids_codes_and_employers_are_refused_and_nothing_is_saved() -> None:
    shop = shop_make()
    tech = technician_make("Dee Eng")
    employer = organization_create(name="Fleet Co", kind=OrganizationKind.EMPLOYER)
    with pytest.raises(EmploymentError, match="certification ID"):
        employment_invite(shop_id=shop.pk, certification_id="NOPE-0000")
    with pytest.raises(EmploymentError, match="No shop"):
        employment_request(technician_id=tech.pk, shop_code="NOSUCH")
    with pytest.raises(EmploymentError, match="No shop"):
        employment_request(technician_id=tech.pk, shop_code=employer.code)
    with pytest.raises(EmploymentError, match="Only a shop"):
        employment_invite(shop_id=employer.pk, certification_id=tech.certification_id)
    assert not Employment.objects.exists()


def test_either_side_ends_it_and_a_refused_invitation_cannot_be_confirmed() -> None:
    shop = shop_make()
    tech = technician_make("Eve Fox")
    employment = employment_invite(
        shop_id=shop.pk, certification_id=tech.certification_id
    )
    # when the technician refuses
    employment_end(employment_id=employment.pk, side=EmploymentSide.TECHNICIAN)
    # then it cannot be confirmed, and consent cannot be set on it
    with pytest.raises(EmploymentError, match="ended"):
        employment_confirm(employment_id=employment.pk, side=EmploymentSide.TECHNICIAN)
    with pytest.raises(EmploymentError, match="ended"):
        employment_consent_set(employment_id=employment.pk, show_name=True)
    # when the shop invites again and it is confirmed, then the shop can end it
    again = employment_invite(shop_id=shop.pk, certification_id=tech.certification_id)
    assert again.pk != employment.pk
    employment_confirm(employment_id=again.pk, side=EmploymentSide.TECHNICIAN)
    ended = employment_end(employment_id=again.pk, side=EmploymentSide.SHOP)
    assert ended.ended_by == EmploymentSide.SHOP
    assert not ended.is_active
    assert Event.objects.filter(
        kind=EventKind.EMPLOYMENT_ENDED, subject=f"employment:{again.pk}"
    ).exists()


def test_consent_to_be_named_is_the_technicians_and_recorded() -> None:
    shop = shop_make()
    tech = technician_make("Fay Gill")
    employment = employment_invite(
        shop_id=shop.pk, certification_id=tech.certification_id
    )
    assert employment.show_name is False  # off until the technician agrees
    employment_consent_set(employment_id=employment.pk, show_name=True)
    employment.refresh_from_db()
    assert employment.show_name
    assert Event.objects.filter(kind=EventKind.EMPLOYMENT_CONSENT_CHANGED).count() == 1
