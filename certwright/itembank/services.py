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
    FormItem,
    FormKind,
    FormStatus,
    Item,
    ItemEnemy,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import practice_pool_versions, practice_shown_items
from certwright.psychometrics.equating import ThetaScale


class ItemBankError(ValidationError):
    """A change refused, with a message for staff; nothing was written. ``code`` says
    which rule (transition, reviewer, frozen, content, duplicate, state, scale,
    infeasible, format ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


# --- cut score and scale --------------------------------------------------------------

# Until equating (certwright.psychometrics) supplies a form's table, a new form gets a
# provisional cut of 65 % of its scored items, rounded up, and a two-piece linear scale
# on the reported scale equating uses (psychometrics.ThetaScale: 200-800, passing 500),
# so a provisional and an equated form report the same pass mark: raw 0 -> 200,
# cut -> 500, all correct -> 800.
DEFAULT_CUT_FRACTION = 0.65
SCALE_MIN = ThetaScale().low
SCALE_PASS = ThetaScale().passing
SCALE_MAX = ThetaScale().high


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


def actor_user(actor: Actor) -> Any:
    """The account behind ``actor``, or None for a machine label."""
    return actor if isinstance(actor, AbstractBaseUser) else None


def _label(actor: Actor) -> str:
    return actor_split(actor)[1]


def _item_event(
    kind: EventKind,
    version: ItemVersion,
    *,
    actor: Actor,
    reason: str = "",
    **data: Any,
) -> None:
    """An event about one version of an item (subject ``item:<id>``)."""
    event_record(
        kind=kind,
        subject=f"item:{version.item_id}",
        actor=actor,
        data={"code": version.item.code, "version": version.number, **data},
        reason=reason,
    )


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
    status its slot needs (scored: operational; unscored: pretest), or is in the
    wrong pool: an initial or recert form takes exam items that no practice form
    has shown; a practice form takes only scored items of the practice pool
    (``selectors.practice_pool_versions``); no form of any kind takes a renewal
    item."""
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
    _renewal_rows_refuse(rows)
    if form.kind == FormKind.PRACTICE:
        _practice_rows_check(form, rows)
    else:
        _exam_rows_check(form, rows)
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
    form.published_by = actor_user(actor)
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


def _renewal_rows_refuse(rows: Sequence[FormItem]) -> None:
    """No form holds a renewal item. Renewal questions go to subscribed technicians
    one at a time, key and rationale shown after the answer, so one on an exam form
    would be known in advance; and on a practice form it would be spent before it is
    sent. Checked first, so the refusal names the real reason."""
    for row in rows:
        if row.item_version.item.pool == ItemPool.RENEWAL:
            raise ItemBankError(
                "pool",
                _(
                    "%(item)s on position %(pos)d is a renewal item: renewal "
                    "questions are sent to subscribed technicians, never put on an "
                    "initial, recertification or practice form. Assemble a new form."
                )
                % {"item": row.item_version, "pos": row.position},
            )


def _exam_rows_check(form: Form, rows: Sequence[FormItem]) -> None:
    """Each slot's item has the status it needs (scored: operational; unscored:
    pretest), and no practice item, nor an item a practice form has shown, is on an
    exam form."""
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
    shown = practice_shown_items(test=form.test)
    for row in rows:
        item = row.item_version.item
        if item.pool != ItemPool.EXAM or item.pk in shown:
            raise ItemBankError(
                "pool",
                _(
                    "%(item)s on position %(pos)d is a practice item or has been "
                    "shown on a practice form (with its key); it never goes on an "
                    "exam form. Assemble a new form."
                )
                % {"item": row.item_version, "pos": row.position},
            )


