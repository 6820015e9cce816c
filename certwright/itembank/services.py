"""Writes: items, their versions and lifecycle, enemies, forms.

Every change writes an audit event in the same transaction. Item versions are
edited in place only while they are not frozen; a frozen version (one a published
form has used) is never modified: an edit makes a new draft version.

Lock order in a transaction: a form's row, then item rows in id order, then item
version rows in id order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.core.clock import now
from certwright.itembank.models import (
    OPTION_COUNT,
    Form,
    FormStatus,
    Item,
    ItemStatus,
    ItemVersion,
)


class ItemBankError(ValidationError):
    """A change refused, with a message for staff; nothing was written. ``code`` says
    which rule (transition, reviewer, frozen, content, duplicate, state, scale,
    infeasible, format ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


# --- cut score and scale --------------------------------------------------------------

# Until equating (certwright.psychometrics) supplies a form's table, a new form gets a
# provisional cut of 65 % of its scored items, rounded up, and a two-piece linear scale
# on which that cut is always 600: raw 0 -> 200, cut -> 600, all correct -> 800.
DEFAULT_CUT_FRACTION = 0.65
SCALE_MIN = 200
SCALE_PASS = 600
SCALE_MAX = 800


def default_cut_score(scored: int) -> int:
    """The provisional raw cut for a form of ``scored`` scored items."""
    return max(1, math.ceil(DEFAULT_CUT_FRACTION * scored))


def default_scale(scored: int, cut_score: int) -> list[int]:
    """A raw-to-scaled table (index = raw score) with ``cut_score`` at exactly
    ``SCALE_PASS`` and every failing raw score below it."""
    table: list[int] = []
    for raw in range(scored + 1):
        if raw < cut_score:
            value = SCALE_MIN + (SCALE_PASS - SCALE_MIN) * raw / cut_score
            table.append(min(SCALE_PASS - 1, math.floor(value)))
        elif scored == cut_score:
            table.append(SCALE_PASS)
        else:
            share = (raw - cut_score) / (scored - cut_score)
            table.append(round(SCALE_PASS + (SCALE_MAX - SCALE_PASS) * share))
    return table


def scale_check(*, scored: int, cut_score: int, scale: Sequence[Any]) -> list[int]:
    """``scale`` as a list of ints, or ItemBankError saying what is wrong with it."""
    if not 0 < cut_score <= scored:
        raise ItemBankError(
            "scale",
            _("The cut score must be between 1 and %(n)d (the scored items).")
            % {"n": scored},
        )
    if len(scale) != scored + 1:
        raise ItemBankError(
            "scale",
            _(
                "The raw-to-scaled table needs %(n)d entries (raw 0 to %(s)d), "
                "not %(got)d."
            )
            % {"n": scored + 1, "s": scored, "got": len(scale)},
        )
    table: list[int] = []
    for raw, value in enumerate(scale):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ItemBankError(
                "scale",
                _("Scaled score for raw %(raw)d is not a whole number: %(v)r.")
                % {"raw": raw, "v": value},
            )
        if table and value < table[-1]:
            raise ItemBankError(
                "scale",
                _("The table must not fall: raw %(raw)d scales lower than raw %(p)d.")
                % {"raw": raw, "p": raw - 1},
            )
        table.append(value)
    return table


# --- helpers --------------------------------------------------------------------------


def _user(actor: Actor) -> Any:
    """The account behind ``actor``, or None for a machine label."""
    return actor if isinstance(actor, AbstractBaseUser) else None


def _label(actor: Actor) -> str:
    return actor_split(actor)[1]


def _form_locked(form_id: int) -> Form:
    form = Form.objects.select_for_update().filter(pk=form_id).first()
    if form is None:
        raise ItemBankError("missing", _("No form %(id)s.") % {"id": form_id})
    return form


def _form_scored(form: Form) -> int:
    return form.items.filter(scored=True).count()


# --- forms ----------------------------------------------------------------------------


@transaction.atomic
def form_scale_set(
    *,
    form_id: int,
    cut_score: int,
    scale: Sequence[int],
    actor: Actor = None,
    reason: str = "",
) -> Form:
    """Set a draft form's raw cut score and raw-to-scaled table (the seam where
    equating hands over its result). A published form's table is frozen."""
    form = _form_locked(form_id)
    if form.status != FormStatus.DRAFT:
        raise ItemBankError(
            "frozen",
            _("%(form)s is %(status)s: its cut score and table are frozen.")
            % {"form": form, "status": form.get_status_display()},
        )
    table = scale_check(scored=_form_scored(form), cut_score=cut_score, scale=scale)
    before = {"cut_score": form.cut_score, "scale": form.scale}
    form.cut_score, form.scale = cut_score, table
    form.save(update_fields=["cut_score", "scale"])
    event_record(
        kind=EventKind.FORM_SCALE_SET,
        subject=f"form:{form.pk}",
        actor=actor,
        data={"before": before, "after": {"cut_score": cut_score, "scale": table}},
        reason=reason,
    )
    return form


@transaction.atomic
def form_publish(*, form_id: int, actor: Actor = None) -> Form:
    """Publish a draft form: it gets the next number for its test and kind, a cut
    score and table (its own, else the provisional default rule), and it and every
    item version on it are frozen from now on.

    Refused when the form has no items, or an item on it has meanwhile left the
    status its slot needs (scored: operational; unscored: pretest)."""
    form = _form_locked(form_id)
    if form.status != FormStatus.DRAFT:
        raise ItemBankError(
            "state",
            _("%(form)s is already %(status)s.")
            % {"form": form, "status": form.get_status_display()},
        )
    rows = list(
        form.items.select_related("item_version__item").order_by("position").all()
    )
    if not rows:
        raise ItemBankError("empty", _("%(form)s has no items.") % {"form": form})
    for row in rows:
        version = row.item_version
        needed = ItemStatus.OPERATIONAL if row.scored else ItemStatus.PRETEST
        if version.status != needed:
            raise ItemBankError(
                "state",
                _(
                    "%(item)s on position %(pos)d is %(status)s; a %(slot)s slot "
                    "needs a %(needed)s item. Assemble a new form."
                )
                % {
                    "item": version,
                    "pos": row.position,
                    "status": version.get_status_display(),
                    "slot": _("scored") if row.scored else _("pretest"),
                    "needed": needed.label,
                },
            )
    scored = sum(1 for r in rows if r.scored)
    if form.cut_score is None or form.scale is None:
        form.cut_score = default_cut_score(scored)
        form.scale = default_scale(scored, form.cut_score)
    else:
        scale_check(scored=scored, cut_score=form.cut_score, scale=form.scale)
    last = Form.objects.filter(test=form.test, kind=form.kind).aggregate(
        n=Max("number")
    )["n"]
    moment = now()
    form.number = (last or 0) + 1
    form.status = FormStatus.PUBLISHED
    form.published_at = moment
    form.published_by = _user(actor)
    form.save(
        update_fields=[
            "number",
            "status",
            "published_at",
            "published_by",
            "cut_score",
            "scale",
        ]
    )
    frozen = ItemVersion.objects.filter(
        pk__in=[r.item_version_id for r in rows], frozen_at__isnull=True
    ).update(frozen_at=moment)
    event_record(
        kind=EventKind.FORM_PUBLISHED,
        subject=f"form:{form.pk}",
        actor=actor,
        data={
            "test": form.test,
            "kind": form.kind,
            "number": form.number,
            "items": len(rows),
            "scored": scored,
            "cut_score": form.cut_score,
            "versions_frozen": frozen,
        },
    )
    return form


@transaction.atomic
def form_retire(*, form_id: int, actor: Actor = None, reason: str = "") -> Form:
    """Retire a published form: no new attempt starts on it; attempts already made
    keep it (and its items stay frozen)."""
    form = _form_locked(form_id)
    if form.status != FormStatus.PUBLISHED:
        raise ItemBankError(
            "state",
            _("Only a published form can be retired; %(form)s is %(status)s.")
            % {"form": form, "status": form.get_status_display()},
        )
    form.status = FormStatus.RETIRED
    form.retired_at = now()
    form.save(update_fields=["status", "retired_at"])
    event_record(
        kind=EventKind.FORM_RETIRED,
        subject=f"form:{form.pk}",
        actor=actor,
        data={"test": form.test, "kind": form.kind, "number": form.number},
        reason=reason,
    )
    return form


# --- items ----------------------------------------------------------------------------


def _content_check(
    *, code: str, stem: str, options: Sequence[Any], key: int, area: str
) -> list[str]:
    if not stem.strip():
        raise ItemBankError(
            "content", _("%(code)s: the stem is empty.") % {"code": code}
        )
    if len(options) != OPTION_COUNT or not all(
        isinstance(o, str) and o.strip() for o in options
    ):
        raise ItemBankError(
            "content",
            _("%(code)s: options must be exactly four non-empty texts (A to D).")
            % {"code": code},
        )
    if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < 4:
        raise ItemBankError(
            "content",
            _("%(code)s: the key must be one of A, B, C or D.") % {"code": code},
        )
    if not area.strip():
        raise ItemBankError(
            "content", _("%(code)s: the content area is empty.") % {"code": code}
        )
    return [str(o) for o in options]


@transaction.atomic
def item_create(
    *,
    test: str,
    code: str,
    stem: str,
    options: Sequence[str],
    key: int,
    area: str,
    task: str = "",
    rationale: str = "",
    actor: Actor = None,
) -> ItemVersion:
    """A new item with its first version, a draft written by ``actor``."""
    opts = _content_check(code=code, stem=stem, options=options, key=key, area=area)
    if Item.objects.filter(test=test, code=code).exists():
        raise ItemBankError(
            "duplicate",
            _("%(test)s already has an item %(code)s.") % {"test": test, "code": code},
        )
    item = Item.objects.create(test=test, code=code, created_by=_user(actor))
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        status=ItemStatus.DRAFT,
        stem=stem,
        options=opts,
        key=key,
        rationale=rationale,
        area=area,
        task=task,
        written_by=_user(actor),
        written_by_label=_label(actor),
    )
    event_record(
        kind=EventKind.ITEM_CREATED,
        subject=f"item:{item.pk}",
        actor=actor,
        data={"test": test, "code": code, "version": 1, "area": area},
    )
    return version
