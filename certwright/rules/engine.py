"""Derive certifications and titles from one technician's facts on a given day.

The program data decides every number here (validity, waits, credits, which tests make
a title); this module only knows the shape of the rules:

* A pass becomes a certification on the day the test's experience requirement is met,
  counting only experience accrued by then (``certified_on = max(pass, met)``).
* A certification is valid ``validity_years`` from the latest qualifying pass (or from
  the day it began, where the program says so); a later pass never shortens it.
* A recertification pass counts only after an earlier pass of the same test, however
  long ago the certification lapsed (unless the program limits the lapse).
* Renewal credits (monthly questions answered correctly) earn an extension once
  ``credits_for_extension`` of them fall inside ``credit_window_months``; it adds
  ``extension_months`` to the expiry in force, or reinstates a lapsed certification
  from the day it is earned.
* A revocation ends the certification that day and voids the passes before it.
* A title is held exactly on the days its rule holds over the certified tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from certwright.program.model import (
    AllOf,
    AnyOf,
    Expr,
    OnePerGroup,
    Program,
    Test,
    TestRef,
    expr_tests,
)

from . import dates
from .dates import FOREVER, Span
from .experience import Requirement, requirement_met_on
from .facts import (
    CertificationState,
    Evaluation,
    Facts,
    Period,
    RenewalCredit,
    Revocation,
    Status,
    Step,
    TestResult,
    TitleState,
)
from .reasons import (
    CreditBeforePass,
    CreditOverMonthlyLimit,
    CreditsExtend,
    CreditsOutsideApp,
    CreditsReinstate,
    ExtensionWithoutCertification,
    PassAwaitsExperience,
    PassCertifies,
    PassExtends,
    PassLapsedBeforeExperience,
    PassLeavesExpiry,
    PassRanOut,
    Reason,
    RecertEarlierPassVoided,
    RecertTooLongAfterLapse,
    RecertWithoutEarlierPass,
    Revoked,
    reason_step,
)

_ONE_DAY = dt.timedelta(days=1)
# Same-day order: passes before extensions before revocations (a revocation voids
# the passes "on or before" its date).
_ORDER_PASS, _ORDER_EXTEND, _ORDER_REVOKE = 0, 1, 2


@dataclass(slots=True)
class TestTrack:
    """Everything derived for one test, before it is cut down to an as-of answer."""

    test: str
    spans: list[Span]
    passed_on: dt.date | None  # latest qualifying pass
    pending_since: dt.date | None  # a pass still waiting on experience
    pending_until: dt.date | None  # when that wait ends (projected), if known
    revoked_on: dt.date | None  # a revocation in force (no later certification)
    valid_pass_dates: list[dt.date]  # passes not voided by a revocation
    extensions: list[dt.date]
    reasons: list[Reason]  # empty unless explaining


_RESULT_ORDER = attrgetter("date", "test", "kind", "outcome", "ref")
_CREDIT_ORDER = attrgetter("date", "test", "ref")


def evaluate(
    program: Program, facts: Facts, as_of: dt.date, *, explain: bool = True
) -> Evaluation:
    """The technician's certifications and titles on ``as_of``, with the reasons.

    Facts dated after ``as_of`` are not known on that day and are ignored, so asking
    for a past date gives the state as it stood then.
    """
    results = sorted((r for r in facts.results if r.date <= as_of), key=_RESULT_ORDER)
    credits = sorted(
        (c for c in facts.renewal_credits if c.date <= as_of), key=_CREDIT_ORDER
    )
    revocations = sorted(
        (v for v in facts.revocations if v.date <= as_of),
        key=lambda v: (v.date, v.test or "", v.ref),
    )

    # Sorted so that nothing, explanation included, depends on the order of the facts.
    experience = sorted(
        facts.experience,
        key=lambda e: (
            e.start,
            e.end or FOREVER,
            e.kind,
            e.full_time,
            e.approved,
            e.ref,
        ),
    )
    by_test: dict[str, list[TestResult]] = {}
    for r in results:
        if r.test in program.tests:
            by_test.setdefault(r.test, []).append(r)
    credits_by_test: dict[str, list[RenewalCredit]] = {}
    for c in credits:
        credits_by_test.setdefault(c.test, []).append(c)

    requirements: dict[str, Requirement] = {}
    tracks: dict[str, TestTrack] = {}
    for code in sorted(by_test):
        test = program.tests[code]
        req = requirements.get(test.experience_rule)
        if req is None:
            req = requirement_met_on(
                program.experience.rules[test.experience_rule],
                experience,
                program.experience.kinds,
            )
            requirements[test.experience_rule] = req
        tracks[code] = _track(
            program,
            test,
            by_test[code],
            credits_by_test.get(code, []),
            [v for v in revocations if v.test is None or v.test == code],
            req,
            as_of,
            explain,
        )

    certifications: dict[str, CertificationState] = {}
    next_change: dt.date | None = None
    for code, track in tracks.items():
        state = _state_on(track, as_of, explain)
        if state is None:
            continue
        certifications[code] = state
        for day in (state.expires_on, track.pending_until):
            if (
                day is not None
                and day > as_of
                and (next_change is None or day < next_change)
            ):
                next_change = day

    spans = {code: track.spans for code, track in tracks.items()}
    titles = _titles(program, spans, certifications, as_of, explain)

    met_on = {
        code: (req.met_on if req.met_on is not None and req.met_on <= as_of else None)
        for code, req in requirements.items()
    }
    return Evaluation(
        as_of=as_of,
        certifications=certifications,
        titles=titles,
        experience_met_on=met_on,
        next_change_on=next_change,
        explanation=_experience_steps(program, requirements, as_of) if explain else (),
    )


def _track(
    program: Program,
    test: Test,
    results: list[TestResult],
    credits: list[RenewalCredit],
    revocations: list[Revocation],
    req: Requirement,
    as_of: dt.date,
    explain: bool,
) -> TestTrack:
    """Decide one test's certification periods from its facts; with ``explain``,
    record the reason for each decision (``reasons.py`` words them)."""
    policy = program.policy
    years = test.validity_years or policy.validity_years
    # Filled only when explaining: the reasons cost nothing on a recompute.
    found: list[Reason] = []
    # The requirement is "met" only if it was met by as_of: experience accrued
    # later is not yet known on that day.
    met = req.met_on if req.met_on is not None and req.met_on <= as_of else None

    passes = [r for r in results if r.outcome == "pass"]
    first_pass = passes[0].date if passes else None
    events, valid_passes, pending_since = _pass_events(
        program, test, passes, req, met, found if explain else None
    )
    if credits:
        extensions_due = _extensions(
            program, test, credits, first_pass, found if explain else None
        )
        for n, (extension_day, used) in enumerate(extensions_due):
            events.append((extension_day, _ORDER_EXTEND, n, used))
    for n, v in enumerate(revocations):
        events.append((v.date, _ORDER_REVOKE, n, v))
    # (day, order, seq) is unique, so the payloads are never compared.
    events.sort()

    spans: list[Span] = []
    start: dt.date | None = None
    expiry: dt.date | None = None
    passed_on: dt.date | None = None
    revoked_on: dt.date | None = None
    extensions: list[dt.date] = []
    valid_after_revocation = list(valid_passes)
    for day, order, _, payload in events:
        if order == _ORDER_PASS:
            r = payload
            assert isinstance(r, TestResult)
            if revoked_on is not None and r.date <= revoked_on:
                continue  # voided by the revocation
            if r.kind == "recert" and not [
                d for d in valid_after_revocation if d < r.date
            ]:
                if explain:
                    found.append(RecertEarlierPassVoided(r))
                continue
            if (
                r.kind == "recert"
                and policy.recert_max_lapse_days is not None
                and expiry is not None
                and expiry < r.date
                and (r.date - expiry).days > policy.recert_max_lapse_days
            ):
                if explain:
                    found.append(RecertTooLongAfterLapse(r, expiry))
                continue
            anchor = r.date if policy.validity_from == "pass" else day
            new_expiry = dates.add_years(anchor, years) if years else FOREVER
            if new_expiry <= day:
                if explain:
                    found.append(PassRanOut(r, new_expiry, day))
                continue
            passed_on = r.date
            revoked_on = None
            if start is not None and expiry is not None and day <= expiry:
                if new_expiry > expiry:
                    if explain:
                        found.append(PassExtends(r, new_expiry))
                    expiry = new_expiry
                elif explain:
                    found.append(PassLeavesExpiry(r, expiry))
            else:
                if start is not None and expiry is not None:
                    spans.append((start, expiry))
                start, expiry = day, new_expiry
                if explain:
                    assert met is not None  # a pass takes effect once met
                    found.append(
                        PassCertifies(
                            r,
                            day,
                            met,
                            years,
                            expiry,
                            test.experience_rule,
                            req.counted,
                        )
                    )
        elif order == _ORDER_EXTEND:
            refs = payload
            assert isinstance(refs, tuple)
            if start is None or expiry is None:
                if explain:
                    found.append(ExtensionWithoutCertification(test.code, day, refs))
                continue
            months = program.renewal.extension_months
            if day < expiry:
                expiry = dates.add_months(expiry, months)
                if explain:
                    found.append(CreditsExtend(test.code, day, months, expiry, refs))
            else:
                spans.append((start, expiry))
                start, expiry = day, dates.add_months(day, months)
                if explain:
                    found.append(CreditsReinstate(test.code, day, expiry, refs))
            extensions.append(day)
        else:
            assert isinstance(payload, Revocation)
            v = payload
            revoked_on = v.date
            valid_after_revocation = [d for d in valid_after_revocation if d > v.date]
            if start is not None and expiry is not None and start <= v.date < expiry:
                spans.append((start, v.date))
                start = expiry = None
            elif start is not None and expiry is not None:
                spans.append((start, expiry))
                start = expiry = None
            if explain:
                found.append(Revoked(test.code, v))
            if pending_since is not None and pending_since <= v.date:
                pending_since = None
    if start is not None and expiry is not None:
        spans.append((start, expiry))

    pending_until: dt.date | None = None
    if pending_since is not None and met is None:
        pending_until = req.met_on  # projected, from ongoing records
    else:
        pending_since = None
    return TestTrack(
        test=test.code,
        spans=dates.union(spans),
        passed_on=passed_on,
        pending_since=pending_since,
        pending_until=pending_until,
        revoked_on=revoked_on,
        valid_pass_dates=valid_after_revocation,
        extensions=extensions,
        reasons=found,
    )


# A fact on the day it takes effect: (day, order, seq, payload), where the payload
# is a pass (TestResult), the refs of the credits that earned an extension, or a
# Revocation.
_Event = tuple[dt.date, int, int, object]


def _pass_events(
    program: Program,
    test: Test,
    passes: list[TestResult],
    req: Requirement,
    met: dt.date | None,
    found: list[Reason] | None,
) -> tuple[list[_Event], list[dt.date], dt.date | None]:
    """Which passes can count, and from when: the events of the passes that take
    effect (on the pass, or the day experience is met if that is later), the dates
    of every pass that counts, and the latest one still waiting for experience. The
    reason a pass does not take effect goes to ``found`` (None: not explaining)."""
    events: list[_Event] = []
    valid_passes: list[dt.date] = []
    pending_since: dt.date | None = None
    lapse_limit = program.policy.pending_pass_valid_days
    for seq, r in enumerate(passes):
        if r.kind == "recert" and not any(p.date < r.date for p in passes[:seq]):
            if found is not None:
                found.append(RecertWithoutEarlierPass(r))
            continue
        valid_passes.append(r.date)
        if met is None:
            pending_since = r.date
            if found is not None:
                rule = test.experience_rule
                days = program.experience.rules[rule].required_days
                found.append(PassAwaitsExperience(r, rule, days, req.counted))
            continue
        effective = max(r.date, met)
        if (
            effective > r.date
            and lapse_limit is not None
            and (effective - r.date).days > lapse_limit
        ):
            if found is not None:
                found.append(PassLapsedBeforeExperience(r, met))
            continue
        events.append((effective, _ORDER_PASS, seq, r))
    return events, valid_passes, pending_since


@dataclass(frozen=True, slots=True)
class CreditProgress:
    """What a certification's renewal credits have done by the last of them:
    ``granted``, the days they earned an extension with the credits used, and
    ``window``, the dates of the credits counted toward the next extension (in the
    rolling window, not yet used)."""

    granted: tuple[tuple[dt.date, tuple[str, ...]], ...]
    window: tuple[dt.date, ...]

    def pending_on(self, on: dt.date, window_months: int) -> int:
        """The credits still counting toward the next extension on ``on``: those
        of ``window`` that have not fallen out of the rolling window by then."""
        return sum(1 for d in self.window if dates.add_months(d, window_months) > on)


def credit_progress(
    program: Program,
    test: Test,
    credits: list[RenewalCredit],
    first_pass: dt.date | None,
    found: list[Reason] | None = None,
) -> CreditProgress:
    """The days on which renewal credits (in date order) earn an extension, with the
    credits used, and the credits counting toward the next one; the reason a credit
    does not count goes to ``found`` (None: not explaining).

    Credits count one extension each, at most ``questions_per_month`` a calendar
    month, and only inside a rolling window of ``credit_window_months``. The one
    count: the recompute applies ``granted``, the renewal page shows ``window``.
    """
    if not credits:
        return CreditProgress((), ())
    renewal = program.renewal
    if not (test.renewable_by_app or test.series in renewal.eligible_series):
        if found is not None:
            found.append(CreditsOutsideApp(test.code, tuple(c.ref for c in credits)))
        return CreditProgress((), ())
    per_month: dict[tuple[int, int], int] = {}
    window: list[RenewalCredit] = []
    granted: list[tuple[dt.date, tuple[str, ...]]] = []
    for c in credits:
        if renewal.requires_prior_pass and (first_pass is None or c.date <= first_pass):
            if found is not None:
                found.append(CreditBeforePass(test.code, c))
            continue
        month = (c.date.year, c.date.month)
        if per_month.get(month, 0) >= renewal.questions_per_month:
            if found is not None:
                found.append(CreditOverMonthlyLimit(test.code, c))
            continue
        per_month[month] = per_month.get(month, 0) + 1
        # Drop credits that fall out of the window ending with this one.
        window = [
            w
            for w in window
            if dates.add_months(w.date, renewal.credit_window_months) > c.date
        ]
        window.append(c)
        if len(window) >= renewal.credits_for_extension:
            granted.append((c.date, tuple(w.ref for w in window)))
            window = []
    return CreditProgress(tuple(granted), tuple(w.date for w in window))


def _extensions(
    program: Program,
    test: Test,
    credits: list[RenewalCredit],
    first_pass: dt.date | None,
    found: list[Reason] | None,
) -> list[tuple[dt.date, tuple[str, ...]]]:
    """The days on which renewal credits earn an extension (``credit_progress``)."""
    return list(credit_progress(program, test, credits, first_pass, found).granted)


def _state_on(
    track: TestTrack, as_of: dt.date, explain: bool
) -> CertificationState | None:
    periods = tuple(Period(s, None if e == FOREVER else e) for s, e in track.spans)
    current = dates.span_at(track.spans, as_of)
    status: Status
    certified_on = expires_on = None
    steps = [reason_step(reason) for reason in track.reasons]
    if current is not None:
        status = "certified"
        certified_on, expires_on = current
    elif track.pending_since is not None and (
        track.revoked_on is None or track.pending_since > track.revoked_on
    ):
        status = "pending_experience"
    elif track.revoked_on is not None:
        status = "revoked"
        if track.spans:
            certified_on, expires_on = track.spans[-1]
    elif track.spans:
        status = "expired"
        certified_on, expires_on = track.spans[-1]
    else:
        return None
    if explain:
        tail = {
            "certified": f"certified on {as_of}: "
            f"from {certified_on} until {expires_on}",
            "expired": f"expired on {expires_on}",
            "revoked": f"revoked on {track.revoked_on}",
            "pending_experience": "passed, pending the experience requirement",
        }[status]
        steps.append(
            Step(
                f"{track.test}: {tail}",
                code=f"status_{status}",
                params=(
                    ("test", track.test),
                    ("as_of", as_of),
                    ("certified_on", certified_on),
                    ("expires_on", expires_on),
                    ("revoked_on", track.revoked_on),
                ),
            )
        )
    return CertificationState(
        test=track.test,
        status=status,
        passed_on=track.passed_on
        if track.passed_on is not None
        else track.pending_since,
        certified_on=certified_on,
        expires_on=None if expires_on == FOREVER else expires_on,
        periods=periods,
        explanation=tuple(steps),
        extensions=tuple(track.extensions),
    )


# --- titles -----------------------------------------------------------------------


def expr_spans(expr: Expr, spans: dict[str, list[Span]]) -> list[Span]:
    """The days on which ``expr`` holds, given each test's certified spans."""
    if isinstance(expr, TestRef):
        return spans.get(expr.test, [])
    if isinstance(expr, AnyOf):
        return dates.union(s for item in expr.items for s in expr_spans(item, spans))
    if isinstance(expr, AllOf):
        parts = [expr_spans(item, spans) for item in expr.items]
    elif isinstance(expr, OnePerGroup):
        parts = [
            dates.union(s for item in g.items for s in expr_spans(item, spans))
            for g in expr.groups
        ]
    else:  # pragma: no cover - the loader refuses other shapes
        raise TypeError(f"unknown expression {expr!r}")
    if not parts:
        return []
    held = parts[0]
    for part in parts[1:]:
        held = dates.intersection(held, part)
        if not held:
            break
    return held


