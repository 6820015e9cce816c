"""The psychometrics pages are for program staff: a candidate or a proctor (Django
staff of a centre) gets 403 on every page and action, a signed-out visitor is sent
to sign in, and plain Django staff are refused whatever scoring permission they
hold."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from certwright.itembank.models import Form
from certwright.scoring.models import AnalysisRun
from tests.support.scheduling import user_create
from tests.support.scoring import with_totp


def _urls(form: Form, run: AnalysisRun) -> list[tuple[str, str]]:
    return [
        ("get", reverse("scoring:index")),
        ("get", reverse("scoring:form", args=[form.pk])),
        ("get", reverse("scoring:run", args=[run.pk])),
        ("get", reverse("scoring:run_progress", args=[run.pk])),
        ("get", reverse("scoring:run_item", args=[run.pk, 1])),
        ("get", reverse("scoring:item", args=[1])),
        ("post", reverse("scoring:analyse", args=[form.pk])),
        ("post", reverse("scoring:calibrate", args=[form.pk])),
        ("post", reverse("scoring:equate", args=[form.pk])),
        ("post", reverse("scoring:record", args=[run.pk])),
        ("post", reverse("scoring:apply", args=[run.pk])),
    ]


@pytest.mark.parametrize("who", ["candidate_user", "proctor_user"])
def test_candidates_and_proctors_get_403(
    who: str, request: pytest.FixtureRequest, client: Client, scoring_form: Form
) -> None:
    """Every page and action answers 403, whatever the id."""
    # given
    run = AnalysisRun.objects.create(form=scoring_form, kind="analysis")
    client.force_login(request.getfixturevalue(who))

    # when
    statuses = {
        url: getattr(client, m)(url).status_code for m, url in _urls(scoring_form, run)
    }

    # then
    assert set(statuses.values()) == {403}, statuses


def test_signed_out_visitors_are_sent_to_sign_in(
    client: Client, scoring_form: Form
) -> None:
    """No page shows anything to an anonymous visitor."""
    # given
    run = AnalysisRun.objects.create(form=scoring_form, kind="analysis")

    # when
    responses = [getattr(client, m)(url) for m, url in _urls(scoring_form, run)]

    # then
    assert {r.status_code for r in responses} == {302}
    assert all("/accounts/login/" in r["Location"] for r in responses)


def test_django_staff_without_the_role_are_refused(
    client: Client, scoring_form: Form, program_staff: Any
) -> None:
    """Django staff without the program_staff role get 403 even with the scoring
    permissions (the analyses show every key); the role needs no permission."""
    # given
    staff = with_totp(user_create("analyst@example.com", is_staff=True))
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_analysisrun", "add_analysisrun"])
    )
    client.force_login(staff)
    index = reverse("scoring:index")
    analyse = reverse("scoring:analyse", args=[scoring_form.pk])

    # when / then
    assert client.get(index).status_code == 403
    assert client.post(analyse).status_code == 403
    assert not AnalysisRun.objects.exists()
    client.force_login(program_staff)
    assert client.get(index).status_code == 200
    assert client.post(analyse).status_code == 302
