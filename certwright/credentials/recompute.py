"""Deriving certifications and titles from the stored facts, and writing only the
difference.

One code path serves a single technician (after a fact is recorded), a list of them
(after an import) and everyone (``certwright recompute --all``, the daily ``--due``
sweep): for a *chunk* of technicians the facts are read with one query per fact
table, ``rules.evaluate`` runs in Python, the result is diffed against the chunk's
stored rows (one query per derived table) and only the differences are written, with
bulk statements and one event per changed certification or title. Unchanged rows are
never touched, so recomputing without new facts writes nothing.

A single technician is done entirely under its row lock. A bulk chunk reads and
evaluates outside any transaction and then writes under the lock, redoing only the
technicians that moved meanwhile (``_recompute_chunk``); bulk runs are planned as
chunks up front, resumable, and can be shared out to worker processes.
docs/persistence.md has the whole picture.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from django.db import connection, connections, transaction
from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.dateparse import parse_date

from certwright import rules
from certwright.audit.bulk import rows_delete, rows_insert, rows_update
from certwright.audit.models import EventKind
from certwright.audit.services import (
    Actor,
    EventDraft,
    actor_split,
    event_record,
    events_record_bulk,
)
from certwright.candidates.models import Technician
from certwright.core.clock import today
from certwright.core.forking import can_fork
from certwright.core.prepared import execute_prepared, prepared_statements
from certwright.core.program import current_program
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    Outcome,
    RecomputeChunk,
    RecomputeRun,
    RecomputeRunStatus,
    RecomputeScope,
    RenewalCredit,
    TestResult,
    TitleHolding,
)
from certwright.credentials.selectors import (
    REF_CREDIT,
    CertRow,
    TechnicianScope,
    TitleRow,
    technicians_derived,
    technicians_facts,
)
from certwright.credentials.signals import certifications_changed, derived_withdrawn
from certwright.program.model import Program

DEFAULT_CHUNK_SIZE = 2000

# What ``renewal_credit_derive`` did.
CreditDerived = Literal["recomputed", "unchanged", "stale"]

# (id, facts_version, derived_version, next_change_on, derived_changes)
TechRow = tuple[int, int, int, dt.date | None, int]
_TECH_FIELDS = (
    "id", "facts_version", "derived_version", "next_change_on", "derived_changes",
)  # fmt: skip
_TECH_UPDATE = ("next_change_on", "derived_version", "derived_changes")

_CERT_INSERT = (
    "technician", "test", "status", "passed_on", "certified_on", "expires_on",
    "computed_as_of", "program_digest",
)  # fmt: skip
_CERT_UPDATE = (
    "status", "passed_on", "certified_on", "expires_on", "computed_as_of",
    "program_digest",
)  # fmt: skip
_TITLE_INSERT = ("technician", "title_id", "held", "since", "until", "computed_as_of")
_TITLE_UPDATE = ("held", "since", "until", "computed_as_of")
_CERT_STATE = ("status", "passed_on", "certified_on", "expires_on")
_TITLE_STATE = ("held", "since", "until")


@dataclass(slots=True)
class ChunkResult:
    processed: int = 0
    changed: int = 0  # technicians whose certifications or titles changed
    changed_ids: tuple[int, ...] = ()


@dataclass(slots=True)
class _Writes:
    cert_insert: list[tuple[Any, ...]]
    cert_update: list[tuple[Any, ...]]
    cert_delete: list[int]
    title_insert: list[tuple[Any, ...]]
    title_update: list[tuple[Any, ...]]
    title_delete: list[int]
    tech_update: list[tuple[Any, ...]]
    events: list[EventDraft]

    def count(self) -> int:
        """Derived-row writes so far (the technician updates and events aside)."""
        return (
            len(self.cert_insert) + len(self.cert_update) + len(self.cert_delete)
            + len(self.title_insert) + len(self.title_update) + len(self.title_delete)
        )  # fmt: skip


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _state_dict(names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    return {
        n: _iso(v) if isinstance(v, dt.date) else v
        for n, v in zip(names, values, strict=True)
    }


def _why(label: str, names: Sequence[str], before: Sequence[Any] | None,
         after: Sequence[Any] | None) -> str:  # fmt: skip
    """The event's reason: what moved, in one line ("A1: pending_experience →
    certified", "A5: expires_on 2030-01-02 → 2031-01-02")."""
    if before is None:
        assert after is not None
        return f"{label}: now {after[0]}" + "".join(
            f", {n} {_iso(v)}"
            for n, v in zip(names[1:], after[1:], strict=True)
            if v is not None
        )
    if after is None:
        return f"{label}: no longer derived from the facts (was {before[0]})"
    if before[0] != after[0]:
        head = f"{label}: {before[0]} → {after[0]}"
    else:
        head = f"{label}: still {after[0]}"
    moved = [
        f"{n} {_iso(b) or '-'} → {_iso(a) or '-'}"
        for n, b, a in zip(names[1:], before[1:], after[1:], strict=True)
        if b != a
    ]
    return head + (" (" + ", ".join(moved) + ")" if moved else "")