Predicate = Callable[[set[str]], bool]


def _predicate(expr: Expr) -> Predicate:
    """``expr`` as a fast test over a set of test codes (the common shapes are
    single set operations)."""
    if isinstance(expr, TestRef):
        code = expr.test
        return lambda have: code in have
    if isinstance(expr, AnyOf) and all(isinstance(i, TestRef) for i in expr.items):
        options = frozenset(i.test for i in expr.items if isinstance(i, TestRef))
        return lambda have: not options.isdisjoint(have)
    if isinstance(expr, AllOf) and all(isinstance(i, TestRef) for i in expr.items):
        needed = frozenset(i.test for i in expr.items if isinstance(i, TestRef))
        return needed.issubset
    if isinstance(expr, OnePerGroup):
        groups = [_predicate(AnyOf(g.items)) for g in expr.groups]
        return lambda have: all(g(have) for g in groups)
    parts = [_predicate(i) for i in expr.items]
    if isinstance(expr, AnyOf):
        return lambda have: any(p(have) for p in parts)
    return lambda have: all(p(have) for p in parts)


@dataclass(frozen=True, slots=True)
class _CompiledTitle:
    id: str
    tests: frozenset[str]
    predicate: Predicate
    never_held: TitleState  # shared answer for the common case, never mutated


