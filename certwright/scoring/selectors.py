"""Reads: a form's responses as a matrix, runs, item histories, who may see them.

``form_response_matrix`` is how the psychometrics gets its data: every scored sitting
of a form (delivered attempts that were submitted or timed out, never a voided or a
practice attempt; and imported sittings) as one examinees × items matrix of option
codes in form-position order, with the key, which items are scored and their content
areas. Delivered answers come from one query (attempts left-joined to their
responses, three integers a row, streamed into numpy); imported ones from one more
(a byte string per sitting).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Count, IntegerField, Q, Value
from django.db.models.functions import Coalesce
from numpy.typing import NDArray

from certwright.core.roles import user_is_program_staff
from certwright.delivery.models import SCORED_STATUSES, Attempt, AttemptKind
from certwright.itembank.models import OPTION_LETTERS, Form, FormItem
from certwright.psychometrics.responses import OMIT
from certwright.scoring.models import (
    AnalysisRun,
    ExternalSitting,
    RunKind,
    RunStatus,
    Sources,
)


def can_analyse(user: Any) -> bool:
    """Item analyses show keys and statistics: program staff only
    (``user_is_program_staff``), to look and to start runs and apply results alike.
    A Django permission on the scoring models makes nobody else an analyst: it would
    show them every key."""
    return user_is_program_staff(user)


def check_analyst(user: Any) -> None:
    """PermissionDenied unless ``user`` may analyse (``can_analyse``): 403 whatever
    the id asked for, so the refusal reveals nothing about what exists."""
    if not can_analyse(user):
        raise PermissionDenied


@dataclass(frozen=True, slots=True)
class Column:
    """One position of the form."""

    position: int
    form_item_id: int
    version_id: int
    item_id: int
    code: str
    area: str
    scored: bool
    key: int

    @property
    def key_letter(self) -> str:
        return OPTION_LETTERS[self.key]


@dataclass(frozen=True, slots=True)
class ResponseMatrix:
    """A form's sittings: delivered rows first (``attempt_ids``), then imported."""

    columns: tuple[Column, ...]
    choices: NDArray[np.uint8]  # examinees × positions: 0-3, OMIT, NOT_SEEN
    attempt_ids: NDArray[np.int64]
    n_imported: int
    n_simulated: int

    @property
    def key(self) -> NDArray[np.uint8]:
        return np.array([c.key for c in self.columns], dtype=np.uint8)

    @property
    def scored(self) -> NDArray[np.bool_]:
        return np.array([c.scored for c in self.columns], dtype=bool)

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(c.area for c in self.columns)

    @property
    def n_delivered(self) -> int:
        return int(self.attempt_ids.size)

    @property
    def n(self) -> int:
        return int(self.choices.shape[0])


def form_columns(form_id: int) -> tuple[Column, ...]:
    rows = (
        FormItem.objects.filter(form_id=form_id)
        .order_by("position")
        .values_list(
            "position",
            "pk",
            "item_version_id",
            "item_version__item_id",
            "item_version__item__code",
            "area",
            "scored",
            "item_version__key",
        )
    )
    return tuple(Column(*row) for row in rows)


def delivered_sittings(form_id: int) -> Any:
    """The attempts whose answers count for the form's statistics."""
    return Attempt.objects.filter(form_id=form_id, status__in=SCORED_STATUSES).exclude(
        kind=AttemptKind.PRACTICE
    )


def _delivered(
    form_id: int, columns: tuple[Column, ...]
) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    # An attempt with no saved answer still counts (every item omitted): the join
    # from attempts to responses is a LEFT JOIN, its empty side coalesced to 0 / OMIT.
    rows = (
        delivered_sittings(form_id)
        .annotate(
            fi=Coalesce(
                "responses__form_item_id", Value(0), output_field=IntegerField()
            ),
            c=Coalesce("responses__choice", Value(OMIT), output_field=IntegerField()),
        )
        .order_by()
        .values_list("id", "fi", "c")
    )
    # The ORM builds the query; its rows are read straight off the cursor, three
    # integers each, into numpy: at 6 million rows (100k sittings of 60 items) the
    # ORM's own row iteration would double the time the database takes.
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        flat = np.fromiter(chain.from_iterable(cursor), dtype=np.int64).reshape(-1, 3)
    width = len(columns)
    if flat.size == 0:
        return np.empty((0, width), dtype=np.uint8), np.empty(0, dtype=np.int64)
    attempt_ids, row = np.unique(flat[:, 0], return_inverse=True)
    lookup = np.full(max(c.form_item_id for c in columns) + 1, -1, dtype=np.int64)
    lookup[[c.form_item_id for c in columns]] = np.arange(width)
    item = flat[:, 1]
    inside = (item > 0) & (item < lookup.size)
    col = np.full(item.shape, -1, dtype=np.int64)
    col[inside] = lookup[item[inside]]
    answered = col >= 0
    choices = np.full((attempt_ids.size, width), OMIT, dtype=np.uint8)
    choices[row[answered], col[answered]] = flat[answered, 2].astype(np.uint8)
    return choices, attempt_ids.astype(np.int64)


def _imported(
    form_id: int, width: int, *, simulated: bool | None = None
) -> tuple[NDArray[np.uint8], int]:
    sittings = ExternalSitting.objects.filter(form_id=form_id)
    if simulated is not None:
        sittings = sittings.filter(simulated=simulated)
    blobs: list[bytes] = []
    n_simulated = 0
    for blob, is_simulated in sittings.order_by("pk").values_list(
        "choices", "simulated"
    ):
        blobs.append(bytes(blob))
        n_simulated += is_simulated
    wrong = sum(1 for b in blobs if len(b) != width)
    if wrong:
        raise ValueError(
            f"{wrong} imported sitting(s) of form {form_id} do not hold one answer per "
            f"position ({width}): the form's items changed after the import"
        )
    data = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), width)
    return data, n_simulated