def _held_word(held: bool) -> str:
    return "held" if held else "not held"


def _diff_technician(
    tid: int,
    evaluation: rules.Evaluation,
    old_certs: dict[str, CertRow],
    old_titles: dict[str, TitleRow],
    *,
    as_of: dt.date,
    digest: str,
    w: _Writes,
) -> bool:
    """Append this technician's differences to ``w``; True if any row changed."""
    changed = False
    common = {"as_of": as_of.isoformat(), "program_digest": digest}
    for test, state in evaluation.certifications.items():
        new = (state.status, state.passed_on, state.certified_on, state.expires_on)
        old = old_certs.get(test)
        if old is None:
            w.cert_insert.append((tid, test, *new, as_of, digest))
        elif old[1:5] != new:
            w.cert_update.append((*new, as_of, digest, old[0]))
        else:
            if old[5] != digest:
                # Same state under a new program version: record the provenance
                # without an event, since nothing a person sees has changed.
                w.cert_update.append((*new, as_of, digest, old[0]))
            continue
        before = old[1:5] if old is not None else None
        w.events.append(
            EventDraft(
                EventKind.CERTIFICATION_CHANGED,
                f"certification:{test}",
                tid,
                {
                    "test": test,
                    "before": _state_dict(_CERT_STATE, before) if before else None,
                    "after": _state_dict(_CERT_STATE, new),
                    **common,
                },
                _why(test, _CERT_STATE, before, new),
            )
        )
        changed = True
    for test, old in old_certs.items():
        if test not in evaluation.certifications:
            w.cert_delete.append(old[0])
            w.events.append(
                EventDraft(
                    EventKind.CERTIFICATION_CHANGED,
                    f"certification:{test}",
                    tid,
                    {
                        "test": test,
                        "before": _state_dict(_CERT_STATE, old[1:5]),
                        "after": None,
                        **common,
                    },
                    _why(test, _CERT_STATE, old[1:5], None),
                )
            )
            changed = True

    new_titles = {
        title_id: (t.held, t.since, t.until)
        for title_id, t in evaluation.titles.items()
        # A title never held has no row: most technicians hold none of the titles.
        if t.since is not None
    }
    for title_id, new_t in new_titles.items():
        old_t = old_titles.get(title_id)
        if old_t is None:
            w.title_insert.append((tid, title_id, *new_t, as_of))
        elif old_t[1:4] != new_t:
            w.title_update.append((*new_t, as_of, old_t[0]))
        else:
            continue
        before_t = old_t[1:4] if old_t is not None else None
        w.events.append(
            EventDraft(
                EventKind.TITLE_CHANGED,
                f"title:{title_id}",
                tid,
                {
                    "title": title_id,
                    "before": _state_dict(_TITLE_STATE, before_t) if before_t else None,
                    "after": _state_dict(_TITLE_STATE, new_t),
                    **common,
                },
                _why(
                    title_id,
                    _TITLE_STATE,
                    (_held_word(before_t[0]), *before_t[1:]) if before_t else None,
                    (_held_word(new_t[0]), *new_t[1:]),
                ),
            )
        )
        changed = True
    for title_id, old_t in old_titles.items():
        if title_id not in new_titles:
            w.title_delete.append(old_t[0])
            w.events.append(
                EventDraft(
                    EventKind.TITLE_CHANGED,
                    f"title:{title_id}",
                    tid,
                    {
                        "title": title_id,
                        "before": _state_dict(_TITLE_STATE, old_t[1:4]),
                        "after": None,
                        **common,
                    },
                    _why(title_id, _TITLE_STATE, (_held_word(old_t[1]),), None),
                )
            )
            changed = True
    return changed


