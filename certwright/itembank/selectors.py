"""Reads: the live version of each item, exposure, enemies, forms, who sees keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from certwright.core.roles import user_is_program_staff
from certwright.itembank.models import (
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

# The statuses in which a version can be placed on a new form.
LIVE_STATUSES = (ItemStatus.PRETEST, ItemStatus.OPERATIONAL)


def can_see_keys(user: Any) -> bool:
    """Answer keys are shown to program staff only (``user_is_program_staff``: never
    a proctor or centre admin, though they reach the admin too)."""
    return user_is_program_staff(user)


def item_latest_versions(
    *, test: str, statuses: Collection[str] | None = None
) -> dict[int, ItemVersion]:
    """Per item id of ``test``, its newest version among ``statuses`` (all when
    None). With ``LIVE_STATUSES`` this is the assembly pool: a draft revision under
    review does not take its item's live version out of the pool."""
    versions = ItemVersion.objects.filter(item__test=test).select_related("item")
    if statuses is not None:
        versions = versions.filter(status__in=list(statuses))
    latest: dict[int, ItemVersion] = {}
    for version in versions.order_by("item_id", "-number"):
        latest.setdefault(version.item_id, version)
    return latest


def practice_shown_items(*, test: str) -> set[int]:
    """Ids of the items of ``test`` that a practice form (published or retired) has
    shown, key and rationale included: they never go on an exam form again."""
    return set(
        FormItem.objects.filter(form__test=test, form__kind=FormKind.PRACTICE)
        .exclude(form__status=FormStatus.DRAFT)
        .values_list("item_version__item_id", flat=True)
        .distinct()
    )


def exam_live_items(*, test: str) -> set[int]:
    """Ids of the items of ``test`` on a published initial or recert form:
    candidates may still be asked them, whatever their status now."""
    return set(
        FormItem.objects.filter(
            form__test=test,
            form__status=FormStatus.PUBLISHED,
            form__kind__in=[FormKind.INITIAL, FormKind.RECERT],
        )
        .values_list("item_version__item_id", flat=True)
        .distinct()
    )


def exam_pool_versions(
    *, test: str, statuses: Collection[str] = LIVE_STATUSES
) -> dict[int, ItemVersion]:
    """The exam-form pool: per item id, the newest version among ``statuses`` of
    each exam-pool item that no practice form has shown."""
    shown = practice_shown_items(test=test)
    return {
        item_id: version
        for item_id, version in item_latest_versions(
            test=test, statuses=statuses
        ).items()
        if version.item.pool == ItemPool.EXAM and item_id not in shown
    }


def practice_pool_versions(*, test: str) -> dict[int, ItemVersion]:
    """The practice-form pool: per item id, the version a practice form may show.

    - A practice-pool item: its operational version.
    - An exam-pool item whose versions are all retired, the newest one approved
      (reviewed) and none on a published initial or recert form: that newest one.

    Never an exam item that is live (pretest or operational, or a newer version
    under way) or that candidates may still meet on a published exam form."""
    pool = {
        item_id: version
        for item_id, version in item_latest_versions(
            test=test, statuses=[ItemStatus.OPERATIONAL]
        ).items()
        if version.item.pool == ItemPool.PRACTICE
    }
    # Exam items with any version not retired are live or on their way back.
    unavailable = exam_live_items(test=test) | set(
        ItemVersion.objects.filter(item__test=test)
        .exclude(status=ItemStatus.RETIRED)
        .values_list("item_id", flat=True)
        .distinct()
    )
    for item_id, version in item_latest_versions(
        test=test, statuses=[ItemStatus.RETIRED]
    ).items():
        approved = bool(
            version.reviewed_at or version.reviewed_by_id or version.reviewed_by_label
        )
        if (
            version.item.pool == ItemPool.EXAM
            and approved
            and item_id not in unavailable
        ):
            pool[item_id] = version
    return pool


@dataclass(frozen=True, slots=True)
class RenewalPoolItem:
    """One renewal question that may be sent: its item, the version shown and the
    content area it covers."""

    item_id: int
    version_id: int
    area: str


