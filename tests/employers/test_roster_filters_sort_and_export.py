"""The employer's roster: every certification and title with its state, filtered and
sorted the same way on the page, in the CSV export and in the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from certwright.accounts.models import MembershipRole
from certwright.accounts.roster import NEWLY_CERTIFIED_DAYS
from certwright.accounts.services import membership_add
from certwright.core.clock import today
from certwright.credentials.models import CertificationStatus, TitleHolding
from tests.support.employers import (
    certification_put,
    employer,
    person,
    sharing_technician,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster() -> dict[str, Any]:
    """Five technicians, one per state, sharing with Fleet Motors."""
    organization, boss = employer()
    steady = sharing_technician(organization, "Ada Steady")
    certification_put(steady, "A1", expires_in_days=700)
    expiring = sharing_technician(organization, "Ben Expiring")
    certification_put(expiring, "A2", expires_in_days=30)
    lapsed = sharing_technician(organization, "Cy Lapsed")
    certification_put(
        lapsed, "A3", status=CertificationStatus.EXPIRED, expires_in_days=-10
    )
    revoked = sharing_technician(organization, "Di Revoked")
    certification_put(revoked, "A4", status=CertificationStatus.REVOKED)
    new = sharing_technician(organization, "Ed New")
    certification_put(
        new, "A5", certified_days_ago=NEWLY_CERTIFIED_DAYS - 5, expires_in_days=1800
    )
    TitleHolding.objects.create(
        technician=steady, title_id="master_auto", held=True,
        since=today(), until=None, computed_as_of=today(),
    )  # fmt: skip
    return {
        "organization": organization,
        "boss": boss,
        "steady": steady,
        "expiring": expiring,
        "lapsed": lapsed,
        "revoked": revoked,
        "new": new,
    }


def _page_names(html: str, names: list[str]) -> list[str]:
    """The names that appear in the page, in the order they appear."""
    return sorted((n for n in names if n in html), key=html.index)


NAMES = ["Ada Steady", "Ben Expiring", "Cy Lapsed", "Di Revoked", "Ed New"]


def _csv_names(content: bytes) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(content.decode())))
    return list(dict.fromkeys(r["name"] for r in rows))


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ("", NAMES),
        ("expiring", ["Ben Expiring"]),
        ("lapsed", ["Cy Lapsed"]),
        ("revoked", ["Di Revoked"]),
        ("new", ["Ed New"]),
    ],
)
def test_each_filter_gives_the_same_technicians_on_page_csv_and_api(
    client: Client, roster: dict[str, Any], filter_: str, expected: list[str]
) -> None:
    # given the employer's administrator signed in
    client.force_login(roster["boss"])
    oid = roster["organization"].pk
    query = {"filter": filter_, "sort": "name"} if filter_ else {"sort": "name"}

    # when the roster is asked for three ways
    page = client.get(f"/account/organizations/{oid}/", query)
    export = client.get(f"/account/organizations/{oid}/roster.csv", query)
    api = client.get(f"/api/accounts/organizations/{oid}/technicians", query)

    # then all three list the same technicians in the same order
    assert page.status_code == export.status_code == api.status_code == 200
    assert _page_names(page.content.decode(), NAMES) == expected
    assert _csv_names(export.content) == expected
    assert [t["name"] for t in api.json()] == expected


def test_states_and_dates_are_shown(client: Client, roster: dict[str, Any]) -> None:
    # given
    client.force_login(roster["boss"])
    oid = roster["organization"].pk

    # when
    api = client.get(f"/api/accounts/organizations/{oid}/technicians").json()
    export = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/account/organizations/{oid}/roster.csv").content.decode()
            )
        )
    )

    # then each certification carries its state, in the API and in the CSV
    states = {t["name"]: t["all_certifications"][0]["state"] for t in api}
    assert states == {
        "Ada Steady": "in_force",
        "Ben Expiring": "expiring",
        "Cy Lapsed": "lapsed",
        "Di Revoked": "revoked",
        "Ed New": "new",
    }
    # only those in force are in "certifications", as before
    in_force = {t["name"]: [c["test"] for c in t["certifications"]] for t in api}
    assert in_force["Cy Lapsed"] == []
    assert in_force["Ben Expiring"] == ["A2"]
    ada = next(t for t in api if t["name"] == "Ada Steady")
    assert [h["id"] for h in ada["all_titles"]] == ["master_auto"]
    by_kind = {(r["name"], r["kind"]): r for r in export}
    assert by_kind[("Ben Expiring", "certification")]["state"] == "expiring"
    assert by_kind[("Ben Expiring", "certification")]["valid_through"]
    assert by_kind[("Ada Steady", "title")]["state"] == "held"


def test_sorting_by_certification_id_and_by_soonest_expiry(
    client: Client, roster: dict[str, Any]
) -> None:
    # given
    client.force_login(roster["boss"])
    oid = roster["organization"].pk
    url = f"/api/accounts/organizations/{oid}/technicians"

    # when
    by_id = client.get(url, {"sort": "certification_id"}).json()
    by_expiry = client.get(url, {"sort": "expiry"}).json()
    page = client.get(f"/account/organizations/{oid}/", {"sort": "expiry"})

    # then
    ids = [t["certification_id"] for t in by_id]
    assert ids == sorted(ids)
    # in force, soonest end first; those with nothing in force last, by name
    assert [t["name"] for t in by_expiry] == [
        "Ben Expiring", "Ada Steady", "Ed New", "Cy Lapsed", "Di Revoked",
    ]  # fmt: skip
    assert _page_names(page.content.decode(), NAMES) == [t["name"] for t in by_expiry]


def test_bad_filter_or_sort_is_refused_clearly(
    client: Client, roster: dict[str, Any]
) -> None:
    # given
    client.force_login(roster["boss"])
    oid = roster["organization"].pk

    # when
    page = client.get(f"/account/organizations/{oid}/", {"filter": "everyone!"})
    export = client.get(f"/account/organizations/{oid}/roster.csv", {"sort": "age"})
    api = client.get(
        f"/api/accounts/organizations/{oid}/technicians", {"filter": "soon"}
    )

    # then
    assert page.status_code == 400
    assert "Select a valid choice" in page.content.decode()
    assert export.status_code == 400
    assert api.status_code == 422
    assert api["Content-Type"].startswith("application/problem+json")


def test_csv_cells_cannot_run_as_formulas(client: Client) -> None:
    # given a technician whose name starts like a spreadsheet formula
    organization, boss = employer()
    sly = sharing_technician(organization, '=HYPERLINK("http://evil.test","x")')
    certification_put(sly, "A1")
    for i, start in enumerate("+-@"):
        certification_put(sharing_technician(organization, f"{start}cmd{i}"), "A1")
    client.force_login(boss)

    # when
    export = client.get(f"/account/organizations/{organization.pk}/roster.csv")

    # then every such cell starts with a quote, so it is text
    names = {r["name"] for r in csv.DictReader(io.StringIO(export.content.decode()))}
    assert names == {
        "'=HYPERLINK(\"http://evil.test\",\"x\")", "'+cmd0", "'-cmd1", "'@cmd2",
    }  # fmt: skip
    assert export["Content-Disposition"].startswith("attachment;")


def _grow(organization: Any, n: int) -> None:
    for i in range(n):
        t = sharing_technician(organization, f"Extra {i}")
        certification_put(t, "A1", expires_in_days=20 + i)
        certification_put(
            t, "A2", status=CertificationStatus.EXPIRED, expires_in_days=-5
        )


@pytest.mark.parametrize("filter_", ["", "expiring"])
def test_query_count_does_not_grow_with_technicians(
    client: Client,
    roster: dict[str, Any],
    django_assert_max_num_queries: Any,
    filter_: str,
) -> None:
    # given many more technicians than the fixture's five
    client.force_login(roster["boss"])
    oid = roster["organization"].pk
    _grow(roster["organization"], 30)
    query = {"filter": filter_, "sort": "expiry"} if filter_ else {}
    client.get(f"/account/organizations/{oid}/")  # warm the session and the program

    # when / then: page, CSV and API each a fixed number of queries
    with django_assert_max_num_queries(14):
        page = client.get(f"/account/organizations/{oid}/", query)
    with django_assert_max_num_queries(10):
        export = client.get(f"/account/organizations/{oid}/roster.csv", query)
    with django_assert_max_num_queries(10):
        api = client.get(f"/api/accounts/organizations/{oid}/technicians", query)
    assert page.status_code == export.status_code == api.status_code == 200
    assert len(api.json()) >= 30


def test_a_member_of_another_organization_gets_404(
    client: Client, roster: dict[str, Any]
) -> None:
    # given an administrator of another organization
    _other, stranger = employer(name="Other Co", code="OTHER1", admin="x@other.test")
    client.force_login(stranger)
    oid = roster["organization"].pk

    # when / then
    assert client.get(f"/account/organizations/{oid}/").status_code == 404
    assert client.get(f"/account/organizations/{oid}/roster.csv").status_code == 404
    api = client.get(f"/api/accounts/organizations/{oid}/technicians")
    assert api.status_code == 404
    assert (
        client.post(
            f"/account/organizations/{oid}/watch/", {"weekly_digest": "on"}
        ).status_code
        == 404
    )


def test_a_plain_member_sees_the_settings_but_cannot_change_them(
    client: Client, roster: dict[str, Any]
) -> None:
    # given a member who is not an administrator
    member = person("clerk@fleet.test", "Cleo Clerk")
    membership_add(
        organization_id=roster["organization"].pk,
        user=member,
        role=MembershipRole.MEMBER,
    )
    client.force_login(member)
    oid = roster["organization"].pk

    # when
    page = client.get(f"/account/organizations/{oid}/").content.decode()
    post = client.post(f"/account/organizations/{oid}/watch/", {"weekly_digest": "on"})

    # then
    assert "An administrator of the organization changes these." in page
    assert post.status_code == 403