@dataclass(slots=True)
class _Plan:
    """A chunk's derived-state changes and the snapshot they were computed from:
    ``techs`` (the technician rows, read first) and the derived rows the writes
    assume are still stored."""

    techs: list[TechRow]
    old_certs: dict[int, dict[str, CertRow]]
    old_titles: dict[int, dict[str, TitleRow]]
    writes: _Writes
    changed_ids: list[int]


def _plan(techs: Sequence[TechRow], *, program: Program, as_of: dt.date) -> _Plan:
    """Read the facts and derived rows of ``techs``, evaluate, and diff."""
    scope = TechnicianScope([t[0] for t in techs])
    facts = technicians_facts(scope)
    old_certs, old_titles = technicians_derived(scope)
    digest = program.digest
    w = _Writes([], [], [], [], [], [], [], [])
    changed_ids: list[int] = []
    no_certs: dict[str, CertRow] = {}
    no_titles: dict[str, TitleRow] = {}
    evaluate = rules.evaluate
    for tid, facts_version, derived_version, next_change_on, derived_changes in techs:
        evaluation = evaluate(program, facts[tid], as_of, explain=False)
        writes_before = w.count()
        changed = _diff_technician(
            tid,
            evaluation,
            old_certs.get(tid, no_certs),
            old_titles.get(tid, no_titles),
            as_of=as_of,
            digest=digest,
            w=w,
        )
        if changed:
            changed_ids.append(tid)
        # Any derived write (even a provenance-only one) bumps derived_changes: it is
        # how a concurrent bulk chunk notices that its snapshot went stale.
        wrote = w.count() != writes_before
        if (
            wrote
            or evaluation.next_change_on != next_change_on
            or derived_version != facts_version
        ):
            w.tech_update.append(
                (
                    evaluation.next_change_on,
                    facts_version,
                    derived_changes + 1 if wrote else derived_changes,
                    tid,
                )
            )
    return _Plan(list(techs), old_certs, old_titles, w, changed_ids)


def _writes_apply(w: _Writes, *, actor: Actor) -> None:
    """Apply a plan's writes in bulk: deletes, updates, inserts, then their events."""
    rows_delete(Certification, w.cert_delete)
    rows_delete(TitleHolding, w.title_delete)
    rows_update(Certification, _CERT_UPDATE, w.cert_update)
    rows_update(TitleHolding, _TITLE_UPDATE, w.title_update)
    rows_insert(Certification, _CERT_INSERT, w.cert_insert)
    rows_insert(TitleHolding, _TITLE_INSERT, w.title_insert)
    rows_update(Technician, _TECH_UPDATE, w.tech_update)
    events_record_bulk(w.events, actor=actor)
    _changes_announce(w.events)


def _changes_announce(events: Sequence[EventDraft]) -> None:
    """Send ``signals.certifications_changed`` after commit, once, for the
    technicians whose certification rows changed (the payload is the events' own
    before/after)."""
    changes: dict[int, list[dict[str, Any]]] = {}
    for e in events:
        if e.kind == EventKind.CERTIFICATION_CHANGED and e.technician_id is not None:
            changes.setdefault(e.technician_id, []).append(
                {k: e.data[k] for k in ("test", "before", "after")}
            )
    if not changes or not certifications_changed.has_listeners():
        return
    transaction.on_commit(
        lambda: certifications_changed.send(sender=Certification, changes=changes)
    )


