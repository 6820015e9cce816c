"""Practice forms and study material.

A practice test is sat on a published practice form of the test. When program staff
have published none, one is made on demand: assembled to the blueprint by the item
bank's ``form_assemble`` (kind practice: scored items only), or, when the bank is too
small for the full blueprint (the sample bank), built from the operational items in
the blueprint's proportions. Either way it is published (frozen) like any form, so a
practice attempt keeps the exact items it showed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.services import Actor
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    FormStatus,
    ItemStatus,
    ItemVersion,
)

PRACTICE_ACTOR = "delivery:practice"


def practice_form_get(*, test: str, actor: Actor = None) -> Form:
    """The newest published practice form of ``test``; one is made when none is."""
    form = (
        Form.objects.filter(
            test=test, kind=FormKind.PRACTICE, status=FormStatus.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
    if form is not None:
        return form
    return _practice_form_make(test=test)


def _practice_form_make(*, test: str) -> Form:
    from certwright.delivery.services import DeliveryError
    from certwright.itembank.services import ItemBankError, form_publish

    day = today()
    draft: Form | None = None
    with transaction.atomic():
        try:
            from certwright.itembank.assembling import form_assemble

            with transaction.atomic():
                draft = form_assemble(
                    test=test,
                    kind=FormKind.PRACTICE,
                    day=day,
                    seed=random.SystemRandom().randrange(2**31),
                    actor=PRACTICE_ACTOR,
                )
        except (ImportError, ItemBankError):
            draft = None
        if draft is None:
            draft = _proportional_form(test=test, day=day)
        if draft is None:
            raise DeliveryError(
                "no_form",
                _("There are no practice questions for %(test)s yet.") % {"test": test},
            )
        return form_publish(form_id=draft.pk, actor=PRACTICE_ACTOR)


def _latest_operational(test: str) -> list[ItemVersion]:
    latest: dict[int, ItemVersion] = {}
    for version in ItemVersion.objects.filter(
        item__test=test, status=ItemStatus.OPERATIONAL
    ).order_by("item_id", "-number"):
        latest.setdefault(version.item_id, version)
    return list(latest.values())


def _proportional_form(*, test: str, day: dt.date) -> Form | None:
    """A draft practice form of the operational items, as many per content area as
    the blueprint's proportions allow with the items there are."""
    from certwright.scheduling.selectors import sitting_minutes

    program = current_program()
    spec = program.tests.get(test)
    blueprint = spec.blueprint_on(day) if spec is not None else None
    if blueprint is None:
        return None
    wanted = {a.code: a.questions or 0 for a in blueprint.areas}
    pool: dict[str, list[ItemVersion]] = {}
    for version in _latest_operational(test):
        if version.area in wanted:
            pool.setdefault(version.area, []).append(version)
    total_wanted = sum(wanted.values()) or 1
    available = sum(len(v) for v in pool.values())
    if not available:
        return None
    ratio = min(1.0, available / total_wanted)
    rng = random.SystemRandom()
    chosen: list[ItemVersion] = []
    for code, count in wanted.items():
        items = pool.get(code, [])
        take = min(len(items), max(1, round(count * ratio))) if items else 0
        chosen += rng.sample(items, take)
    rng.shuffle(chosen)
    form = Form.objects.create(
        test=test,
        kind=FormKind.PRACTICE,
        blueprint_effective=blueprint.effective,
        minutes=sitting_minutes(program=program, test=test, kind="initial", day=day),
        assembly={"day": day.isoformat(), "method": "proportional", "pool": available},
    )
    FormItem.objects.bulk_create(
        FormItem(form=form, position=i, item_version=v, scored=True, area=v.area)
        for i, v in enumerate(chosen, start=1)
    )
    return form


def study_material(test: str, day: dt.date | None = None) -> dict[str, Any]:
    """The test's content areas (with question counts) and, per area, the tasks the
    item bank's items are written to (task lines only: never an item)."""
    program = current_program()
    spec = program.tests.get(test)
    if spec is None:
        raise KeyError(test)
    blueprint = spec.blueprint_on(day or today())
    tasks: dict[str, set[str]] = {}
    for code, task in (
        ItemVersion.objects.filter(
            item__test=test, status__in=[ItemStatus.OPERATIONAL, ItemStatus.PRETEST]
        )
        .exclude(task="")
        .values_list("area", "task")
        .distinct()
    ):
        tasks.setdefault(code, set()).add(task)
    areas = []
    if blueprint is not None:
        for area in blueprint.areas:
            areas.append(
                {
                    "code": area.code,
                    "name": area.name,
                    "questions": area.questions,
                    "tasks": sorted(tasks.get(area.code, ())),
                }
            )
    return {
        "test": test,
        "name": spec.name,
        "blueprint": blueprint,
        "areas": areas,
    }