def form_response_matrix(form_id: int, *, sources: str = Sources.ALL) -> ResponseMatrix:
    """The form's scored sittings (see the module docstring); ``sources`` limits
    them to delivered or imported ones."""
    if sources not in Sources.values:
        raise ValueError(f"unknown sources {sources!r}: use {', '.join(Sources)}")
    columns = form_columns(form_id)
    width = len(columns)
    parts: list[NDArray[np.uint8]] = []
    attempt_ids = np.empty(0, dtype=np.int64)
    n_imported = n_simulated = 0
    if sources in (Sources.ALL, Sources.DELIVERED) and width:
        delivered, attempt_ids = _delivered(form_id, columns)
        parts.append(delivered)
    if sources in (Sources.ALL, Sources.IMPORTED) and width:
        imported, n_simulated = _imported(form_id, width)
        n_imported = imported.shape[0]
        parts.append(imported)
    choices = np.concatenate(parts) if parts else np.empty((0, width), dtype=np.uint8)
    return ResponseMatrix(
        columns=columns,
        choices=np.ascontiguousarray(choices),
        attempt_ids=attempt_ids,
        n_imported=n_imported,
        n_simulated=n_simulated,
    )


@dataclass(frozen=True, slots=True)
class FormSittings:
    delivered: int
    imported: int
    simulated: int


def form_sittings(form_id: int) -> FormSittings:
    """How many sittings of each source the form has (counts only)."""
    imported = ExternalSitting.objects.filter(form_id=form_id)
    return FormSittings(
        delivered=delivered_sittings(form_id).count(),
        imported=imported.count(),
        simulated=imported.filter(simulated=True).count(),
    )


@dataclass(frozen=True, slots=True)
class FormOverview:
    form: Form
    sittings: FormSittings
    latest: AnalysisRun | None


def forms_overview() -> list[FormOverview]:
    """Every form (practice forms aside) with its sittings and latest finished item
    analysis: four queries whatever the number of forms."""
    forms = list(
        Form.objects.exclude(kind="practice").order_by("test", "kind", "-number", "-pk")
    )
    delivered = dict(
        Attempt.objects.filter(status__in=SCORED_STATUSES)
        .exclude(kind=AttemptKind.PRACTICE)
        .values_list("form_id")
        .annotate(n=Count("pk"))
        .values_list("form_id", "n")
    )
    imported = {
        row["form_id"]: row
        for row in ExternalSitting.objects.values("form_id").annotate(
            n=Count("pk"), simulated=Count("pk", filter=Q(simulated=True))
        )
    }
    latest: dict[int, AnalysisRun] = {}
    runs = AnalysisRun.objects.filter(kind=RunKind.ANALYSIS, status=RunStatus.DONE)
    # A run's results are large; the overview needs only when and how many.
    for run in runs.defer("results").order_by("form_id", "-finished_at", "-pk"):
        latest.setdefault(run.form_id, run)
    return [
        FormOverview(
            form,
            FormSittings(
                delivered.get(form.pk, 0),
                imported.get(form.pk, {}).get("n", 0),
                imported.get(form.pk, {}).get("simulated", 0),
            ),
            latest.get(form.pk),
        )
        for form in forms
    ]


def runs_of(form_id: int, kind: str | None = None) -> list[AnalysisRun]:
    runs = AnalysisRun.objects.filter(form_id=form_id)
    if kind is not None:
        runs = runs.filter(kind=kind)
    return list(runs.order_by("-created_at", "-pk")[:20])


def latest_run(form_id: int, kind: str = RunKind.ANALYSIS) -> AnalysisRun | None:
    return (
        AnalysisRun.objects.filter(form_id=form_id, kind=kind, status=RunStatus.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def run_get(run_id: int) -> AnalysisRun | None:
    return AnalysisRun.objects.select_related("form").filter(pk=run_id).first()


@dataclass(frozen=True, slots=True)
class ItemHistoryRow:
    run: AnalysisRun
    form: Form
    version: int
    row: dict[str, Any]


def item_history(item_id: int) -> list[ItemHistoryRow]:
    """The item's statistics in every finished analysis of a form it was on, newest
    first: one row per (run, version)."""
    placements = FormItem.objects.filter(item_version__item_id=item_id).values_list(
        "form_id", "item_version_id", "item_version__number"
    )
    version_of_form = {form_id: (vid, number) for form_id, vid, number in placements}
    if not version_of_form:
        return []
    runs = (
        AnalysisRun.objects.filter(
            form_id__in=list(version_of_form),
            kind=RunKind.ANALYSIS,
            status=RunStatus.DONE,
        )
        .select_related("form")
        .order_by("-finished_at", "-pk")
    )
    history: list[ItemHistoryRow] = []
    for run in runs:
        version_id, number = version_of_form[run.form_id]
        for row in run.results.get("items", []):
            if row.get("version") == version_id:
                history.append(ItemHistoryRow(run, run.form, number, row))
    return history


def base_form_choices(form: Form) -> list[Form]:
    """Published or retired forms of the same test and kind (equating targets)."""
    return list(
        Form.objects.filter(test=form.test, kind=form.kind)
        .filter(Q(status="published") | Q(status="retired"))
        .exclude(pk=form.pk)
        .order_by("number")
    )


def common_items(form_id: int, other_id: int) -> set[int]:
    """Item ids on both forms (any version)."""
    mine = set(
        FormItem.objects.filter(form_id=form_id).values_list(
            "item_version__item_id", flat=True
        )
    )
    return mine & set(
        FormItem.objects.filter(form_id=other_id).values_list(
            "item_version__item_id", flat=True
        )
    )