def _without(plan: _Plan, moved: set[int]) -> _Writes:
    """The plan's writes less those of the ``moved`` technicians."""
    w = plan.writes
    cert_ids = {r[0] for t in moved for r in plan.old_certs.get(t, {}).values()}
    title_ids = {r[0] for t in moved for r in plan.old_titles.get(t, {}).values()}
    return _Writes(
        cert_insert=[r for r in w.cert_insert if r[0] not in moved],
        cert_update=[r for r in w.cert_update if r[-1] not in cert_ids],
        cert_delete=[i for i in w.cert_delete if i not in cert_ids],
        title_insert=[r for r in w.title_insert if r[0] not in moved],
        title_update=[r for r in w.title_update if r[-1] not in title_ids],
        title_delete=[i for i in w.title_delete if i not in title_ids],
        tech_update=[r for r in w.tech_update if r[-1] not in moved],
        events=[e for e in w.events if e.technician_id not in moved],
    )


@contextmanager
def _derived_transaction() -> Iterator[None]:
    """The transaction that writes derived state.

    On PostgreSQL its commit does not wait for the WAL flush (``synchronous_commit
    off``, for this transaction only): everything it writes (certification and title
    rows, their events, the technician's bookkeeping, a chunk's ``done_at``) is
    derived from facts that were committed durably before. A crash can lose only
    the last such transactions whole, never half of one, and then the technicians
    are still stale (``derived_version`` behind ``facts_version``) or their chunk
    still open, so the next recompute or ``--due`` sweep derives them again. The
    facts themselves keep the server's setting.
    """
    # Inside a caller's transaction (which may be writing facts) the setting would
    # cover the caller's writes too: leave it alone there.
    relax = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if relax:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def _recompute_locked(
    techs: Sequence[TechRow], *, program: Program, as_of: dt.date, actor: Actor
) -> ChunkResult:
    """Derive and write ``techs``; the caller holds the transaction and row locks."""
    if not techs:
        return ChunkResult()
    plan = _plan(techs, program=program, as_of=as_of)
    _writes_apply(plan.writes, actor=actor)
    _withdrawn_send(plan.writes, actor)
    return ChunkResult(len(techs), len(plan.changed_ids), tuple(plan.changed_ids))


def _withdrawn_send(writes: _Writes, actor: Actor) -> None:
    """Tell listeners whose certifications were revoked or removed, or titles lost.

    Read from the change events already drafted (no query), and sent inside the
    writing transaction, so what listeners write (badges sets the status list bits
    of their signed credentials) commits or rolls back with it.
    """
    withdrawn = sorted(
        {
            e.technician_id
            for e in writes.events
            if e.technician_id is not None
            and (
                (after := e.data.get("after")) is None
                or after.get("status") == CertificationStatus.REVOKED
                or after.get("held") is False
            )
        }
    )
    if withdrawn:
        derived_withdrawn.send(
            sender=Certification, technician_ids=withdrawn, actor=actor
        )


def _locked(qs: QuerySet[Technician]) -> list[TechRow]:
    # Locks are taken here only, in primary-key order, so a bulk chunk and a
    # single-technician recompute (or a fact being recorded, which updates the same
    # row) queue up instead of deadlocking. On SQLite the IMMEDIATE transaction
    # already holds the one write lock.
    return list(qs.select_for_update().order_by("id").values_list(*_TECH_FIELDS))


