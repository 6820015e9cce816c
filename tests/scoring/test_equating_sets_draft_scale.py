"""Equating a draft form to a published base form gives its raw cut and raw→scaled
table; applying it sets them on the draft through the item bank's service (with the
reason and the run in the audit event). A published form is refused: its table is
frozen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event
from certwright.itembank.models import Form, ItemVersion
from certwright.itembank.services import form_publish
from certwright.psychometrics.equating import equate_form
from certwright.scoring.models import AnalysisRun, RunStatus
from certwright.scoring.services import (
    ScoringError,
    equating_apply,
    equating_request,
    responses_simulate,
)
from tests.support.scoring import ITEMS, form_build

# The base form's six scored items (S-001..S-006) and two new ones (S-009, S-010).
PARAMS = {
    "S-001": (1.2, -1.0),
    "S-002": (0.9, -0.4),
    "S-003": (1.4, 0.0),
    "S-004": (1.0, 0.3),
    "S-005": (1.1, -0.7),
    "S-006": (0.8, 0.8),
    "S-009": (1.0, 0.9),  # harder than the S-005/S-006 they replace
    "S-010": (1.2, 1.1),
}
NEW_ITEMS = [*ITEMS[:4], ("S-009", "C", 2, True), ("S-010", "C", 3, True)]


@pytest.fixture
def forms(scoring_form: Form) -> tuple[Form, Form]:
    """(base, new): the published base form and a draft sharing four items."""
    new = form_build(NEW_ITEMS, publish=False)
    for version in ItemVersion.objects.select_related("item"):
        if version.item.code in PARAMS:
            a, b = PARAMS[version.item.code]
            version.stats = {"irt_model": "2pl", "irt_a": a, "irt_b": b}
            version.save(update_fields=["stats"])
    return scoring_form, new


def _run(capture: Any, **kwargs: Any) -> AnalysisRun:
    with capture(execute=True):
        run = equating_request(**kwargs)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def test_pre_equating_from_bank_parameters_sets_the_draft_table(
    forms: tuple[Form, Form],
    client: Client,
    program_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """No field test: the bank parameters are used as they are; the harder new form
    gets a lower raw cut, and applying sets the draft's cut and table."""
    # given
    base, new = forms

    # when
    run = _run(
        django_capture_on_commit_callbacks,
        form_id=new.pk,
        base_form_id=base.pk,
        actor=program_staff,
    )
    client.force_login(program_staff)
    page = client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    applied = equating_apply(
        run_id=run.pk, reason="new form for 2027", actor=program_staff
    )

    # then
    assert base.cut_score is not None
    codes = [c for c, *_ in NEW_ITEMS]
    expected = equate_form(
        [PARAMS[c][0] for c in codes],
        [PARAMS[c][1] for c in codes],
        [PARAMS[c][0] for c, *_r, s in ITEMS if s],
        [PARAMS[c][1] for c, *_r, s in ITEMS if s],
        base_cut=base.cut_score,
        base_table=base.scale,
    )
    results = run.results
    assert results["mode"] == "bank"
    assert results["linking"] == {"method": "identity", "slope": 1.0, "intercept": 0.0}
    assert results["n_common"] == 4
    assert results["cut_score"] == expected.cut <= base.cut_score
    assert results["scale"] == list(expected.scale)
    assert (applied.cut_score, applied.scale) == (expected.cut, list(expected.scale))
    assert page.count("<svg") == 1
    assert 'id="conv-caption"' in page
    assert "Linking constants" in page
    assert "Apply to the draft form" in page
    event = Event.objects.get(kind="form.scale_set", subject=f"form:{new.pk}")
    assert "new form for 2027" in event.reason
    assert f"equating run #{run.pk}" in event.reason
    with pytest.raises(ScoringError, match="already applied"):
        equating_apply(run_id=run.pk, reason="again", actor=program_staff)


def test_field_test_sittings_are_linked_through_the_common_items(
    forms: tuple[Form, Form],
    program_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A field-test group abler by 0.5 logit: its own calibration (N(0, 1) in that
    group) links back with an intercept near +0.5 and a slope near 1."""
    # given
    base, new = forms
    responses_simulate(
        form_id=new.pk, count=3000, seed=9, ability_mean=0.5, actor="test"
    )

    # when
    run = _run(
        django_capture_on_commit_callbacks,
        form_id=new.pk,
        base_form_id=base.pk,
        method="stocking-lord",
        actor=program_staff,
    )

    # then
    linking = run.results["linking"]
    assert run.results["mode"] == "field-test"
    assert linking["method"] == "stocking-lord"
    assert linking["intercept"] == pytest.approx(0.5, abs=0.2)
    assert linking["slope"] == pytest.approx(1.0, abs=0.25)
    assert len(run.results["anchors"]) == 4
    assert len(run.results["scale"]) == 7


def test_a_published_form_is_refused(
    forms: tuple[Form, Form],
    client: Client,
    program_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Equating a published form is refused up front (page and service), and a run
    whose draft was published meanwhile cannot be applied; nothing changes."""
    # given
    base, new = forms
    run = _run(
        django_capture_on_commit_callbacks,
        form_id=new.pk,
        base_form_id=base.pk,
        actor=program_staff,
    )
    form_publish(form_id=new.pk, actor="test")
    new.refresh_from_db()
    before = (new.cut_score, new.scale)
    client.force_login(program_staff)

    # when
    page = client.post(
        reverse("scoring:equate", args=[base.pk]),
        {"base_form": new.pk, "method": "stocking-lord"},
        follow=True,
    )
    with pytest.raises(ScoringError, match="frozen"):
        equating_request(form_id=base.pk, base_form_id=new.pk, actor=program_staff)
    apply = client.post(
        reverse("scoring:apply", args=[run.pk]), {"reason": "late"}, follow=True
    )

    # then
    assert "frozen" in page.content.decode()
    assert AnalysisRun.objects.filter(form=base, kind="equating").count() == 0
    assert "frozen" in apply.content.decode()
    new.refresh_from_db()
    assert (new.cut_score, new.scale) == before
    run.refresh_from_db()
    assert run.applied_at is None
