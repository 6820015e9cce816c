"""``candidate_required`` is defined once, in candidates (which owns technicians),
and gates the shop and the booking pages alike: the sign-in page for the anonymous,
the area's own 403 page for an account without a technician record."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import certwright

PACKAGE = pathlib.Path(certwright.__file__).parent


def test_candidate_required_has_one_definition() -> None:
    definitions = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.FunctionDef) and node.name == "candidate_required"
    )
    assert definitions == ["candidates/decorators.py"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "refusal"),
    [
        ("commerce:cart", "Only candidates buy tests"),
        ("scheduling:appointment_list", "Booking a seat needs a candidate record"),
    ],
)
def test_an_account_without_a_technician_record_gets_the_areas_refusal(
    client: Client, page: str, refusal: str
) -> None:
    # given
    user = get_user_model().objects.create_user(username="clerk", password=None)
    anonymous = Client()

    # when
    client.force_login(user)
    response = client.get(reverse(page))
    unsigned = anonymous.get(reverse(page))

    # then
    assert response.status_code == 403
    assert refusal in response.content.decode()
    assert unsigned.status_code == 302
    assert unsigned["Location"].startswith(reverse("account_login"))
