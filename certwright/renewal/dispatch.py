"""The monthly dispatch: each subscribed certification's renewal questions for the
month, chosen to cover the content areas over the year, and one e-mail per
technician saying questions are waiting.

``renewal_dispatch`` is safe to run as often as wanted (hourly, so that the first of
the month is met in every time zone): a question is one row unique per (subscribed
certification, month, seq) and per (subscribed certification, item), so a second
run for the same month finds nothing to send and two runs at once cannot send a
month twice. Only the month in progress is sent: a month the dispatch missed
entirely is not made up once it has ended (its credits could not count anyway,
see ``answer_by_for``).

Built for a million subscribed certifications: technicians are taken in chunks by
id, each chunk reads its subscriptions, what still needs sending and the history in
a few queries, and writes its e-mails and questions with one insert each. No event
per question: one ``renewal_dispatch.run`` event per run, with the counts.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.models import Technician
from certwright.core.clock import now
from certwright.core.forking import can_fork
from certwright.core.program import current_program
from certwright.itembank.selectors import RenewalPoolItem, item_enemies, renewal_pool
from certwright.notifications.services import (
    Mail,
    email_marks_fill,
    email_render,
    email_store_many,
)
from certwright.program.model import Program
from certwright.renewal.models import (
    Question,
    QuestionStatus,
    SubscribedCertification,
    Subscription,
    SubscriptionStatus,
)
from certwright.rules import dates

DISPATCH_ACTOR = "renewal_dispatch"
# Technicians per chunk: a few thousand rows per query and per insert.
CHUNK = 2000
EMAIL_TEMPLATE = "renewal_questions"
# Rendering the e-mail costs more than storing it: it is rendered once per kind of
# message (count, tests, answer-by) with this mark where the name goes, which each
# technician's message then replaces (HTML-escaped in the HTML part).
NAME_MARK = "RENEWAL-NAME-MARK-3F9C"


@dataclass(slots=True)
class DispatchSummary:
    """What one run did."""

    technicians: int = 0  # technicians sent at least one question
    sent: int = 0  # questions sent
    emails: int = 0  # "questions are waiting" e-mails queued
    no_item: int = 0  # questions not sent: no renewal item left that may be sent
    expired: int = 0  # waiting questions past their answer window
    timed_out: int = 0  # opened questions past their time limit
    months: list[str] = field(default_factory=list)  # the months sent for

    def add(self, done: _ChunkDone) -> None:
        self.technicians += done.technicians
        self.sent += done.sent
        self.emails += done.emails
        self.no_item += done.no_item


@lru_cache(maxsize=512)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_date(at: dt.datetime, time_zone: str) -> dt.date:
    """The calendar day ``at`` falls on in ``time_zone``."""
    return at.astimezone(_zone(time_zone)).date()


def month_due(
    *, starts_on: dt.date, ends_on: dt.date, time_zone: str, at: dt.datetime
) -> dt.date | None:
    """The month (its first day) a subscription is owed questions for at ``at``:
    the month in progress in the technician's time zone, from the month holding
    ``starts_on`` (sent at once on the start day, even mid-month) to the month
    before the one holding ``ends_on`` (twelve in a year). None before the start or
    after the last month."""
    day = local_date(at, time_zone)
    if day < starts_on:
        return None
    month = day.replace(day=1)
    if month >= ends_on.replace(day=1):
        return None
    return month


def moment_words(at: dt.datetime, time_zone: str) -> str:
    """``at`` as the technician reads it: their local date and time, and the zone."""
    return f"{at.astimezone(_zone(time_zone)):%Y-%m-%d %H:%M} ({time_zone})"


def answer_by_for(
    *, dispatched_at: dt.datetime, month: dt.date, time_zone: str, window_days: int
) -> dt.datetime:
    """The last moment a question dispatched at ``dispatched_at`` for ``month`` is
    answered: ``answer_window_days`` later, but never past the end of the month in
    the technician's time zone.

    Why the month cap: the rules core counts at most ``questions_per_month``
    credits per calendar month of the credit's date (``rules.engine._extensions``),
    and a credit's date is the answer's day in the technician's time zone. A
    question of January answered on February 3rd would be a February credit and
    crowd out February's own question, which would then earn nothing."""
    next_month = dates.add_months(month, 1)
    month_end = dt.datetime.combine(next_month, dt.time(0), tzinfo=_zone(time_zone))
    window_end = dispatched_at + dt.timedelta(days=window_days)
    return min(window_end, month_end.astimezone(dt.UTC))


