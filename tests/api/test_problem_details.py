"""Every API error is RFC 9457 problem details (application/problem+json), whoever
answers it, and the OpenAPI document says so; the document describes what the API
serves (one schema per name, centre hours as they are sent, Idempotency-Key a UUID).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from certwright.scheduling.models import OpeningHours, TestCentre

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    return client.get("/api/openapi.json").json()


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["type"] == f"urn:certwright:problem:{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert isinstance(body["errors"], list)
    return body


def test_an_unknown_address_is_a_problem(client: Client) -> None:
    """Django's own 404 under /api/ (no route matched) answers problem details."""
    # when
    response = client.get("/api/no-such-thing")
    # then
    _problem(response, 404, "not_found")


def test_a_method_the_path_lacks_is_a_problem_naming_the_allowed_ones(
    client: Client,
) -> None:
    # when
    response = client.delete("/api/health")
    # then
    _problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_input_that_does_not_match_the_document_lists_each_error(
    client: Client,
) -> None:
    """A Unix time is not a date: 422, with where and what in ``errors``."""
    # when
    response = client.get("/api/program", {"on": "0"})
    # then
    body = _problem(response, 422, "invalid")
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", "on")]
    assert "YYYY-MM-DD" in body["errors"][0]["message"]


def test_no_credentials_is_a_problem_saying_how_to_authenticate(
    client: Client,
) -> None:
    # when
    response = client.get("/api/accounts/me")
    # then
    body = _problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in body["detail"]


def test_a_wrong_token_is_a_problem(client: Client) -> None:
    # when
    response = client.get(
        "/api/accounts/me", headers={"Authorization": "Bearer cw_nope"}
    )
    # then
    _problem(response, 401, "unauthorized")


def test_a_selectors_not_found_is_a_problem_that_names_nothing(
    client: Client, django_user_model: Any
) -> None:
    """``access_*`` selectors raise Http404: the problem says no more than that."""
    # given
    user = django_user_model.objects.create_user(username="u", password=None)
    client.force_login(user)
    # when
    response = client.get("/api/accounts/organizations/1/technicians")
    # then
    assert _problem(response, 404, "not_found")["detail"] == "Not found."


def test_every_error_the_document_declares_is_problem_details(
    document: dict[str, Any],
) -> None:
    """Each 4xx/5xx response is application/problem+json with ProblemDetails; every
    operation that needs a sign-in declares 401, every one with input 422."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            for status, response in responses.items():
                if int(status) >= 400:
                    assert response["content"] == {
                        PROBLEM: {
                            "schema": {"$ref": "#/components/schemas/ProblemDetails"}
                        }
                    }, where
            if operation.get("security"):
                assert "401" in responses, where
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in responses, where
    problem = document["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])


def test_the_program_is_documented_as_it_is_served(
    client: Client, document: dict[str, Any]
) -> None:
    """GET /api/program's series count their tests (an integer) and its titles list
    the tests they need: its own schemas, not the portal's of the same name."""
    schemas = document["components"]["schemas"]
    # when
    served = client.get("/api/program").json()
    # then
    operation = document["paths"]["/api/program"]["get"]
    program = operation["responses"]["200"]["content"]["application/json"]["schema"]
    program_schema = schemas[program["$ref"].rsplit("/", 1)[1]]
    series = schemas[program_schema["properties"]["series"]["items"]["$ref"][21:]]
    titles = schemas[program_schema["properties"]["titles"]["items"]["$ref"][21:]]
    assert series["properties"]["tests"]["type"] == "integer"
    assert isinstance(served["series"][0]["tests"], int)
    assert set(titles["properties"]) == set(served["titles"][0])
    assert "held" not in titles["properties"]
    # and the portal's title (held or not, with its plan) is a schema of its own
    assert "held" in schemas["TitleProgressOut"]["properties"]


def test_centre_hours_match_their_documented_form(
    client: Client, document: dict[str, Any], django_user_model: Any
) -> None:
    """Opening hours are sent as local "07:30:00" and documented so (a pattern,
    not format: time, which would need an offset)."""
    # given
    centre = TestCentre.objects.create(
        code="h1", name="Hours", city="X", time_zone="America/Chicago", seats=1
    )
    OpeningHours.objects.create(
        centre=centre, weekday=0, opens=dt.time(7, 30), closes=dt.time(17, 0)
    )
    client.force_login(django_user_model.objects.create_user(username="u"))
    # when
    hours = client.get("/api/scheduling/centres").json()[0]["hours"][0]
    # then
    documented = document["components"]["schemas"]["OpeningHoursOut"]["properties"]
    assert "format" not in documented["opens"]
    assert re.fullmatch(documented["opens"]["pattern"], hours["opens"])
    assert (hours["opens"], hours["closes"]) == ("07:30:00", "17:00:00")


def test_the_idempotency_key_is_a_required_uuid(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/commerce/orders"]["post"]
    (key,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header"
    assert key["required"] is True
    assert key["schema"]["format"] == "uuid"
