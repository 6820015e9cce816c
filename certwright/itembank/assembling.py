"""Assembling a draft form from the bank to the program's blueprint.

``form_spec`` reads what a form must hold from the program (pure: no database);
``form_assemble`` builds the pool from the bank, calls the solver in
``certwright.assembly`` and stores the result as a draft form in a seeded random
order, for staff to check and publish.

What a form holds:

- initial: the blueprint in force on the day: its content-area counts of scored
  items plus its ``unscored`` pretest items.
- recert: the program's recertification length (``test.recert.scored``; the
  blueprint's scored count where the program states none), area counts scaled to it
  by largest-remainder apportionment, no pretest items (ASE: "shorter, no research
  questions").
- practice: the initial blueprint's scored items, no pretest items (a practice
  candidate sees rationales, so pretest items would only leak).

The time is the one the booking reserves (``scheduling.selectors.sitting_minutes``),
so a form and its appointment never disagree.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

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
    item_enemies,
    item_exposure,
    item_latest_versions,
)
from certwright.itembank.services import ItemBankError, actor_user
from certwright.program.model import Program
from certwright.scheduling.selectors import sitting_minutes


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
        minutes=sitting_minutes(program=program, test=test, kind=kind, day=day),
    )


def _pool(plan: FormPlan) -> tuple[list[PoolItem], dict[int, str]]:
    """The pool (one live version per item, ids = version ids) and version codes."""
    latest = item_latest_versions(test=plan.test, statuses=LIVE_STATUSES)
    roles: dict[str, Role] = {
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
    plain words which area lacks items and why; nothing is stored."""
    plan = form_plan(program=current_program(), test=test, kind=kind, day=day)
    pool, codes = _pool(plan)
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