def area_weights(program: Program, test: str, month: dt.date) -> dict[str, float]:
    """Each content area's share of the test's blueprint in force that month (its
    scored questions; 1 where the count is not published)."""
    spec = program.tests.get(test)
    if spec is None:
        return {}
    blueprint = spec.blueprint_on(month) or (
        spec.blueprints[0] if spec.blueprints else None
    )
    if blueprint is None:
        return {}
    return {a.code: float(a.questions or 1) for a in blueprint.areas}


def question_pick(
    *,
    pool: Sequence[RenewalPoolItem],
    weights: dict[str, float],
    asked: Mapping[str, int],
    in_subscription: set[int],
    blocked: set[int],
    seen: set[int],
    spread: int,
    by_area: dict[str, list[RenewalPoolItem]] | None = None,
    orders: dict[tuple[tuple[str, int], ...], list[str]] | None = None,
) -> RenewalPoolItem | None:
    """The renewal item to send next, or None when none may be sent.

    Never an item already sent in this subscription (``in_subscription``) nor an
    enemy of one ever sent to the technician (``blocked``); an item they have never
    seen in any subscription before one they have. The area is the one asked least
    for its blueprint weight (asked / weight), so a year covers the areas in the
    blueprint's proportions; ties go to the heavier area, then the code. Among the
    area's items ``spread`` (the technician and month) says where to start looking,
    so technicians do not all get the same question the same month. ``by_area``:
    the pool grouped by ``pool_by_area``, when the caller keeps it; ``orders``: the
    areas' order by the counts asked, kept by the caller across calls with the same
    pool and weights (most technicians have the same counts)."""
    groups = by_area if by_area is not None else pool_by_area(pool)
    # The counts as they are (the order they were first asked in): a few keys
    # more than needed, much cheaper than one per area of the pool.
    counts = tuple(asked.items())
    order = orders.get(counts) if orders is not None else None
    if order is None:
        order = _area_order(groups, weights, asked)
        if orders is not None:
            orders[counts] = order
    # Never seen first; only when no area has one, any allowed item.
    for fresh_only in (True, False):
        for area in order:
            items = groups[area]
            start = spread % len(items)
            # From the spread's place round the area's items: the first allowed.
            for k in range(len(items)):
                p = items[(start + k) % len(items)]
                if p.item_id in in_subscription or p.item_id in blocked:
                    continue
                if fresh_only and p.item_id in seen:
                    continue
                return p
    return None


def _area_order(
    groups: dict[str, list[RenewalPoolItem]],
    weights: dict[str, float],
    asked: Mapping[str, int],
) -> list[str]:
    """The areas, the one asked least for its weight first (see ``question_pick``)."""
    smallest = min(weights.values(), default=1.0)

    def weight(area: str) -> float:
        # An area the blueprint does not name weighs least.
        return weights.get(area, smallest)

    return sorted(groups, key=lambda a: (asked.get(a, 0) / weight(a), -weight(a), a))


def pool_by_area(pool: Sequence[RenewalPoolItem]) -> dict[str, list[RenewalPoolItem]]:
    """A test's renewal pool grouped by content area (pool order kept)."""
    groups: dict[str, list[RenewalPoolItem]] = defaultdict(list)
    for p in pool:
        groups[p.area].append(p)
    return dict(groups)


