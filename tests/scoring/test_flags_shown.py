"""A mis-keyed item is flagged with the package's reasons, in the run and on the
page: negative discrimination ("check the key") and a distractor drawing stronger
candidates."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.test import Client
from django.urls import reverse

from certwright.itembank.models import Form
from certwright.scoring.services import analysis_request
from tests.support.scoring import ITEMS, form_build, simulated_choices, sittings_add


def test_a_wrong_key_is_flagged_on_the_page(
    client: Client, db: Any, program_staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Answers simulated with S-002's key B, but the form says A: the item is
    flagged on the form page and on its own page."""
    # given
    choices = simulated_choices(400, seed=11)
    miskeyed = [(c, a, 0 if c == "S-002" else k, s) for c, a, k, s in ITEMS]
    form: Form = form_build(miskeyed)
    sittings_add(form, choices)
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_request(form_id=form.pk, actor=program_staff)
    run.refresh_from_db()
    client.force_login(program_staff)

    # when
    page = client.get(reverse("scoring:form", args=[form.pk])).content.decode()
    item = client.get(reverse("scoring:run_item", args=[run.pk, 2])).content.decode()

    # then
    row = run.results["items"][1]
    codes = {f["code"] for f in row["flags"]}
    assert "negative-discrimination" in codes
    assert {"code": "distractor-positive", "option": "B"}.items() <= next(
        f for f in row["flags"] if f["code"] == "distractor-positive"
    ).items()
    assert row["rpb"] < 0
    assert np.isclose(sum(o["share"] for o in row["options"]), 1.0, atol=1e-3)
    for text in (page, item):
        assert "negative-discrimination" in text
        assert "Check the key." in text
        assert "Distractor B draws stronger candidates" in text
