"""The public lookup (/verify/ and /api/verify/{id}): the answer for a match, the
one "no match" for every failure, the rate limit, the opt-out and the policy."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.core.roles import Role, role_add
from certwright.verification.selectors import lookup_answer, lookups_on, name_key
from certwright.verification.services import lookup_opt_out_set
from tests.support.scheduling import user_create
from tests.support.verification import certified_technician

pytestmark = pytest.mark.django_db

VERIFY = "/verify/"


def api(client: Client, cert_id: str, last_name: str) -> object:
    return client.get(f"/api/verify/{cert_id}", {"last_name": last_name})


@pytest.fixture
def ana() -> Technician:
    return certified_technician(
        "Ana María García",
        tests=("A1", "A4"),
        revoked=("A5",),
        expired=("A6",),
        email="ana.garcia@example.com",
    )


def test_name_key_ignores_case_accents_and_punctuation() -> None:
    assert name_key("García") == name_key("GARCIA") == name_key("garcia")
    assert name_key("O'Brien") == name_key("obrien")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Müller") != name_key("Miller")


def test_the_page_shows_certifications_in_force_expired_and_revoked(
    client: Client, ana: Technician
) -> None:
    # Given Ana with A1 and A4 in force, A5 revoked, A6 expired
    # When an employer types her ID as people type it and her last name in capitals
    response = client.post(
        VERIFY,
        {"certification_id": ana.certification_id.lower(), "last_name": "GARCIA"},
    )
    # Then the page names her and each certification's state, no reasons
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ana María García" in html
    assert html.count("In force") == 2
    assert "Revoked" in html
    assert "Expired" in html
    assert "Misconduct" not in html
    assert ana.email not in html
    assert "Answered at" in html


def test_the_api_answers_the_same_as_json(client: Client, ana: Technician) -> None:
    response = api(client, ana.certification_id, "garcía")
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["name"] == "Ana María García"
    assert body["certification_id"] == ana.certification_id
    states = {c["test"]: c["status"] for c in body["certifications"]}
    assert states == {"A1": "in_force", "A4": "in_force", "A5": "revoked",
                      "A6": "expired"}  # fmt: skip
    assert set(body) == {"name", "certification_id", "certifications", "titles",
                         "answered_at"}  # fmt: skip
    in_force = next(c for c in body["certifications"] if c["test"] == "A1")
    assert in_force["valid_through"]
    assert in_force["certified_on"]


def _failures(ana: Technician) -> dict[str, tuple[str, str]]:
    other = certified_technician("Bo Lindqvist", tests=("A1",))
    return {
        "wrong id": (other.certification_id, "García"),
        "wrong name": (ana.certification_id, "Garcio"),
        "malformed id": ("not-an-id-at-all", "García"),
    }


def test_every_failure_gets_the_same_api_answer(
    client: Client, ana: Technician, settings: Any
) -> None:
    settings.VERIFY_LOOKUP_LIMIT = 50
    answers = []
    for cert_id, name in _failures(ana).values():
        response = api(client, cert_id, name)
        body = response.json()  # type: ignore[attr-defined]
        answers.append((response.status_code, body))  # type: ignore[attr-defined]
    assert answers[0][0] == 404
    assert answers[0][1]["code"] == "no_match"
    assert all(a == answers[0] for a in answers)


def test_every_failure_gets_the_same_page(
    client: Client, ana: Technician, settings: Any
) -> None:
    settings.VERIFY_LOOKUP_LIMIT = 50
    pages = set()
    for cert_id, name in _failures(ana).values():
        response = client.post(VERIFY, {"certification_id": cert_id, "last_name": name})
        assert response.status_code == 200
        html = response.content.decode()
        assert "No match." in html
        # The page echoes the typed values in the form and the time; strip them.
        html = re.sub(r'value="[^"]*"', "", html)
        html = re.sub(r"Answered at [^.]*\.", "", html)
        html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
        pages.add(html)
    assert len(pages) == 1


def test_every_failure_does_the_same_database_work(
    ana: Technician, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    """The same one statement whatever fails (and for a match): the time tells
    nothing."""
    program, on = current_program(), today()
    cases = [*_failures(ana).values(), (ana.certification_id, "García")]
    counts = []
    for cert_id, name in cases:
        with django_assert_num_queries(1) as captured:
            lookup_answer(cert_id, name, program=program, on=on)
        counts.append(len(captured.captured_queries))
    assert counts == [1, 1, 1, 1]


def test_the_429_comes_after_the_limit_with_retry_after(
    client: Client, ana: Technician, settings: Any
) -> None:
    # Given a limit of 3 lookups per window
    settings.VERIFY_LOOKUP_LIMIT = 3
    # When one client makes three lookups, then a fourth on the page and the API
    for _ in range(3):
        assert api(client, ana.certification_id, "García").status_code == 200  # type: ignore[attr-defined]
    refused = api(client, ana.certification_id, "García")
    page = client.post(
        VERIFY, {"certification_id": ana.certification_id, "last_name": "García"}
    )
    # Then both answer 429 with Retry-After, the API as problem details
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert refused["Content-Type"].startswith("application/problem+json")  # type: ignore[index]
    assert refused.json()["code"] == "too_many_lookups"  # type: ignore[attr-defined]
    assert 1 <= int(refused["Retry-After"]) <= 600  # type: ignore[index]
    assert page.status_code == 429
    assert 1 <= int(page["Retry-After"]) <= 600
    assert "Too many lookups" in page.content.decode()
    # And another client is not held back; the day's count is what was answered
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert api(other, ana.certification_id, "García").status_code == 200  # type: ignore[attr-defined]
    assert lookups_on(today()) == 4


def test_an_opted_out_technician_is_no_match(client: Client, ana: Technician) -> None:
    # Given Ana left the public lookup
    lookup_opt_out_set(technician_id=ana.pk, opted_out=True)
    # When an employer looks her up with the right ID and name
    response = api(client, ana.certification_id, "García")
    # Then the answer is the unknown one
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert response.json()["code"] == "no_match"  # type: ignore[attr-defined]
    # And back in, she is found again
    lookup_opt_out_set(technician_id=ana.pk, opted_out=False)
    assert api(client, ana.certification_id, "García").status_code == 200  # type: ignore[attr-defined]


def test_lookup_off_says_so_on_the_page_and_404_in_the_api(
    client: Client, ana: Technician, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a program that offers no public lookup
    program = current_program()
    off = dataclasses.replace(
        program,
        verification=dataclasses.replace(program.verification, public_lookup=False),
    )
    monkeypatch.setattr("certwright.verification.views.current_program", lambda: off)
    monkeypatch.setattr("certwright.verification.lookup.current_program", lambda: off)
    # Then the page says so and the API answers 404 problem details
    page = client.get(VERIFY)
    assert page.status_code == 404
    assert "does not offer a public lookup" in page.content.decode()
    response = api(client, ana.certification_id, "García")
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert response.json()["code"] == "lookup_off"  # type: ignore[attr-defined]


def test_an_empty_form_is_a_clear_error_and_not_counted(client: Client) -> None:
    response = client.post(VERIFY, {"certification_id": "", "last_name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert lookups_on(today()) == 0


def test_the_home_page_links_to_the_lookup(client: Client) -> None:
    assert reverse("verification:verify") in client.get("/").content.decode()


def test_staff_see_the_lookups_per_day(
    client: Client, ana: Technician, settings: Any
) -> None:
    # Given three lookups today, from two addresses
    settings.CERTWRIGHT_STAFF_MFA = False
    api(client, ana.certification_id, "García")
    api(client, ana.certification_id, "Wrong")
    api(Client(REMOTE_ADDR="192.0.2.9"), "nonsense", "García")
    # When program staff open their home page
    staff = user_create("staff@example.com", is_staff=True)
    role_add(staff, Role.PROGRAM_STAFF)
    client.force_login(staff)
    html = client.get("/staff/").content.decode()
    # Then today's count is there
    section = html[html.index('id="lookups-title"') :]
    assert f"<td>{today():%Y-%m-%d}</td><td>3</td>" in section