# Compiled once per program object (programs are immutable); keyed by id() with the
# program kept alive beside it so the id cannot be reused.
_COMPILED: dict[int, tuple[Program, tuple[_CompiledTitle, ...]]] = {}


def _compiled_titles(program: Program) -> tuple[_CompiledTitle, ...]:
    entry = _COMPILED.get(id(program))
    if entry is None or entry[0] is not program:
        compiled = tuple(
            _CompiledTitle(
                tid,
                expr_tests(t.rule),
                _predicate(t.rule),
                TitleState(id=tid, held=False, since=None, until=None),
            )
            for tid, t in program.titles.items()
        )
        entry = (program, compiled)
        _COMPILED[id(program)] = entry
    return entry[1]


def _titles(
    program: Program,
    spans: dict[str, list[Span]],
    certifications: dict[str, CertificationState],
    as_of: dt.date,
    explain: bool,
) -> dict[str, TitleState]:
    # Most technicians hold few titles: a title whose rule cannot hold even over
    # every test ever certified needs no interval arithmetic.
    ever = {code for code, s in spans.items() if s}
    compiled = _compiled_titles(program)
    base: dict[str, list[Span]] = {}
    for c in compiled:
        if not ever.isdisjoint(c.tests) and c.predicate(ever):
            base[c.id] = expr_spans(program.titles[c.id].rule, spans)
    out: dict[str, TitleState] = {}
    for c in compiled:
        title = program.titles[c.id]
        held_spans = base.get(c.id, [])
        for other in title.excluded_by:
            held_spans = dates.difference(held_spans, base.get(other, []))
        if not held_spans and not explain:
            out[c.id] = c.never_held
            continue
        # Only periods that had begun by as_of are known on that day.
        held_spans = [s for s in held_spans if s[0] <= as_of]
        current = dates.span_at(held_spans, as_of)
        last = current or (held_spans[-1] if held_spans else None)
        since, until = last if last is not None else (None, None)
        steps: tuple[Step, ...] = ()
        if explain:
            steps = _title_steps(
                program, c.id, certifications, current, held_spans, as_of
            )
        out[c.id] = TitleState(
            id=c.id,
            held=current is not None,
            since=since,
            until=None if until == FOREVER else until,
            periods=tuple(
                Period(s, None if e == FOREVER else e) for s, e in held_spans
            ),
            explanation=steps,
        )
    return out