def _practice_rows_check(form: Form, rows: Sequence[FormItem]) -> None:
    """A practice form holds scored items of the practice pool only."""
    allowed = {v.pk for v in practice_pool_versions(test=form.test).values()}
    for row in rows:
        if not row.scored or row.item_version_id not in allowed:
            raise ItemBankError(
                "pool",
                _(
                    "%(item)s on position %(pos)d may not be shown on a practice "
                    "form: only practice items and retired exam items that no "
                    "published exam form holds (scored, never pretest). Assemble a "
                    "new form."
                )
                % {"item": row.item_version, "pos": row.position},
            )


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
    pool: str = ItemPool.EXAM,
    actor: Actor = None,
) -> ItemVersion:
    """A new item of ``pool`` (exam, practice or renewal) with its first version, a
    draft written by ``actor``."""
    opts = _content_check(code=code, stem=stem, options=options, key=key, area=area)
    if pool not in ItemPool.values:
        raise ItemBankError(
            "content",
            _("%(code)s: the pool must be one of %(all)s.")
            % {"code": code, "all": ", ".join(ItemPool.values)},
        )
    if Item.objects.filter(test=test, code=code).exists():
        raise ItemBankError(
            "duplicate",
            _("%(test)s already has an item %(code)s.") % {"test": test, "code": code},
        )
    item = Item.objects.create(
        test=test, code=code, pool=pool, created_by=actor_user(actor)
    )
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
        written_by=actor_user(actor),
        written_by_label=_label(actor),
    )
    event_record(
        kind=EventKind.ITEM_CREATED,
        subject=f"item:{item.pk}",
        actor=actor,
        data={"test": test, "code": code, "version": 1, "area": area, "pool": pool},
    )
    return version


# Which status a version may move to with item_status_set. A draft becomes reviewed
# only through item_review (a second person); an edit of anything but an unfrozen
# draft makes a new draft version instead of changing a status back. An item is
# pretested before it counts: reviewed -> operational is not a staff move. Only an
# import may store a version as operational directly (a legacy bank or the sample
# bank, whose items come with their history): that is recorded by the import event.
ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ItemStatus.DRAFT: frozenset({ItemStatus.RETIRED}),
    ItemStatus.REVIEWED: frozenset({ItemStatus.PRETEST, ItemStatus.RETIRED}),
    ItemStatus.PRETEST: frozenset({ItemStatus.OPERATIONAL, ItemStatus.RETIRED}),
    ItemStatus.OPERATIONAL: frozenset({ItemStatus.RETIRED}),
    ItemStatus.RETIRED: frozenset(),
}


def _version_locked(version_id: int) -> ItemVersion:
    """The version, its item's row locked first (the item serialises new version
    numbers and status changes of its versions)."""
    item_id = (
        ItemVersion.objects.filter(pk=version_id)
        .values_list("item_id", flat=True)
        .first()
    )
    if item_id is None:
        raise ItemBankError(
            "missing", _("No item version %(id)s.") % {"id": version_id}
        )
    Item.objects.select_for_update().filter(pk=item_id).get()
    return (
        ItemVersion.objects.select_for_update()
        .select_related("item")
        .get(pk=version_id)
    )


def older_live_retire(*, item_id: int, number: int) -> list[int]:
    """Retire an item's pretest/operational versions older than ``number`` (one
    live version per item); returns their numbers. The caller records the event."""
    older = ItemVersion.objects.filter(
        item_id=item_id,
        number__lt=number,
        status__in=[ItemStatus.PRETEST, ItemStatus.OPERATIONAL],
    )
    numbers = sorted(older.values_list("number", flat=True))
    if numbers:
        older.update(status=ItemStatus.RETIRED)
    return numbers


def _supersede(version: ItemVersion, *, actor: Actor) -> None:
    numbers = older_live_retire(item_id=version.item_id, number=version.number)
    if numbers:
        _item_event(
            EventKind.ITEM_STATUS_CHANGED,
            version,
            actor=actor,
            reason=f"superseded by version {version.number}",
            retired_versions=numbers,
            after=ItemStatus.RETIRED.value,
        )


EDITABLE_FIELDS = ("stem", "options", "key", "rationale", "area", "task")


