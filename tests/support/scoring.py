"""Scoring's test data: a small A1 form (six scored items, two pretest), delivered
attempts written straight into the tables (the delivery services are tested in
tests/delivery), and simulated sittings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import count
from typing import Any

import numpy as np

from certwright.candidates.models import Technician
from certwright.delivery.models import Attempt, Response
from certwright.itembank.models import Form, FormItem, Item, ItemStatus, ItemVersion
from certwright.itembank.services import form_publish
from certwright.psychometrics import simulate
from certwright.scheduling.models import Appointment, AppointmentTest
from certwright.scoring.models import ExternalSitting
from tests.support.scheduling import candidate_create, centre_create

# (code, area, key, scored)
ITEMS = [
    ("S-001", "A", 0, True),
    ("S-002", "A", 1, True),
    ("S-003", "B", 2, True),
    ("S-004", "B", 3, True),
    ("S-005", "C", 0, True),
    ("S-006", "C", 1, True),
    ("S-007", "A", 2, False),
    ("S-008", "B", 3, False),
]
KEYS = [key for _c, _a, key, _s in ITEMS]
SCORED = [scored for *_rest, scored in ITEMS]
_numbers = count(1)
WHEN = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def version_create(code: str, area: str, key: int, status: str) -> ItemVersion:
    item = Item.objects.get_or_create(test="A1", code=code)[0]
    return ItemVersion.objects.create(
        item=item,
        number=item.versions.count() + 1,
        status=status,
        stem=f"Stem of {code}?",
        options=[f"{code} option {letter}" for letter in "ABCD"],
        key=key,
        rationale=f"Because of {code}.",
        area=area,
        task=f"Task of {code}",
        written_by_label="writer",
        reviewed_by_label="reviewer",
    )


def form_build(
    items: Sequence[tuple[str, str, int, bool]] = ITEMS,
    *,
    publish: bool = True,
    kind: str = "initial",
) -> Form:
    form = Form.objects.create(
        test="A1", kind=kind, blueprint_effective=dt.date(2026, 1, 1), minutes=75
    )
    for position, (code, area, key, scored) in enumerate(items, start=1):
        item = Item.objects.filter(test="A1", code=code).first()
        version = (
            item.versions.order_by("-number").first()
            if item is not None
            else version_create(
                code,
                area,
                key,
                ItemStatus.OPERATIONAL if scored else ItemStatus.PRETEST,
            )
        )
        assert version is not None
        FormItem.objects.create(
            form=form, position=position, item_version=version, scored=scored, area=area
        )
    return form_publish(form_id=form.pk, actor="test") if publish else form


def attempt_make(
    form: Form,
    answers: Sequence[int | None] | None,
    *,
    status: str = "submitted",
    kind: str = "initial",
    technician: Technician | None = None,
) -> Attempt:
    """An attempt at ``form`` with one Response per position (None: cleared, and
    ``answers`` None: no response saved at all)."""
    technician = technician or candidate_create()
    appointment = appointment_test = None
    if kind != "practice":
        centre = centre_create()
        appointment = Appointment.objects.create(
            technician=technician,
            centre=centre,
            starts_at=WHEN,
            ends_at=WHEN + dt.timedelta(hours=2),
            uid=f"appt-{next(_numbers)}@test",
        )
        appointment_test = AppointmentTest.objects.create(
            appointment=appointment,
            order_line_id=next(_numbers),
            test=form.test,
            kind=kind,
            minutes=75,
            must_take_by=dt.date(2026, 12, 31),
        )
    attempt = Attempt.objects.create(
        technician=technician,
        appointment=appointment,
        appointment_test=appointment_test,
        test=form.test,
        kind=kind,
        form=form,
        status=status,
        budget_seconds=4500,
    )
    if answers is not None:
        form_items = list(form.items.order_by("position"))
        Response.objects.bulk_create(
            Response(
                attempt=attempt,
                form_item=fi,
                choice=choice,
                client_seq=1,
                saved_at=WHEN,
            )
            for fi, choice in zip(form_items, answers, strict=True)
        )
    return attempt


def simulated_choices(
    n: int, seed: int = 7, *, items: Sequence[tuple[str, str, int, bool]] = ITEMS
) -> Any:
    """Seeded option-level answers to ``items`` from the 2PL."""
    rng = np.random.default_rng(seed)
    a, b = simulate.item_params(len(items), rng, b_mean=-0.3)
    theta = simulate.abilities(n, rng)
    right = simulate.responses(theta, a, b, rng)
    return simulate.choices(right, np.array([k for _c, _a, k, _s in items]), rng)


def sittings_add(
    form: Form, choices: Any, *, source: str = "field test", simulated: bool = False
) -> None:
    ExternalSitting.objects.bulk_create(
        ExternalSitting(
            form=form,
            source=source,
            reference=f"R{i:05d}",
            choices=np.asarray(row, dtype=np.uint8).tobytes(),
            simulated=simulated,
        )
        for i, row in enumerate(choices)
    )


def with_totp(user: Any) -> Any:
    """Staff must have a second factor before any page opens (accounts' middleware)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    return user


MakeAttempt = Callable[..., Attempt]