def _recompute_chunk(
    candidates: QuerySet[Technician],
    *,
    program: Program,
    as_of: dt.date,
    actor: Actor,
    in_transaction: Callable[[ChunkResult], None] | None = None,
) -> ChunkResult:
    """Recompute the ``candidates`` (a chunk's worth), optimistically.

    The expensive part (reading ~7 facts per technician and evaluating them) runs
    outside any transaction, so on SQLite the write lock is held only for the writes
    and on PostgreSQL other workers can evaluate meanwhile. The technician rows are
    read first: every fact bumps ``facts_version`` and every derived write bumps
    ``derived_changes``, so if a technician's row is unchanged when the write
    transaction locks it, nothing the plan read about them has moved since. Anyone
    whose row did change is recomputed again under the lock; the others' planned
    writes are applied as they are.
    """
    techs: list[TechRow] = list(candidates.order_by("id").values_list(*_TECH_FIELDS))
    plan = _plan(techs, program=program, as_of=as_of) if techs else None
    with _derived_transaction():
        result = ChunkResult()
        if plan is not None:
            ids = [t[0] for t in plan.techs]
            locked = {t[0]: t for t in _locked(Technician.objects.filter(pk__in=ids))}
            moved = {t[0] for t in plan.techs if locked.get(t[0]) != t}
            writes = _without(plan, moved) if moved else plan.writes
            _writes_apply(writes, actor=actor)
            _withdrawn_send(writes, actor)
            kept = [tid for tid in plan.changed_ids if tid not in moved]
            again = _recompute_locked(
                [locked[t] for t in sorted(moved) if t in locked],
                program=program,
                as_of=as_of,
                actor=actor,
            )
            result = ChunkResult(
                len(plan.techs), len(kept) + again.changed, (*kept, *again.changed_ids)
            )
        if in_transaction is not None:
            in_transaction(result)
    return result


def technician_recompute(
    *, technician_id: int, as_of: dt.date | None = None, actor: Actor = None
) -> bool:
    """Recompute one technician's certifications and titles as of ``as_of`` (today).

    Returns True when a certification or title row changed. One technician's facts
    are a handful of rows, so everything happens under the lock.
    """
    program = current_program()
    day = as_of or today()
    with _derived_transaction():
        techs = _locked(Technician.objects.filter(pk=technician_id))
        if not techs:
            raise Technician.DoesNotExist(f"no technician with id {technician_id}")
        result = _recompute_locked(techs, program=program, as_of=day, actor=actor)
    return result.changed > 0


def renewal_credit_derive(
    *, technician_id: int, test: str, credit_id: int, actor: Actor = None
) -> CreditDerived:
    """Bring the technician's derived state up to the renewal credit ``credit_id``
    just recorded, inside the recording transaction (the caller holds the
    technician's row, locked by ``technician_facts_touch``).

    A credit moves derived state only through the days its test's credits earn an
    extension (``rules.credit_progress``; nothing else in ``rules.evaluate`` reads
    credits). So the credits of that test and its first pass are read (two
    queries) and the extension days compared with and without this credit:

    * unchanged (most credits: one more toward the next extension): the stored
      certifications and titles are already what a recompute would write, so they
      are only marked current (``derived_version``), if they were current before
      this fact (``"unchanged"``), else they stay stale (``"stale"``: the caller
      enqueues the usual recompute after commit);
    * changed (the credit completes an extension): the technician is recomputed
      here (``"recomputed"``), so the extension is stored, with its events, when
      the answer commits and shows on the portal at once.

    A credit dated after today (a time zone ahead of UTC) is not known today:
    ``"stale"``, for the usual recompute.
    """
    program = current_program()
    day = today()
    spec = program.tests.get(test)
    ref = f"{REF_CREDIT}:{credit_id}"
    credit_rows, first_pass = _credits_and_first_pass(technician_id, test, day)
    credits = sorted(
        (
            rules.RenewalCredit(test, date, f"{REF_CREDIT}:{pk}")
            for pk, date in credit_rows
        ),
        key=lambda c: (c.date, c.ref),
    )
    if spec is None or ref not in {c.ref for c in credits}:
        return "stale"

    def extension_days(these: list[rules.RenewalCredit]) -> list[dt.date]:
        progress = rules.credit_progress(program, spec, these, first_pass)
        return [d for d, _used in progress.granted]

    if extension_days(credits) != extension_days([c for c in credits if c.ref != ref]):
        technician_recompute(technician_id=technician_id, as_of=day, actor=actor)
        return "recomputed"
    # One behind: current before this fact, whose bump is the only one since.
    with connection.cursor() as cursor:
        _execute(
            cursor, "certwright_derived_current", _DERIVED_CURRENT, [technician_id]
        )
        current = cursor.rowcount
    return "unchanged" if current else "stale"


