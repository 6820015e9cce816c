"""Building a draft form from the bank to the program's blueprint.

``form_plan`` reads what a form must hold from the program (pure: no database);
``form_assemble`` builds the pool from the bank, calls the solver in
``certwright.assembly`` (which chooses the items) and stores the result as a draft
form in a seeded random order, for staff to check and publish.

What a form holds:

- initial: the blueprint in force on the day: its content-area counts of scored
  items plus its ``unscored`` pretest items.
- recert: the program's recertification length (``test.recert.scored``; the
  blueprint's scored count where the program states none), area counts scaled to it
  by largest-remainder apportionment, no pretest items (ASE: "shorter, no research
  questions").
- practice: the initial blueprint's scored items, no pretest items, drawn from the
  practice pool only (``selectors.practice_pool_versions``: practice items and
  retired exam items; a practice candidate sees keys and rationales). When that pool
  is smaller than the blueprint, the form is shorter: as many items as the pool
  allows, apportioned in the blueprint's proportions (``practice_area_counts``).

Initial and recert forms are drawn from the exam pool only
(``selectors.exam_pool_versions``): never a practice item, nor an exam item a
practice form has shown.

The time is the one the booking reserves (``Program.sitting_minutes``),
so a form and its appointment never disagree.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.utils.translation import gettext as _

from certwright.assembly import (
    AssemblyError,
    AssemblyInfeasible,
    FormSpec,
    PoolItem,
    assemble,
    recert_area_counts,
)
from certwright.assembly.model import Role
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.core.program import current_program
from certwright.itembank.models import Form, FormItem, FormKind, ItemStatus
from certwright.itembank.selectors import (
    LIVE_STATUSES,
    exam_pool_versions,
    item_enemies,
    item_exposure,
    practice_pool_versions,
)
from certwright.itembank.services import ItemBankError, actor_user
from certwright.program.model import Program


@dataclass(frozen=True, slots=True)
class FormPlan:
    """What one form of a test and kind must hold on a day."""

    test: str
    kind: str
    blueprint_effective: dt.date
    area_counts: dict[str, int]
    pretest: int
    minutes: int

    @property
    def scored(self) -> int:
        return sum(self.area_counts.values())


def form_plan(*, program: Program, test: str, kind: str, day: dt.date) -> FormPlan:
    """The spec of a ``kind`` form of ``test`` on ``day``, or ItemBankError saying
    why the program allows none."""
    spec = program.tests.get(test)
    if spec is None:
        raise ItemBankError("test", _("The program has no test %(t)s.") % {"t": test})
    if kind not in FormKind.values:
        raise ItemBankError("kind", _("%(k)r is not a form kind.") % {"k": kind})
    blueprint = spec.blueprint_on(day)
    if blueprint is None:
        raise ItemBankError(
            "blueprint",
            _("%(t)s has no blueprint in force on %(d)s.") % {"t": test, "d": day},
        )
    unknown = [a.code for a in blueprint.areas if a.questions is None]
    if not blueprint.areas or unknown:
        raise ItemBankError(
            "blueprint",
            _(
                "The %(t)s blueprint of %(d)s does not give the question count of "
                "every content area (%(areas)s); the program data must state them "
                "before a form can be assembled."
            )
            % {
                "t": test,
                "d": blueprint.effective,
                "areas": ", ".join(unknown) or _("no areas"),
            },
        )
    counts = {a.code: a.questions or 0 for a in blueprint.areas}
    pretest = blueprint.unscored
    if kind == FormKind.RECERT:
        if spec.recert is None:
            raise ItemBankError("kind", _("%(t)s cannot be recertified.") % {"t": test})
        counts = recert_area_counts(counts, spec.recert.scored or blueprint.scored)
        pretest = 0
    elif kind == FormKind.PRACTICE:
        pretest = 0
    return FormPlan(
        test=test,
        kind=kind,
        blueprint_effective=blueprint.effective,
        area_counts=counts,
        pretest=pretest,
        minutes=program.sitting_minutes(test, kind, day),
    )


def practice_area_counts(
    area_counts: Mapping[str, int],
    available: Mapping[str, int],
    *,
    at_most: int | None = None,
) -> dict[str, int]:
    """The scored items per area of a practice form when ``available`` items per
    area is all there is: the blueprint's counts when every area has enough, else
    the largest total the pool allows (and at most ``at_most``), apportioned in the
    blueprint's proportions (areas without items drop out). Empty when the pool has
    nothing to offer.

    >>> practice_area_counts({"A": 18, "B": 6, "C": 4, "D": 8, "E": 9},
    ...                      {"A": 10, "B": 3, "C": 2, "D": 4, "E": 5})
    {'A': 10, 'B': 3, 'C': 2, 'D': 4, 'E': 5}
    """
    full = sum(area_counts.values())
    if (at_most is None or at_most >= full) and all(
        available.get(a, 0) >= n for a, n in area_counts.items()
    ):
        return {a: n for a, n in area_counts.items() if n > 0}
    wanted = {a: n for a, n in area_counts.items() if n > 0 and available.get(a, 0)}
    most = min(sum(wanted.values()), sum(available.get(a, 0) for a in wanted))
    if at_most is not None:
        most = min(most, at_most)
    for total in range(most, 0, -1):
        counts = recert_area_counts(wanted, total)
        if all(n <= available[a] for a, n in counts.items()):
            return {a: n for a, n in counts.items() if n > 0}
    return {}


def _pool(plan: FormPlan) -> tuple[list[PoolItem], dict[int, str]]:
    """The pool (one version per item, ids = version ids) and version codes: the
    practice pool for a practice form, else the exam pool's live versions."""
    roles: dict[str, Role]
    if plan.kind == FormKind.PRACTICE:
        latest = practice_pool_versions(test=plan.test)
        # Every practice version fills a scored slot, whatever its status.
        roles = dict.fromkeys(ItemStatus.values, "operational")
    else:
        latest = exam_pool_versions(test=plan.test, statuses=LIVE_STATUSES)
        roles = {
            ItemStatus.OPERATIONAL: "operational",
            ItemStatus.PRETEST: "pretest",
        }
        if not plan.pretest:
            roles.pop(ItemStatus.PRETEST)
    versions = [
        v for v in latest.values() if v.status in roles and v.area in plan.area_counts
    ]
    version_of = {v.item_id: v.pk for v in versions}
    exposure = item_exposure(test=plan.test)
    enemies = item_enemies(test=plan.test)
    pool = []
    for v in versions:
        b = v.stats.get("irt_b") if isinstance(v.stats, dict) else None
        pool.append(
            PoolItem(
                id=v.pk,
                area=v.area,
                role=roles[v.status],
                exposure=exposure.get(v.item_id, 0),
                enemies=frozenset(
                    version_of[e] for e in enemies.get(v.item_id, ()) if e in version_of
                ),
                difficulty=float(b) if isinstance(b, int | float) else None,
            )
        )
    return pool, {v.pk: v.item.code for v in versions}


