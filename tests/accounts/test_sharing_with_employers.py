"""A technician shares their certifications with a shop or employer by its code,
and can stop at any time; the organization's members see who shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from certwright.accounts.models import MembershipRole, ShareGrant
from certwright.accounts.services import (
    membership_add,
    organization_create,
    share_grant,
)
from certwright.audit.models import Event
from certwright.candidates.services import experience_record_add
from certwright.core import clock
from certwright.credentials.models import Certification, CertificationStatus
from certwright.credentials.services import result_record

pytestmark = pytest.mark.django_db


def _record_a1_pass(technician_id: int, today: dt.date) -> None:
    experience_record_add(
        technician_id=technician_id,
        kind="employment",
        start=today.replace(year=today.year - 3),
        approved=True,
    )
    result_record(
        technician_id=technician_id,
        test="A1",
        date=today - dt.timedelta(days=40),
        kind="initial",
        outcome="pass",
        source="test",
    )


@pytest.fixture
def shop(make_user: Any) -> Any:
    organization = organization_create(name="Main Street Auto", code="mainst")
    boss = make_user("boss@example.com")
    membership_add(
        organization_id=organization.pk, user=boss, role=MembershipRole.ADMIN
    )
    organization.boss = boss  # type: ignore[attr-defined]
    return organization


def test_sharing_by_code_on_the_page(
    client: Client, make_candidate: Any, shop: Any
) -> None:
    """Typing the code (any case, spaces) shares; the grant is audited, listed, and
    sharing again does not add a second grant."""
    # given
    ana, technician = make_candidate("ana@example.com", "Ana López")
    client.force_login(ana)

    # when
    response = client.post("/account/sharing/", {"code": " mainst "})
    again = client.post("/account/sharing/", {"code": "MAINST"}, follow=True)

    # then
    assert response.status_code == 302
    grant = ShareGrant.objects.get(technician=technician)
    assert grant.organization == shop
    assert grant.revoked_at is None
    assert "already share" in again.content.decode()
    assert (
        Event.objects.filter(kind="share.granted", technician_id=technician.pk).count()
        == 1
    )
    page = client.get("/account/sharing/").content.decode()
    assert "Main Street Auto" in page


def test_an_unknown_code_is_refused_on_the_field(
    client: Client, make_candidate: Any, shop: Any
) -> None:
    """A code nobody has re-shows the form with the error tied to the field."""
    # given
    ana, _ = make_candidate("ana@example.com")
    client.force_login(ana)

    # when
    response = client.post("/account/sharing/", {"code": "NOPE42"})

    # then
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_code_error"' in html
    assert "NOPE42" in html
    assert not ShareGrant.objects.exists()


def test_stopping_sharing(client: Client, make_candidate: Any, shop: Any) -> None:
    """The stop button revokes the grant; the employer's roster no longer lists
    the technician."""
    # given
    ana, technician = make_candidate("ana@example.com", "Ana López")
    grant, _ = share_grant(technician_id=technician.pk, organization_id=shop.pk)
    client.force_login(ana)

    # when
    response = client.post(f"/account/sharing/{grant.pk}/revoke/")

    # then
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    boss = Client()
    boss.force_login(shop.boss)
    roster = boss.get(f"/account/organizations/{shop.pk}/").content.decode()
    assert "Ana López" not in roster


def test_nobody_else_can_revoke_a_grant(
    client: Client, make_candidate: Any, shop: Any
) -> None:
    """Another candidate, and the employer, get 404 for Ana's grant."""
    # given
    _ana, technician = make_candidate("ana@example.com")
    grant, _ = share_grant(technician_id=technician.pk, organization_id=shop.pk)
    bo, _ = make_candidate("bo@example.com")

    # when
    for user in (bo, shop.boss):
        client.force_login(user)
        response = client.post(f"/account/sharing/{grant.pk}/revoke/")

        # then
        assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_employer_roster_shows_current_certifications(
    client: Client,
    make_candidate: Any,
    shop: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Members see each sharing technician's certifications in force; others get
    404 for the organization."""
    # given
    _ana, technician = make_candidate("ana@example.com", "Ana López")
    today = clock.today()
    # The recompute runs after commit.
    with django_capture_on_commit_callbacks(execute=True):
        _record_a1_pass(technician.pk, today)
    share_grant(technician_id=technician.pk, organization_id=shop.pk)
    client.force_login(shop.boss)

    # when
    page = client.get(f"/account/organizations/{shop.pk}/")

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana López" in html
    assert technician.certification_id in html
    assert ">A1</span>" in html

    # and: a stranger is refused
    bo, _ = make_candidate("bo@example.com")
    client.force_login(bo)
    assert client.get(f"/account/organizations/{shop.pk}/").status_code == 404


def test_a_candidate_without_a_technician_record_cannot_share(
    client: Client, make_user: Any, shop: Any
) -> None:
    """The page explains; posting changes nothing."""
    client.force_login(make_user("x@example.com"))
    assert "Only a candidate" in client.get("/account/sharing/").content.decode()
    client.post("/account/sharing/", {"code": "MAINST"})
    assert not ShareGrant.objects.exists()


def test_sharing_through_the_api(
    make_candidate: Any, make_user: Any, shop: Any
) -> None:
    """POST /shares (201, then 200), GET lists, DELETE revokes; the employer lists
    the organization's technicians; unknown codes are 404; others' grants 404."""
    # given
    ana, technician = make_candidate("ana@example.com", "Ana López")
    api = Client()
    api.force_login(ana)

    # when
    created = api.post(
        "/api/accounts/shares",
        {"organization_code": "mainst"},
        content_type="application/json",
    )
    again = api.post(
        "/api/accounts/shares",
        {"organization_code": "MAINST"},
        content_type="application/json",
    )
    unknown = api.post(
        "/api/accounts/shares",
        {"organization_code": "XXXXXX"},
        content_type="application/json",
    )
    listed = api.get("/api/accounts/shares")

    # then
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json()["id"] == again.json()["id"]
    assert created.json()["organization"]["name"] == "Main Street Auto"
    assert unknown.status_code == 404
    assert [s["id"] for s in listed.json()] == [created.json()["id"]]

    # when: the employer lists who shares
    boss = Client()
    boss.force_login(shop.boss)
    roster = boss.get(f"/api/accounts/organizations/{shop.pk}/technicians")

    # then
    assert roster.status_code == 200
    assert roster.json() == [
        {
            "id": technician.pk,
            "certification_id": technician.certification_id,
            "name": "Ana López",
            # nothing certified yet, no title held
            "certifications": [],
            "titles": [],
            "all_certifications": [],
            "all_titles": [],
        }
    ]

    # when: someone else tries to revoke; then Ana does
    assert boss.delete(f"/api/accounts/shares/{created.json()['id']}").status_code == (
        404
    )
    assert api.delete(f"/api/accounts/shares/{created.json()['id']}").status_code == 204

    # then
    assert api.get("/api/accounts/shares").json() == []
    stranger = Client()
    stranger.force_login(make_user("stranger@example.com"))
    assert (
        stranger.get(f"/api/accounts/organizations/{shop.pk}/technicians").status_code
        == 404
    )
    assert boss.get(f"/api/accounts/organizations/{shop.pk}/technicians").json() == []


def test_an_account_without_technician_gets_409_from_the_api(
    make_user: Any, shop: Any
) -> None:
    """Only a candidate with a record can share."""
    api = Client()
    api.force_login(make_user("x@example.com"))
    response = api.post(
        "/api/accounts/shares",
        {"organization_code": "MAINST"},
        content_type="application/json",
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("day", "shown"), [("valid_through", True), ("expires_on", False)]
)
def test_the_roster_shows_a_certification_through_its_last_valid_day(
    client: Client,
    make_candidate: Any,
    shop: Any,
    django_capture_on_commit_callbacks: Any,
    day: str,
    shown: bool,
) -> None:
    """On the day the roster says A1 is "valid through", A1 is listed as in force;
    the next day (``expires_on``) it is listed as lapsed, before any recompute has
    marked it expired."""
    # given
    _ana, technician = make_candidate("ana@example.com", "Ana López")
    with django_capture_on_commit_callbacks(execute=True):
        _record_a1_pass(technician.pk, clock.today())
    share_grant(technician_id=technician.pk, organization_id=shop.pk)
    certification = Certification.objects.get(technician=technician, test="A1")
    assert certification.status == CertificationStatus.CERTIFIED
    moment = dt.datetime.combine(getattr(certification, day), dt.time(12), dt.UTC)

    # when
    with time_machine.travel(moment, tick=False):
        client.force_login(shop.boss)
        html = client.get(f"/account/organizations/{shop.pk}/").content.decode()

    # then
    assert "Ana López" in html
    assert ">A1</span>" in html
    assert ("valid through" in html) is shown
    assert ("lapsed after" in html) is not shown