# A right renewal answer's reads and write (``renewal_credit_derive``), written out
# once: at the monthly peak the ORM's building of the two reads and the update cost
# more CPU than the database spent running them (bench/renewal.py). Both reads go
# in one statement and one round trip: the credits of the test, then one row with
# no id and the day of the first pass.
_CREDITS_AND_FIRST_PASS = """
SELECT id, date FROM {credit}
 WHERE technician_id = %s AND test = %s AND date <= %s
UNION ALL
SELECT NULL, MIN(date) FROM {result}
 WHERE technician_id = %s AND test = %s AND outcome = %s AND date <= %s
"""
_DERIVED_CURRENT = """
UPDATE {technician} SET derived_version = facts_version
 WHERE id = %s AND derived_version = facts_version - 1
"""


def _execute(cursor: Any, name: str, template: str, params: list[Any]) -> None:
    """``template`` (its tables named by model) run on ``cursor``, prepared per
    PostgreSQL session."""
    sql = _tables_named(template)
    if prepared_statements():
        execute_prepared(cursor, name, sql, params)
    else:
        cursor.execute(sql, params)


@functools.cache
def _tables_named(template: str) -> str:
    qn = connection.ops.quote_name
    return " ".join(
        template.format(
            credit=qn(RenewalCredit._meta.db_table),
            result=qn(TestResult._meta.db_table),
            technician=qn(Technician._meta.db_table),
        ).split()
    )


def _credits_and_first_pass(
    technician_id: int, test: str, day: dt.date
) -> tuple[list[tuple[int, dt.date]], dt.date | None]:
    """The technician's credits in ``test`` up to ``day`` (id, date), and the day
    of their first pass of it up to ``day``, if any."""
    with connection.cursor() as cursor:
        _execute(
            cursor,
            "certwright_credits_first_pass",
            _CREDITS_AND_FIRST_PASS,
            [technician_id, test, day, technician_id, test, Outcome.PASS.value, day],
        )
        rows = cursor.fetchall()
    credits: list[tuple[int, dt.date]] = []
    first_pass: dt.date | None = None
    for pk, date in rows:
        # SQLite gives the aggregate's date as text (its declared type is lost).
        value = parse_date(date) if isinstance(date, str) else date
        if pk is None:
            first_pass = value
        elif value is not None:
            credits.append((int(pk), value))
    return credits, first_pass


def technicians_recompute(
    *,
    technician_ids: Sequence[int],
    as_of: dt.date | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    actor: Actor = None,
) -> ChunkResult:
    """Recompute the given technicians, set-based, one transaction per chunk."""
    program = current_program()
    day = as_of or today()
    ids = sorted(set(technician_ids))
    total = ChunkResult()
    changed: list[int] = []
    for start in range(0, len(ids), chunk_size):
        result = _recompute_chunk(
            Technician.objects.filter(pk__in=ids[start : start + chunk_size]),
            program=program,
            as_of=day,
            actor=actor,
        )
        total.processed += result.processed
        total.changed += result.changed
        changed.extend(result.changed_ids)
    total.changed_ids = tuple(changed)
    return total


# --- bulk runs -----------------------------------------------------------------------


def _scope_filter(scope: str, as_of: dt.date) -> Q:
    stale = ~Q(facts_version=F("derived_version"))
    if scope == RecomputeScope.STALE:
        return stale
    if scope == RecomputeScope.DUE:
        # The daily sweep also picks up anyone left stale (a lost task, a crash
        # between commit and enqueue), so nothing stays wrong for more than a day.
        return Q(next_change_on__lte=as_of) | stale
    return Q()