def _practice_fit(
    plan: FormPlan, pool: Sequence[PoolItem], *, at_most: int | None = None
) -> FormPlan:
    """``plan`` cut down to what the practice pool can fill (see
    ``practice_area_counts``), or ItemBankError (code ``empty``) when it has no
    item for the test."""
    available: dict[str, int] = {}
    for item in pool:
        available[item.area] = available.get(item.area, 0) + 1
    counts = practice_area_counts(plan.area_counts, available, at_most=at_most)
    if not counts:
        raise ItemBankError(
            "empty",
            _("%(t)s has no practice items yet (practice items or retired exam items).")
            % {"t": plan.test},
        )
    return replace(plan, area_counts=counts)


@transaction.atomic
def form_assemble(
    *,
    test: str,
    kind: str = FormKind.INITIAL,
    day: dt.date,
    seed: int = 0,
    max_exposure: int | None = None,
    actor: Actor = None,
    time_limit: float = 5.0,
) -> Form:
    """Assemble a draft ``kind`` form of ``test`` to the blueprint in force on
    ``day``: the scored items by content area, the pretest items, enemies never
    together, no item on more than ``max_exposure`` live forms (this one
    included). The items are stored in an order shuffled by ``seed``.

    When the bank cannot fill the form, ItemBankError (code ``infeasible``) says in
    plain words which area lacks items and why; nothing is stored.

    A practice form takes what the practice pool allows (a shorter form in the
    blueprint's proportions; one item fewer at a time while enemies or the exposure
    limit block it); ItemBankError code ``empty`` when the pool holds none."""
    blueprint = form_plan(program=current_program(), test=test, kind=kind, day=day)
    pool, codes = _pool(blueprint)
    plan = blueprint
    if kind == FormKind.PRACTICE:
        plan = _practice_fit(blueprint, pool)
    try:
        while True:
            try:
                result = assemble(
                    pool,
                    FormSpec(
                        area_counts=plan.area_counts,
                        pretest=plan.pretest,
                        max_exposure=max_exposure,
                        seed=seed,
                        time_limit=time_limit,
                    ),
                )
                break
            except AssemblyInfeasible:
                if kind != FormKind.PRACTICE or plan.scored <= 1:
                    raise
                plan = _practice_fit(blueprint, pool, at_most=plan.scored - 1)
    except AssemblyInfeasible as exc:
        message = _("%(t)s %(k)s form: %(why)s") % {
            "t": test,
            "k": FormKind(kind).label,
            "why": exc,
        }
        if exc.enemy_pairs:
            message += " " + _("Enemy pairs by code: %(pairs)s.") % {
                "pairs": ", ".join(f"{codes[a]}–{codes[b]}" for a, b in exc.enemy_pairs)
            }
        raise ItemBankError("infeasible", message) from exc
    except AssemblyError as exc:
        raise ItemBankError(
            "infeasible", _("%(t)s: %(why)s") % {"t": test, "why": exc}
        ) from exc
    slots = [(vid, True) for vid in result.scored] + [
        (vid, False) for vid in result.pretest
    ]
    random.Random(seed).shuffle(slots)
    area_of = {p.id: p.area for p in pool}
    form = Form.objects.create(
        test=test,
        kind=kind,
        blueprint_effective=plan.blueprint_effective,
        minutes=plan.minutes,
        created_by=actor_user(actor),
        assembly={
            "day": day.isoformat(),
            "seed": seed,
            "max_exposure": max_exposure,
            "pool": len(pool),
            "objective": result.objective,
            "seconds": round(result.seconds, 3),
            "optimal": result.optimal,
            # What the blueprint asks for (a practice form may hold fewer).
            "blueprint_scored": blueprint.scored,
        },
    )
    FormItem.objects.bulk_create(
        FormItem(
            form=form,
            position=position,
            item_version_id=vid,
            scored=scored,
            area=area_of[vid],
        )
        for position, (vid, scored) in enumerate(slots, start=1)
    )
    event_record(
        kind=EventKind.FORM_ASSEMBLED,
        subject=f"form:{form.pk}",
        actor=actor,
        data={
            "test": test,
            "kind": kind,
            "scored": len(result.scored),
            "pretest": len(result.pretest),
            **form.assembly,
        },
    )
    return form
