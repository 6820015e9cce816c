"""Practice forms and study material.

A practice test shows the key and rationale after each answer, so it never shows an
item candidates may meet on an exam. A practice form holds only the practice pool of
the item bank (``itembank.selectors.practice_pool_versions``): items written for
practice and retired exam items that no published exam form holds; and an item a
practice form has shown never goes on an exam form again (the item bank's assembly
and publication refuse both).

A practice test is sat on the newest published practice form of the test whose items
may all still be shown in practice. A published practice form holding an item that
may not (one made before the pools existed, from operational exam items, or a
retired exam item since revived) is retired on the way. When there is none, one is
assembled on demand (``form_assemble`` kind practice: the blueprint's proportions as
far as the pool allows, so it may be shorter than the exam) and published (frozen)
like any form, so a practice attempt keeps the exact items it showed. With no
practice item at all there is no practice test: ``practice_offer`` is None and the
pages say so.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.services import Actor
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.delivery.errors import DeliveryError
from certwright.delivery.models import AttemptKind, Response
from certwright.delivery.selectors import player_items
from certwright.itembank.models import (
    Form,
    FormItem,
    FormKind,
    FormStatus,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import practice_pool_versions
from certwright.itembank.services import ItemBankError, form_publish, form_retire

PRACTICE_ACTOR = "delivery:practice"


@dataclass(frozen=True, slots=True)
class PracticeOffer:
    """What a candidate starting a practice test of a test gets."""

    questions: int  # on the practice test
    exam_questions: int  # scored questions of the exam (the blueprint in force)

    @property
    def shorter(self) -> bool:
        return self.questions < self.exam_questions


def _published(test: str) -> list[Form]:
    return list(
        Form.objects.filter(
            test=test, kind=FormKind.PRACTICE, status=FormStatus.PUBLISHED
        ).order_by("-number")
    )


def _holds_only(form: Form, allowed: set[int]) -> bool:
    """Whether every item on ``form`` is among the item ids ``allowed``."""
    items = set(
        FormItem.objects.filter(form=form).values_list(
            "item_version__item_id", flat=True
        )
    )
    return bool(items) and items <= allowed


def practice_form_get(*, test: str, actor: Actor = None) -> Form:
    """The newest published practice form of ``test`` that shows only items of the
    practice pool; one is made when none is. Published practice forms holding any
    other item are retired. DeliveryError ``no_form`` when the test has no practice
    items."""
    allowed = set(practice_pool_versions(test=test))
    for form in _published(test):
        if _holds_only(form, allowed):
            return form
        form_retire(
            form_id=form.pk,
            actor=PRACTICE_ACTOR,
            reason="holds items that may not be shown in practice (not practice "
            "items, nor retired exam items off every published exam form)",
        )
    return _practice_form_make(test=test)


def _practice_form_make(*, test: str) -> Form:
    from certwright.itembank.form_building import form_assemble

    try:
        with transaction.atomic():
            draft = form_assemble(
                test=test,
                kind=FormKind.PRACTICE,
                day=today(),
                seed=random.SystemRandom().randrange(2**31),
                actor=PRACTICE_ACTOR,
            )
            return form_publish(form_id=draft.pk, actor=PRACTICE_ACTOR)
    except ItemBankError as exc:
        raise DeliveryError(
            "no_form",
            _("No practice test is available for %(test)s yet.") % {"test": test},
        ) from exc


def practice_offer(test: str, day: dt.date | None = None) -> PracticeOffer | None:
    """How many questions a practice test of ``test`` has (the published practice
    form's, else what the practice pool allows in the blueprint's proportions) and
    how many the exam has; None when no practice test is available. Reads only."""
    from certwright.itembank.form_building import practice_area_counts

    spec = current_program().tests.get(test)
    blueprint = spec.blueprint_on(day or today()) if spec is not None else None
    if blueprint is None:
        return None
    pool = practice_pool_versions(test=test)
    allowed = set(pool)
    for form in _published(test):
        if _holds_only(form, allowed):
            return PracticeOffer(
                questions=form.items.count(), exam_questions=blueprint.scored
            )
    available: dict[str, int] = {}
    for version in pool.values():
        available[version.area] = available.get(version.area, 0) + 1
    counts = practice_area_counts(
        {a.code: a.questions or 0 for a in blueprint.areas}, available
    )
    if not counts:
        return None
    return PracticeOffer(
        questions=sum(counts.values()), exam_questions=blueprint.scored
    )


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


@dataclass(frozen=True, slots=True)
class ReviewedQuestion:
    """One question of a finished practice test, as its summary shows it."""

    number: int
    stem: str
    options: list[str]
    # The candidate's (first) answer, 0-3, or None when left unanswered.
    chosen: int | None
    key: int
    rationale: str

    @property
    def correct(self) -> bool:
        return self.chosen == self.key

    @property
    def rows(self) -> list[tuple[str, str, bool, bool]]:
        """Per option: its letter, its text, whether it is the key, whether it was
        chosen."""
        return [
            ("ABCD"[i], text, i == self.key, i == self.chosen)
            for i, text in enumerate(self.options)
        ]


def practice_review(attempt: Any) -> list[ReviewedQuestion]:
    """Every question of a finished practice attempt in the order the candidate saw
    it: the stem, the options, the stored (first) answer, the key and the
    rationale. Keys are what practice sells; an exam attempt is refused here
    (ValueError), so no exam key can reach a page through this function."""
    if attempt.kind != AttemptKind.PRACTICE or not attempt.is_finished:
        raise ValueError("only a finished practice attempt is reviewed")
    secrets = {
        pk: (key, rationale)
        for pk, key, rationale in FormItem.objects.filter(
            form_id=attempt.form_id
        ).values_list("pk", "item_version__key", "item_version__rationale")
    }
    chosen = dict(
        Response.objects.filter(attempt_id=attempt.pk).values_list(
            "form_item_id", "choice"
        )
    )
    return [
        ReviewedQuestion(
            number=item.number,
            stem=item.stem,
            options=item.options,
            chosen=chosen.get(item.id),
            key=secrets[item.id][0],
            rationale=secrets[item.id][1],
        )
        for item in player_items(attempt)
    ]