def recompute_run_start(
    *,
    as_of: dt.date,
    scope: str = RecomputeScope.ALL,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    restart: bool = False,
    actor: Actor = None,
) -> RecomputeRun:
    """The unfinished run of this scope (resumed as of its own date), or a new one
    with its chunks planned.

    With ``restart`` an unfinished run is marked abandoned and a new one begins.
    """
    with transaction.atomic():
        unfinished = list(
            RecomputeRun.objects.select_for_update()
            .filter(scope=scope, status=RecomputeRunStatus.RUNNING)
            .order_by("id")
        )
        if unfinished and not restart:
            return unfinished[-1]
        for run in unfinished:
            run.status = RecomputeRunStatus.ABANDONED
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
        run = RecomputeRun.objects.create(
            as_of=as_of,
            scope=scope,
            chunk_size=chunk_size,
            actor_label=actor_split(actor)[1],
        )
        # Planning reads only ids (300k integers is a fraction of a second), so
        # every chunk is known up front: workers share them out and a resumed run
        # knows exactly what is left.
        ids = list(
            Technician.objects.filter(_scope_filter(scope, as_of))
            .order_by("id")
            .values_list("id", flat=True)
        )
        chunks = [
            RecomputeChunk(
                run=run,
                first_id=ids[i],
                last_id=ids[min(i + chunk_size, len(ids)) - 1],
                size=min(chunk_size, len(ids) - i),
            )
            for i in range(0, len(ids), chunk_size)
        ]
        RecomputeChunk.objects.bulk_create(chunks, batch_size=500)
        run.total = len(ids)
        run.save(update_fields=["total"])
    return run


def recompute_run_remaining(run: RecomputeRun) -> int:
    """How many technicians the run has still to visit (for a progress bar)."""
    return run.chunks.filter(done_at__isnull=True).aggregate(n=Sum("size"))["n"] or 0


def _chunk_do(chunk_id: int, *, program: Program, actor: Actor) -> ChunkResult:
    """Recompute one planned chunk and mark it done, in one transaction."""
    chunk = RecomputeChunk.objects.select_related("run").get(pk=chunk_id)
    if chunk.done_at is not None:
        return ChunkResult()
    run = chunk.run

    def bookkeeping(result: ChunkResult) -> None:
        # In the chunk's own transaction. The run's row lock makes workers take
        # turns here, so each sees the chunks the others committed before it.
        list(RecomputeRun.objects.select_for_update().filter(pk=run.pk).values("id"))
        # If the chunk was finished meanwhile (a second process on the same run),
        # this transaction's writes were a no-op recompute: count nothing twice.
        claimed = RecomputeChunk.objects.filter(pk=chunk_id, done_at=None).update(
            done_at=timezone.now(), processed=result.processed, changed=result.changed
        )
        if not claimed:
            return
        # Everything before the first chunk still open is done.
        bounds = RecomputeChunk.objects.filter(run_id=run.pk).aggregate(
            first_open=Min("first_id", filter=Q(done_at=None)), end=Max("last_id")
        )
        done_to = (
            bounds["end"] if bounds["first_open"] is None else bounds["first_open"] - 1
        )
        RecomputeRun.objects.filter(pk=run.pk).update(
            processed=F("processed") + result.processed,
            changed=F("changed") + result.changed,
            last_technician_id=done_to,
        )

    return _recompute_chunk(
        Technician.objects.filter(
            _scope_filter(run.scope, run.as_of),
            pk__gte=chunk.first_id,
            pk__lte=chunk.last_id,
        ),
        program=program,
        as_of=run.as_of,
        actor=actor,
        in_transaction=bookkeeping,
    )


def _worker_chunk(args: tuple[int, str]) -> int:
    """A worker process's share: one chunk (a module function, so it pickles)."""
    chunk_id, actor_label = args
    return _chunk_do(chunk_id, program=current_program(), actor=actor_label).processed


def recompute_run_continue(
    run: RecomputeRun,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    actor: Actor = None,
) -> RecomputeRun:
    """Do the run's remaining chunks, in this process or in ``workers`` processes.

    Each chunk commits its writes together with its ``done_at``, so stopping at any
    moment (Ctrl-C, a crash, a deploy) loses at most the chunks in flight.
    """
    program = current_program()
    pending = list(
        run.chunks.filter(done_at__isnull=True)
        .order_by("first_id")
        .values_list("id", flat=True)
    )
    if workers > 1 and len(pending) > 1 and can_fork():
        label = actor_split(actor)[1]
        # Forked children must not share the parent's database connection.
        connections.close_all()
        context = multiprocessing.get_context("fork")
        with context.Pool(min(workers, len(pending))) as pool:
            for processed in pool.imap_unordered(
                _worker_chunk, [(c, label) for c in pending]
            ):
                if progress is not None:
                    progress(processed)
    else:
        for chunk_id in pending:
            result = _chunk_do(chunk_id, program=program, actor=actor)
            if progress is not None:
                progress(result.processed)
    _run_finish(run, program=program, workers=workers, actor=actor)
    run.refresh_from_db()
    return run