def _title_steps(
    program: Program,
    tid: str,
    certifications: dict[str, CertificationState],
    current: Span | None,
    held_spans: list[Span],
    as_of: dt.date,
) -> tuple[Step, ...]:
    title = program.titles[tid]
    steps = []
    for code in sorted(expr_tests(title.rule)):
        c = certifications.get(code)
        if c is None:
            steps.append(
                Step(
                    f"{code}: not passed",
                    (),
                    (f"titles.{tid}",),
                    code="part_not_passed",
                    params=(("test", code),),
                )
            )
        elif c.status == "certified":
            steps.append(
                Step(
                    f"{code}: certified until {c.expires_on}",
                    (),
                    (f"titles.{tid}",),
                    code="part_certified",
                    params=(("test", code), ("expires_on", c.expires_on)),
                )
            )
        else:
            steps.append(
                Step(
                    f"{code}: {c.status.replace('_', ' ')}",
                    (),
                    (f"titles.{tid}",),
                    code="part_state",
                    params=(("test", code), ("status", c.status)),
                )
            )
    if current is not None:
        until = (
            ""
            if current[1] == FOREVER
            else f" until {current[1]}, the first expiry among its parts"
        )
        steps.append(
            Step(
                f"{title.name} held since {current[0]}{until}",
                (),
                (f"titles.{tid}",),
                code="title_held",
                params=(
                    ("title", title.name),
                    ("since", current[0]),
                    ("until", None if current[1] == FOREVER else current[1]),
                ),
            )
        )
    elif held_spans:
        steps.append(
            Step(
                f"{title.name} not held on {as_of}: lost on {held_spans[-1][1]} "
                "when a required certification expired or was revoked",
                (),
                (f"titles.{tid}",),
                code="title_lost",
                params=(
                    ("title", title.name),
                    ("as_of", as_of),
                    ("lost_on", held_spans[-1][1]),
                ),
            )
        )
    else:
        steps.append(
            Step(
                f"{title.name} not held: its rule is not met",
                (),
                (f"titles.{tid}",),
                code="title_not_held",
                params=(("title", title.name),),
            )
        )
    return tuple(steps)