def _questions_url() -> str:
    return str(settings.CERTWRIGHT_SITE_URL).rstrip("/") + reverse(
        "renewal_questions:list"
    )


@dataclass(slots=True)
class _History:
    """What one technician was sent before, across their subscriptions."""

    seen: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    # per subscribed certification: its items and how often each area was asked
    items: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # (plain dicts: a Counter costs more to make than a question to choose)
    areas: dict[int, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(
        self, subscribed_id: int, item_id: int, area: str, enemies: set[int]
    ) -> None:
        self.seen.add(item_id)
        self.blocked |= enemies
        self.items[subscribed_id].add(item_id)
        counts = self.areas[subscribed_id]
        counts[area] = counts.get(area, 0) + 1


def _sweep_lapsed(at: dt.datetime) -> tuple[int, int]:
    """Questions whose time is over: waiting ones past the answer window expire,
    opened ones past their time limit time out (the answering page does the same
    for its own question; this keeps the lists and counts honest)."""
    expired = Question.objects.filter(
        status=QuestionStatus.WAITING, answer_by__lte=at
    ).update(status=QuestionStatus.EXPIRED)
    timed_out = Question.objects.filter(
        status=QuestionStatus.OPEN, due_at__lte=at
    ).update(status=QuestionStatus.TIMED_OUT)
    return expired, timed_out


def renewal_dispatch(
    *, at: dt.datetime | None = None, actor: Actor = DISPATCH_ACTOR, workers: int = 1
) -> DispatchSummary:
    """Send every question due at ``at`` (default now) and e-mail each technician
    who got one; expire and time out what is past its time. Returns the counts.

    The technicians are taken in id ranges of about ``CHUNK``, each range in its
    own transaction; with ``workers`` > 1 the ranges are shared among that many
    forked processes (the ranges are independent: every subscription of a
    technician falls in one, and a range that meets a concurrent run's rows is read
    again). One process was CPU-bound on picking and storing (bench/renewal.py)."""
    moment = at or now()
    program = current_program()
    policy = program.renewal
    summary = DispatchSummary()
    summary.expired, summary.timed_out = _sweep_lapsed(moment)

    day = moment.astimezone(dt.UTC).date()
    # Time zones run from UTC-12 to UTC+14: a subscription due anywhere at
    # ``moment`` starts by tomorrow (UTC) and ends after yesterday.
    active = Subscription.objects.filter(
        status=SubscriptionStatus.ACTIVE,
        starts_on__lte=day + dt.timedelta(days=1),
        ends_on__gt=day - dt.timedelta(days=1),
    )
    context = _RunContext(program=program, moment=moment)
    ranges = _ranges(active)
    if workers > 1 and len(ranges) > 1 and can_fork():
        global _forked
        _forked = (context, active)
        # Forked children must not share the parent's database connection.
        connections.close_all()
        try:
            with mp.get_context("fork").Pool(min(workers, len(ranges))) as pool:
                for done, months in pool.imap_unordered(_range_in_child, ranges):
                    summary.add(done)
                    context.months |= months
        finally:
            _forked = None
    else:
        for low, high in ranges:
            summary.add(_range_dispatch(context, active, low, high))
    summary.months = sorted(m.isoformat() for m in context.months)
    event_record(
        kind=EventKind.RENEWAL_DISPATCH_RUN,
        subject=f"renewal_dispatch:{moment.isoformat()}",
        actor=actor,
        data=asdict(summary)
        | {"at": moment.isoformat(), "questions_per_month": policy.questions_per_month},
        reason=f"{summary.sent} renewal question(s) sent to {summary.technicians}"
        " technician(s)",
    )
    return summary


def _ranges(active: QuerySet[Subscription]) -> list[tuple[int, int]]:
    """The technician id ranges (low, high] of about ``CHUNK`` technicians each
    that hold every active subscription: keyset pagination, so every subscription
    of a technician falls in one range (one e-mail per technician per run). Ranges,
    not lists of ids, in every query of a range: a list of thousands of parameters
    costs more to send than the rows it selects."""
    ranges: list[tuple[int, int]] = []
    last = 0
    while True:
        ordered = active.filter(technician_id__gt=last).order_by("technician_id")
        edge = list(ordered.values_list("technician_id", flat=True)[CHUNK - 1 : CHUNK])
        if edge:
            high = edge[0]
        else:
            tail = ordered.reverse().values_list("technician_id", flat=True)[:1]
            if not tail:
                return ranges
            high = tail[0]
        ranges.append((last, high))
        last = high


def _range_dispatch(
    context: _RunContext, active: QuerySet[Subscription], low: int, high: int
) -> _ChunkDone:
    """One range in one transaction, read again once if a concurrent run sent part
    of it between our read and our insert (then only what is still missing)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _dispatch_chunk(
                    context=context, subscriptions=active, low=low, high=high
                )
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


# The run's context and subscriptions, inherited by forked workers (set only while a
# pool runs).
_forked: tuple[_RunContext, QuerySet[Subscription]] | None = None


def _range_in_child(bounds: tuple[int, int]) -> tuple[_ChunkDone, set[dt.date]]:
    assert _forked is not None
    context, active = _forked
    done = _range_dispatch(context, active, *bounds)
    return done, set(context.months)


@dataclass(slots=True)
class _RunContext:
    """What every chunk of one run shares: the program, the pools, the enemies."""

    program: Program
    moment: dt.datetime
    pools: dict[str, list[RenewalPoolItem]] = field(default_factory=dict)
    enemies: dict[int, set[int]] = field(default_factory=dict)
    groups: dict[str, dict[str, list[RenewalPoolItem]]] = field(default_factory=dict)
    weights: dict[tuple[str, dt.date], dict[str, float]] = field(default_factory=dict)
    months: set[dt.date] = field(default_factory=set)
    # The areas' order by counts asked, per (test, month): see ``question_pick``.
    orders: dict[tuple[str, dt.date], dict[tuple[tuple[str, int], ...], list[str]]] = (
        field(default_factory=lambda: defaultdict(dict))
    )
    # The moment is the run's: the answer-by per (month, zone) and its words.
    answer_bys: dict[tuple[dt.date, str], dt.datetime] = field(default_factory=dict)
    words: dict[tuple[dt.datetime, str], str] = field(default_factory=dict)

    def pool(self, test: str) -> list[RenewalPoolItem]:
        if test not in self.pools:
            self.pools.update(renewal_pool([test]))
            self.groups[test] = pool_by_area(self.pools[test])
            # Enemy pairs are stored within a test; both directions are returned.
            self.enemies.update(item_enemies(test=test))
        return self.pools[test]

    rendered_by_kind: dict[tuple[object, ...], tuple[str, str, str]] = field(
        default_factory=dict
    )

    def rendered(
        self, count: int, tests: tuple[str, ...], when: str, url: str, minutes: int
    ) -> tuple[str, str, str]:
        """(subject, text, html) of the e-mail of this kind, the name a mark."""
        key = (count, tests, when, url, minutes)
        if key not in self.rendered_by_kind:
            self.rendered_by_kind[key] = email_render(
                template=EMAIL_TEMPLATE,
                context={
                    "name": NAME_MARK,
                    "count": count,
                    "tests": list(tests),
                    "answer_by": when,
                    "questions_url": url,
                    "time_limit_minutes": minutes,
                },
            )
        return self.rendered_by_kind[key]

    def answer_by(self, month: dt.date, zone: str) -> dt.datetime:
        key = (month, zone)
        if key not in self.answer_bys:
            self.answer_bys[key] = answer_by_for(
                dispatched_at=self.moment,
                month=month,
                time_zone=zone,
                window_days=self.program.renewal.answer_window_days,
            )
        return self.answer_bys[key]

    def moment_words(self, at: dt.datetime, zone: str) -> str:
        key = (at, zone)
        if key not in self.words:
            self.words[key] = moment_words(at, zone)
        return self.words[key]

    def weights_of(self, test: str, month: dt.date) -> dict[str, float]:
        key = (test, month)
        if key not in self.weights:
            self.weights[key] = area_weights(self.program, test, month)
        return self.weights[key]


@dataclass(slots=True)
class _NewQuestion:
    """A question about to be written, by the names of ``Question``'s columns
    (lighter than a model instance, of which a run makes a million)."""

    subscribed_id: int
    technician_id: int
    test: str
    month: dt.date
    seq: int
    item_id: int
    item_version_id: int
    area: str
    dispatched_at: dt.datetime
    answer_by: dt.datetime
    status: str = QuestionStatus.WAITING.value
    email_id: int | None = None


@dataclass(slots=True)
class _ChunkDone:
    technicians: int = 0
    sent: int = 0
    emails: int = 0
    no_item: int = 0


def _dispatch_chunk(
    *,
    context: _RunContext,
    subscriptions: QuerySet[Subscription],
    low: int,
    high: int,
) -> _ChunkDone:
    """The technicians with ids in (``low``, ``high``], in the caller's
    transaction."""
    in_range = {"technician_id__gt": low, "technician_id__lte": high}
    policy = context.program.renewal
    per_month = policy.questions_per_month
    moment = context.moment
    done = _ChunkDone()
    due: dict[int, tuple[dt.date, str]] = {}  # subscription id -> (month, zone)
    for sid, starts_on, ends_on, zone in subscriptions.filter(**in_range).values_list(
        "id", "starts_on", "ends_on", "time_zone"
    ):
        month = month_due(
            starts_on=starts_on, ends_on=ends_on, time_zone=zone, at=moment
        )
        if month is not None:
            due[sid] = (month, zone)
    if not due:
        return done
    # The certifications still owed this month's last question: an anti-join, so a
    # second run reads almost nothing. Grouped by month (subscriptions in far apart
    # time zones may be in different months at the turn of one).
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for sid, (month, _zone_name) in due.items():
        by_month[month].append(sid)
    owed: list[tuple[int, int, int, str, dt.date]] = []
    for month, sids in by_month.items():
        wanted = set(sids)
        already = Question.objects.filter(
            subscribed=OuterRef("pk"), month=month, seq__gte=per_month
        )
        owed.extend(
            (scid, sid, tid, test, month)
            for scid, sid, tid, test in SubscribedCertification.objects.filter(
                **in_range
            )
            .exclude(Exists(already))
            .values_list("id", "subscription_id", "technician_id", "test")
            if sid in wanted
        )
    if not owed:
        return done
    context.months.update(month for *_, month in owed)
    history: dict[int, _History] = defaultdict(_History)
    sent_seqs: set[tuple[int, dt.date, int]] = set()
    for tid, scid, month, seq, item_id, area, test in Question.objects.filter(
        **in_range
    ).values_list(
        "technician_id", "subscribed_id", "month", "seq", "item_id", "area", "test"
    ):
        context.pool(test)
        history[tid].add(scid, item_id, area, context.enemies.get(item_id, set()))
        sent_seqs.add((scid, month, seq))

    new: list[_NewQuestion] = []
    zones: dict[int, str] = {}
    for scid, sid, tid, test, month in sorted(owed, key=lambda o: (o[2], o[3])):
        pool = context.pool(test)
        weights = context.weights_of(test, month)
        past = history[tid]
        for seq in range(1, per_month + 1):
            if (scid, month, seq) in sent_seqs:
                continue
            pick = question_pick(
                pool=pool,
                weights=weights,
                asked=past.areas[scid],
                in_subscription=past.items[scid],
                blocked=past.blocked,
                seen=past.seen,
                spread=tid + month.year * 12 + month.month + seq,
                by_area=context.groups[test],
                orders=context.orders[test, month],
            )
            if pick is None:
                done.no_item += 1
                continue
            past.add(
                scid, pick.item_id, pick.area, context.enemies.get(pick.item_id, set())
            )
            zone = due[sid][1]
            zones[tid] = zone
            new.append(
                _NewQuestion(
                    subscribed_id=scid,
                    technician_id=tid,
                    test=test,
                    month=month,
                    seq=seq,
                    item_id=pick.item_id,
                    item_version_id=pick.version_id,
                    area=pick.area,
                    dispatched_at=moment,
                    answer_by=context.answer_by(month, zone),
                )
            )
    if not new:
        return done
    email_of = _emails(context, new, zones, in_range)
    for question in new:
        question.email_id = email_of.get(question.technician_id)
    _questions_insert(new)
    done.sent = len(new)
    done.technicians = len({q.technician_id for q in new})
    done.emails = len(set(email_of.values()))
    return done


# The columns a dispatched question is written with; the others start empty.
_COPIED = (
    "subscribed", "technician", "test", "month", "seq", "item", "item_version",
    "area", "dispatched_at", "answer_by", "status", "email_id",
)  # fmt: skip


def _questions_insert(new: list[_NewQuestion]) -> None:
    """Write the chunk's questions: PostgreSQL's COPY there (Django's bulk insert
    spends more time preparing a hundred thousand rows than the database takes to
    write them), a bulk insert elsewhere. A unique constraint broken (a concurrent
    run) is an ``IntegrityError`` either way."""
    if connection.vendor != "postgresql":
        Question.objects.bulk_create(
            (Question(**asdict(q)) for q in new), batch_size=2000
        )
        return
    meta = Question._meta
    fields = [meta.get_field(name) for name in _COPIED]
    columns = ", ".join(
        connection.ops.quote_name(getattr(f, "column", "")) for f in fields
    )
    sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for q in new:
            # In the order of ``_COPIED``.
            copy.write_row(
                (
                    q.subscribed_id, q.technician_id, q.test, q.month, q.seq,
                    q.item_id, q.item_version_id, q.area, q.dispatched_at,
                    q.answer_by, q.status, q.email_id,
                )
            )  # fmt: skip


def _emails(
    context: _RunContext,
    new: list[_NewQuestion],
    zones: dict[int, str],
    in_range: dict[str, int],
) -> dict[int, int]:
    """One "questions are waiting" e-mail per technician of ``new`` who has an
    address; technician id -> the stored e-mail's id."""
    per_tech: dict[int, list[_NewQuestion]] = defaultdict(list)
    for question in new:
        per_tech[question.technician_id].append(question)
    rows = Technician.objects.filter(
        pk__gt=in_range["technician_id__gt"], pk__lte=in_range["technician_id__lte"]
    ).values_list("pk", "name", "email", "user__email")
    url = _questions_url()
    minutes = context.program.renewal.time_limit_minutes
    tids: list[int] = []
    messages: list[Mail] = []
    for tid, name, own, account in sorted(rows):
        if tid not in per_tech:
            continue
        address = own or account or ""
        if not address:
            continue
        questions = per_tech[tid]
        tests = tuple(sorted({q.test for q in questions}))
        # In the technician's own time zone, as the app shows it.
        when = context.moment_words(min(q.answer_by for q in questions), zones[tid])
        subject, text, html = email_marks_fill(
            context.rendered(len(questions), tests, when, url, minutes),
            {NAME_MARK: name},
        )
        tids.append(tid)
        messages.append(
            Mail(
                to=address,
                subject=subject,
                text=text,
                html=html,
                template=EMAIL_TEMPLATE,
            )
        )
    ids = email_store_many(messages)
    return dict(zip(tids, ids, strict=True))