@transaction.atomic
def item_version_edit(
    *, version_id: int, actor: Actor = None, **changes: Any
) -> ItemVersion:
    """Change an item's content (``stem``, ``options``, ``key``, ``rationale``,
    ``area``, ``task``, ``image``).

    An unfrozen draft is edited in place. Any other version (reviewed, live, frozen,
    retired) is left exactly as it is and the change makes a new draft version,
    written by ``actor``, that must be reviewed again. Only the item's latest version
    can be edited. Returns the version holding the change."""
    unknown = set(changes) - {*EDITABLE_FIELDS, "image"}
    if unknown:
        raise ItemBankError(
            "content",
            _("Unknown item fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
        )
    version = _version_locked(version_id)
    latest = ItemVersion.objects.filter(item_id=version.item_id).aggregate(
        n=Max("number")
    )["n"]
    if version.number != latest:
        raise ItemBankError(
            "stale",
            _("%(v)s is not the latest version of %(code)s (v%(n)d): edit that one.")
            % {"v": version, "code": version.item.code, "n": latest},
        )
    merged = {f: changes.get(f, getattr(version, f)) for f in EDITABLE_FIELDS}
    merged["options"] = _content_check(
        code=version.item.code,
        stem=merged["stem"],
        options=merged["options"],
        key=merged["key"],
        area=merged["area"],
    )
    changed = sorted(f for f in EDITABLE_FIELDS if merged[f] != getattr(version, f)) + (
        ["image"] if "image" in changes else []
    )
    if not changed:
        return version
    before = {f: getattr(version, f) for f in changed if f != "image"}
    in_place = version.status == ItemStatus.DRAFT and not version.is_frozen
    if in_place:
        target = version
        for field, value in merged.items():
            setattr(target, field, value)
    else:
        target = ItemVersion(
            item=version.item,
            number=version.number + 1,
            status=ItemStatus.DRAFT,
            written_by=actor_user(actor),
            written_by_label=_label(actor),
            image=version.image,
            stats={},
            **merged,
        )
    if "image" in changes:
        target.image = changes["image"]
    target.save()
    _item_event(
        EventKind.ITEM_EDITED,
        target,
        actor=actor,
        from_version=version.number,
        new_version=not in_place,
        fields=changed,
        before=before,
    )
    return target


@transaction.atomic
def item_review(
    *, version_id: int, actor: Actor, approve: bool = True, reason: str = ""
) -> ItemVersion:
    """A second person's review of a draft: approved, it becomes reviewed; with
    ``approve=False`` it stays a draft and the reason is recorded for the writer.
    The writer can never review their own item."""
    version = _version_locked(version_id)
    if version.status != ItemStatus.DRAFT:
        raise ItemBankError(
            "state",
            _("%(v)s is %(status)s: only a draft is reviewed.")
            % {"v": version, "status": version.get_status_display()},
        )
    user, label = actor_user(actor), _label(actor)
    same_account = user is not None and version.written_by_id == user.pk
    same_label = user is None and label == version.written_by_label
    if same_account or same_label:
        raise ItemBankError(
            "reviewer",
            _(
                "%(v)s was written by %(who)s, who cannot review it: a second "
                "person must approve an item."
            )
            % {"v": version, "who": label},
        )
    if approve:
        version.status = ItemStatus.REVIEWED
        version.reviewed_by = user
        version.reviewed_by_label = label
        version.reviewed_at = now()
        version.save(
            update_fields=["status", "reviewed_by", "reviewed_by_label", "reviewed_at"]
        )
    _item_event(
        EventKind.ITEM_REVIEWED,
        version,
        actor=actor,
        reason=reason,
        outcome="approved" if approve else "changes requested",
    )
    return version


@transaction.atomic
def item_status_set(
    *, version_id: int, status: str, actor: Actor = None, reason: str = ""
) -> ItemVersion:
    """Move a version along its lifecycle (``ITEM_TRANSITIONS``). Promoting a
    version to pretest or operational retires the item's older live versions."""
    version = _version_locked(version_id)
    if status not in ItemStatus.values:
        raise ItemBankError(
            "transition", _("%(s)r is not an item status.") % {"s": status}
        )
    target = ItemStatus(status)
    if target not in ITEM_TRANSITIONS[version.status]:
        hint = ""
        if target == ItemStatus.REVIEWED:
            hint = " " + _("A draft is reviewed by a second person (review).")
        elif target == ItemStatus.OPERATIONAL:
            hint = " " + _("An item is pretested before it counts.")
        raise ItemBankError(
            "transition",
            _("%(v)s cannot go from %(a)s to %(b)s.")
            % {
                "v": version,
                "a": version.get_status_display(),
                "b": target.label,
            }
            + hint,
        )
    before = version.status
    version.status = target
    version.save(update_fields=["status"])
    _item_event(
        EventKind.ITEM_STATUS_CHANGED,
        version,
        actor=actor,
        reason=reason,
        before=before,
        after=target.value,
    )
    if target in (ItemStatus.PRETEST, ItemStatus.OPERATIONAL):
        _supersede(version, actor=actor)
    return version


def _enemy_pair(item_id: int, other_id: int) -> tuple[Item, Item]:
    if item_id == other_id:
        raise ItemBankError("enemy", _("An item cannot be its own enemy."))
    items = {i.pk: i for i in Item.objects.filter(pk__in=[item_id, other_id])}
    if len(items) != 2:
        raise ItemBankError("missing", _("No such item."))
    a, b = items[min(item_id, other_id)], items[max(item_id, other_id)]
    if a.test != b.test:
        raise ItemBankError(
            "enemy",
            _("%(a)s and %(b)s are in different tests; enemies share a test.")
            % {"a": a, "b": b},
        )
    return a, b


@transaction.atomic
def item_enemy_add(
    *, item_id: int, other_id: int, actor: Actor = None, reason: str = ""
) -> bool:
    """Mark two items of one test as enemies (never on one form). Symmetric; True
    when the pair is new, False when it was already there."""
    a, b = _enemy_pair(item_id, other_id)
    _pair, created = ItemEnemy.objects.get_or_create(a=a, b=b)
    if created:
        event_record(
            kind=EventKind.ITEM_ENEMY_ADDED,
            subject=f"item:{a.pk}",
            actor=actor,
            data={"items": [a.code, b.code]},
            reason=reason,
        )
    return created


@transaction.atomic
def item_enemy_remove(
    *, item_id: int, other_id: int, actor: Actor = None, reason: str = ""
) -> bool:
    """Undo ``item_enemy_add`` (in either order); False when they were no enemies."""
    a, b = _enemy_pair(item_id, other_id)
    deleted, _rows = ItemEnemy.objects.filter(a=a, b=b).delete()
    if deleted:
        event_record(
            kind=EventKind.ITEM_ENEMY_REMOVED,
            subject=f"item:{a.pk}",
            actor=actor,
            data={"items": [a.code, b.code]},
            reason=reason,
        )
    return bool(deleted)


def item_viewed(
    *, item_id: int, actor: Actor, where: str = "admin", key_shown: bool = False
) -> None:
    """Record that ``actor`` looked at an item (its content, and the key when
    ``key_shown``): the audit of who saw what."""
    code = Item.objects.filter(pk=item_id).values_list("code", flat=True).first()
    event_record(
        kind=EventKind.ITEM_VIEWED,
        subject=f"item:{item_id}",
        actor=actor,
        data={"code": code, "where": where, "key_shown": key_shown},
    )


def item_versions_freeze(*, version_ids: Sequence[int]) -> int:
    """Freeze the given versions from now on, as publishing a form freezes the
    versions on it: an edit then makes a new version, and the item keeps its pool
    through any import (``item_files``). For a version shown outside a form: a
    renewal question sent to a technician. Returns how many were frozen now (those
    frozen before keep their moment); the caller's own event records it, as
    ``form_publish``'s does."""
    return ItemVersion.objects.filter(
        pk__in=list(version_ids), frozen_at__isnull=True
    ).update(frozen_at=now())