# Why an experience record did not count, in English (rules.experience).
_IGNORED = {
    "unknown_kind": "unknown experience kind {!r}",
    "not_approved": "not approved",
    "not_completed": "{} not completed (no end date)",
    "no_credit": "earns no credit",
}


def _experience_steps(
    program: Program, requirements: dict[str, Requirement], as_of: dt.date
) -> tuple[Step, ...]:
    steps = []
    for code, req in sorted(requirements.items()):
        rule = program.experience.rules[code]
        if req.met_on is not None and req.met_on <= as_of:
            said = "experience_met"
            text = (
                f"experience rule {code} ({rule.required_days} days) "
                f"met on {req.met_on}"
            )
        elif req.met_on is not None:
            said = "experience_met_later"
            text = (
                f"experience rule {code} ({rule.required_days} days) "
                f"not met on {as_of}; on current records it will be met on {req.met_on}"
            )
        else:
            said = "experience_not_met"
            text = f"experience rule {code} ({rule.required_days} days) not met"
        steps.append(
            Step(
                text,
                req.counted,
                (f"experience.rules.{code}",),
                code=said,
                params=(
                    ("rule", code),
                    ("days", rule.required_days),
                    ("met_on", req.met_on),
                    ("as_of", as_of),
                ),
            )
        )
        for ref, why, detail in req.ignored:
            steps.append(
                Step(
                    f"experience record not counted: {_IGNORED[why].format(detail)}",
                    (ref,),
                    (),
                    code=f"experience_{why}",
                    params=(("detail", detail),),
                )
            )
    return tuple(steps)
