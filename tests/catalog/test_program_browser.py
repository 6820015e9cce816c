"""Staff browse the loaded program in the admin, and cannot change it there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.catalog.models import TestDefinition
from certwright.catalog.services import program_sync
from certwright.core.program import current_program

pytestmark = pytest.mark.django_db


def test_the_test_list_shows_the_current_program(admin_client):
    """The test list defaults to the current program's version."""
    # given
    program = current_program()
    first_code = next(iter(program.tests))
    # when
    response = admin_client.get(reverse("admin:catalog_testdefinition_changelist"))
    # then
    assert response.status_code == 200
    assert first_code in response.text
    assert response.context["cl"].result_count == len(program.tests)


def test_other_versions_are_hidden_until_chosen(admin_client, mini_program):
    """A second loaded program does not mix into the default list; "All" shows it."""
    # given
    program_sync(mini_program)
    url = reverse("admin:catalog_testdefinition_changelist")
    # when
    default = admin_client.get(url)
    everything = admin_client.get(url, {"version": "all"})
    # then
    assert default.context["cl"].result_count == len(current_program().tests)
    assert everything.context["cl"].result_count == len(current_program().tests) + 3


def test_the_test_list_filters_by_series_and_searches_by_code(
    admin_client, mini_program
):
    """Staff narrow the list by series and find a test by its code."""
    # given
    version = program_sync(mini_program)
    url = reverse("admin:catalog_testdefinition_changelist")
    # when
    response = admin_client.get(url, {"version": version.pk, "q": "L1"})
    # then
    assert [t.code for t in response.context["cl"].result_list] == ["L1"]


def test_a_test_page_shows_its_content_areas_read_only(admin_client, mini_program):
    """The test page lists content areas inline and offers no save button."""
    # given
    version = program_sync(mini_program)
    a1 = TestDefinition.objects.get(program_version=version, code="A1")
    # when
    response = admin_client.get(
        reverse("admin:catalog_testdefinition_change", args=[a1.pk])
    )
    # then
    assert response.status_code == 200
    assert "General Engine Diagnosis" in response.text
    assert 'name="_save"' not in response.text


def test_the_program_cannot_be_edited_in_the_admin(admin_client, mini_program):
    """Adding, changing and deleting catalog rows are refused."""
    # given
    version = program_sync(mini_program)
    a1 = TestDefinition.objects.get(program_version=version, code="A1")
    # when
    add = admin_client.get(reverse("admin:catalog_testdefinition_add"))
    delete = admin_client.post(
        reverse("admin:catalog_testdefinition_delete", args=[a1.pk]), {"post": "yes"}
    )
    change = admin_client.post(
        reverse("admin:catalog_testdefinition_change", args=[a1.pk]),
        {"name": "Renamed"},
    )
    # then
    assert add.status_code == 403
    assert delete.status_code == 403
    assert change.status_code == 403
    a1.refresh_from_db()
    assert a1.name == "Engine Repair"


@pytest.mark.parametrize(
    "model",
    ["programversion", "seriesdefinition", "titledefinition", "feeperioddefinition"],
)
def test_every_catalog_list_renders(admin_client, model):
    """Each program-browser list page renders for staff."""
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200
