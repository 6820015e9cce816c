"""The home page says what the platform is; the API reports health and the catalog."""

from __future__ import annotations

import pytest

from certwright.core.program import current_program

pytestmark = pytest.mark.django_db


def test_the_home_page_introduces_the_platform(client):
    """/ names the program, lets candidates register and everyone sign in, and
    links to the admin and the API docs, inside the main landmark."""
    # when
    response = client.get("/")
    # then
    assert response.status_code == 200
    assert current_program().name in response.text
    main = response.text.split('<main id="main">', 1)[1]
    assert 'href="/accounts/signup/"' in main
    assert 'href="/accounts/login/"' in main
    assert 'href="/admin/"' in response.text
    assert 'href="/api/docs"' in response.text


def test_health_answers_ok_with_the_program(client):
    """GET /api/health is 200 with the database status and the program version."""
    # when
    response = client.get("/api/health")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    program = current_program()
    assert body["program"] == f"{program.id} {program.version}"


def test_the_catalog_lists_every_test_of_the_program(client):
    """GET /api/program lists series, tests and titles as of the day asked."""
    # given
    program = current_program()
    # when
    response = client.get("/api/program", {"on": "2025-06-01"})
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == program.id
    assert body["on"] == "2025-06-01"
    assert sorted(t["code"] for t in body["tests"]) == sorted(program.tests)
    assert [s["code"] for s in body["series"]] == list(program.series)
    assert {t["id"] for t in body["titles"]} == set(program.titles)


def test_the_openapi_document_describes_the_endpoints(client):
    """/api/openapi.json is the machine-readable API description."""
    # when
    response = client.get("/api/openapi.json")
    # then
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/health" in paths
    assert "/api/program" in paths


def test_the_api_docs_page_renders(client):
    """/api/docs serves the interactive documentation."""
    assert client.get("/api/docs").status_code == 200