def renewal_pool(tests: Iterable[str]) -> dict[str, list[RenewalPoolItem]]:
    """Per test, the renewal-pool items that may be sent this month: the operational
    version of each (ordered by item id, so a choice among them is repeatable)."""
    wanted = sorted(set(tests))
    versions = (
        ItemVersion.objects.filter(
            item__test__in=wanted,
            item__pool=ItemPool.RENEWAL,
            status=ItemStatus.OPERATIONAL,
        )
        .order_by("item_id", "-number")
        .values_list("item__test", "item_id", "id", "area")
    )
    pool: dict[str, list[RenewalPoolItem]] = {test: [] for test in wanted}
    seen: set[int] = set()
    for test, item_id, version_id, area in versions:
        if item_id in seen:
            continue
        seen.add(item_id)
        pool[test].append(RenewalPoolItem(item_id, version_id, area))
    return pool


def item_latest_version(item_id: int) -> ItemVersion | None:
    return ItemVersion.objects.filter(item_id=item_id).order_by("-number").first()


def item_exposure(
    *, item_ids: Iterable[int] | None = None, test: str | None = None
) -> dict[int, int]:
    """Per item id, how many published (live) forms use any version of it. Items on
    no live form are absent (exposure 0)."""
    rows = FormItem.objects.filter(form__status=FormStatus.PUBLISHED)
    if item_ids is not None:
        rows = rows.filter(item_version__item_id__in=list(item_ids))
    if test is not None:
        rows = rows.filter(form__test=test)
    counts = rows.values("item_version__item_id").annotate(
        n=Count("form_id", distinct=True)
    )
    return {row["item_version__item_id"]: row["n"] for row in counts}


def item_enemies(
    *, test: str | None = None, item_id: int | None = None
) -> dict[int, set[int]]:
    """Per item id, the ids of its enemies (both directions of each stored pair)."""
    pairs = ItemEnemy.objects.all()
    if test is not None:
        pairs = pairs.filter(a__test=test)
    if item_id is not None:
        pairs = pairs.filter(Q(a_id=item_id) | Q(b_id=item_id))
    enemies: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs.values_list("a_id", "b_id"):
        enemies[a].add(b)
        enemies[b].add(a)
    return dict(enemies)


def item_get(*, test: str, code: str) -> Item | None:
    return Item.objects.filter(test=test, code=code).first()


def form_items(form_id: int) -> list[FormItem]:
    """A form's items in position order, with their versions and items."""
    return list(
        FormItem.objects.filter(form_id=form_id)
        .select_related("item_version__item")
        .order_by("position")
    )


def form_list(*, test: str | None = None, status: str | None = None) -> list[Form]:
    forms = Form.objects.annotate(
        n_items=Count("items"), n_scored=Count("items", filter=Q(items__scored=True))
    )
    if test is not None:
        forms = forms.filter(test=test)
    if status is not None:
        forms = forms.filter(status=status)
    return list(forms)


# --- what can be delivered ----------------------------------------------------------
#
# A test is offered (for sale, for booking, for a proctor to authorise) only as far as
# it can be delivered: a candidate who buys and books a test with no published exam
# form would reach the proctor's "no form is published" refusal on the exam day. The
# question lives here, in the app that owns forms, and reads nothing above it, so
# commerce and scheduling (which must not import delivery) ask it without a cycle:
# itembank depends on the program, core, audit and accounts only.

# The kinds a candidate buys and books (commerce.LineKind has the same values).
EXAM_KINDS = (FormKind.INITIAL, FormKind.RECERT)


def deliverable(test: str, kind: str) -> bool:
    """Whether a published ``kind`` form of ``test`` exists: the one answer to "can
    this test be sold, booked and sat now"."""
    return Form.objects.filter(
        test=test, kind=kind, status=FormStatus.PUBLISHED
    ).exists()


def deliverable_pairs(tests: Collection[str] | None = None) -> set[tuple[str, str]]:
    """(test, kind) for every initial or recert kind with a published form, in one
    query (for pages listing many tests)."""
    forms = Form.objects.filter(status=FormStatus.PUBLISHED, kind__in=EXAM_KINDS)
    if tests is not None:
        forms = forms.filter(test__in=list(tests))
    return {(t, k) for t, k in forms.values_list("test", "kind").distinct()}


def not_deliverable_reason(test: str, kind: str) -> str:
    """Why ``test`` (as ``kind``) is not offered, in the candidate's words."""
    if kind == FormKind.RECERT:
        return _(
            "The %(test)s recertification test is not offered yet: no exam form of it"
            " is published."
        ) % {"test": test}
    return _("%(test)s is not offered yet: no exam form of it is published.") % {
        "test": test
    }
