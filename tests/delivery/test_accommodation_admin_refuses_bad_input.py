"""Bad accommodation input in the admin is refused on its field with the service's
rules (extra time 1–400, as a percentage or as minutes; a test of the program or
empty for all), never a server error, and nothing is approved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.audit.models import Event
from certwright.delivery.models import Accommodation

pytestmark = pytest.mark.django_db


def _add(client, candidate, **fields):
    data = {
        "technician": candidate.pk,
        "test": "A1",
        "extra_percent": "",
        "extra_minutes": "",
        "note": "documented reading difficulty",
    }
    data.update(fields)
    return client.post(reverse("admin:delivery_accommodation_add"), data)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"extra_percent": "0"},
            "extra_percent",
            "The extra time must be a whole number from 1 to 400.",
        ),
        (
            {"extra_percent": "500"},
            "extra_percent",
            "The extra time must be a whole number from 1 to 400.",
        ),
        (
            {"extra_minutes": "0"},
            "extra_minutes",
            "The extra time must be a whole number from 1 to 400.",
        ),
        (
            {"extra_percent": "25", "extra_minutes": "30"},
            "extra_minutes",
            "Give the extra time as a percentage or as minutes.",
        ),
        ({}, "extra_percent", "Give the extra time as a percentage or as minutes."),
        (
            {"test": "A11", "extra_percent": "25"},
            "test",
            "A11 is not a test of the program; leave it empty for every test.",
        ),
    ],
)
def test_bad_input_is_refused_on_its_field(
    client, admin_user, candidate, fields, field, message
):
    # given program staff in the admin
    client.force_login(admin_user)
    # when they add an accommodation with bad input
    response = _add(client, candidate, **fields)
    # then the form comes back with the error on the field, and nothing is approved
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    assert not Accommodation.objects.exists()
    assert not Event.objects.filter(kind="accommodation.approved").exists()


def test_an_empty_test_means_every_test(client, admin_user, candidate):
    # given program staff in the admin
    client.force_login(admin_user)
    # when they approve 10 minutes with the test left empty
    response = _add(client, candidate, test="", extra_minutes="10")
    # then it is approved for every test
    assert response.status_code == 302
    assert Accommodation.objects.get().test == ""