def _run_finish(
    run: RecomputeRun, *, program: Program, workers: int | str, actor: Actor
) -> bool:
    """Mark the run finished, with its event, once: under the run's row lock, and
    only while it is still running with no chunk left open. True if this call
    finished it."""
    with transaction.atomic():
        locked = RecomputeRun.objects.select_for_update().get(pk=run.pk)
        if (
            locked.status != RecomputeRunStatus.RUNNING
            or locked.chunks.filter(done_at__isnull=True).exists()
        ):
            return False
        locked.status = RecomputeRunStatus.FINISHED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        event_record(
            kind=EventKind.RECOMPUTE_RUN,
            subject=f"recompute:{locked.pk}",
            actor=actor,
            data={
                "scope": locked.scope,
                "as_of": locked.as_of.isoformat(),
                "processed": locked.processed,
                "changed": locked.changed,
                "workers": workers,
                "program_digest": program.digest,
                "started_at": locked.started_at.isoformat(),
            },
            reason=f"recompute {locked.scope} as of {locked.as_of.isoformat()}: "
            f"{locked.processed} technicians, {locked.changed} changed",
        )
    return True


def _chunk_claim(run_id: int) -> int | None:
    """An open chunk of the run, row-locked in the caller's transaction: one no other
    process holds (SKIP LOCKED), else the first one held, waiting for its holder.

    Waiting is what makes a killed process harmless: its transaction dies with its
    connection, the lock is released, and the waiter finds the chunk still open and
    does it. None when every chunk is done, or when the one waited for was done
    by its holder.
    """
    open_chunks = RecomputeChunk.objects.filter(
        run_id=run_id, done_at__isnull=True
    ).order_by("first_id")
    free = open_chunks.select_for_update(skip_locked=True).values_list("id", flat=True)
    chunk_id = free.first()
    if chunk_id is None:
        chunk_id = open_chunks.select_for_update().values_list("id", flat=True).first()
    return chunk_id


def recompute_run_drain(run: RecomputeRun, *, actor: Actor = None) -> int:
    """Do the run's open chunks, one transaction each, until none is left; any
    number of processes on any hosts may drain the same run at once (the task
    queue's workers: ``certwright recompute --all --enqueue``).

    Each chunk is claimed by a row lock held while it is computed and committed
    with its writes and its ``done_at``, so a chunk is done exactly once, and a
    process killed mid-chunk loses nothing: its transaction rolls back and another
    drainer does the chunk (``_chunk_claim``). The drainer that sees the last
    chunk done finishes the run. Returns how many technicians this call visited.
    """
    program = current_program()
    visited = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # As _derived_transaction: derived writes need no WAL flush wait.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            chunk_id = _chunk_claim(run.pk)
            if chunk_id is None:
                # The chunk waited for was done meanwhile (PostgreSQL then returns
                # no row): look again while any is open.
                if run.chunks.filter(done_at__isnull=True).exists():
                    continue
                break
            visited += _chunk_do(chunk_id, program=program, actor=actor).processed
    _run_finish(run, program=program, workers="queue", actor=actor)
    return visited


def certifications_recompute_all(
    *,
    as_of: dt.date | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    only_stale: bool = False,
    due_only: bool = False,
    restart: bool = False,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    actor: Actor = None,
) -> RecomputeRun:
    """Recompute every technician (or the stale, or the due) in primary-key chunks.

    Resumes an unfinished run of the same scope unless ``restart``.
    """
    scope = (
        RecomputeScope.DUE
        if due_only
        else RecomputeScope.STALE
        if only_stale
        else RecomputeScope.ALL
    )
    run = recompute_run_start(
        as_of=as_of or today(),
        scope=scope,
        chunk_size=chunk_size,
        restart=restart,
        actor=actor,
    )
    return recompute_run_continue(run, workers=workers, progress=progress, actor=actor)
