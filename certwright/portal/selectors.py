"""What the candidate portal shows, computed from the stored facts.

Everything here is a read: the technician's live evaluation (the rules core on their
facts, as of today), the plan toward each title, eligibility to buy each test, and
the tests on offer. The results are plain data (dates, strings, numbers), so the
pages and the API serve the same thing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from certwright import rules
from certwright.candidates.models import (
    REF_EXPERIENCE,
    ExperienceRecord,
    ReviewStatus,
    Technician,
)
from certwright.commerce.models import LineKind, LineStatus
from certwright.commerce.selectors import (
    cart_tests,
    open_lines_by_test,
    order_lines_bookable,
    order_lines_open,
    recert_window,
)
from certwright.core.clock import now as clock_now
from certwright.core.rule_words import (
    plan_action_words,
    plan_expiring_words,
    plan_label_words,
    plan_missing_words,
    prerequisite_words,
    prerequisites_words,
    step_words,
)
from certwright.credentials.selectors import technician_facts
from certwright.itembank.selectors import deliverable_pairs, not_deliverable_reason
from certwright.program import catalog_rows, test_detail
from certwright.program.model import Program
from certwright.renewal.selectors import renewable_tests, subscription_current
from certwright.rules.dates import last_valid_day
from certwright.rules.experience import requirement_met_on
from certwright.scheduling import selectors as scheduling_selectors

# A certified test expiring within this many days is flagged on the dashboard.
EXPIRING_DAYS = 180
KINDS = ("initial", "recert")


def _test_name(program: Program, code: str) -> str:
    return program.tests[code].name if code in program.tests else code


# --- the dashboard ------------------------------------------------------------------


def _certifications(
    program: Program, ev: rules.Evaluation, day: dt.date
) -> list[dict[str, Any]]:
    horizon = day + dt.timedelta(days=EXPIRING_DAYS)
    order = {code: i for i, code in enumerate(program.tests)}
    out = []
    for code, state in sorted(
        ev.certifications.items(), key=lambda kv: order.get(kv[0], len(order))
    ):
        out.append(
            {
                "test": code,
                "name": _test_name(program, code),
                "series": program.tests[code].series if code in program.tests else "",
                "status": state.status,
                "passed_on": state.passed_on,
                "certified_on": state.certified_on,
                "expires_on": state.expires_on,
                "valid_through": last_valid_day(state.expires_on),
                "expiring_soon": state.status == "certified"
                and state.expires_on is not None
                and state.expires_on <= horizon,
                "recertifiable": code in program.tests
                and program.tests[code].recert is not None,
            }
        )
    return out


def _recert_way(
    program: Program,
    cert: dict[str, Any],
    day: dt.date,
    in_cart: dict[str, str],
    open_lines: dict[str, Any],
) -> dict[str, Any] | None:
    """The recertification test as a way to keep ``cert``, and where the technician
    stands with it: ``state`` is ``in_cart``, ``bought``, ``booked`` (not yet
    taken), ``offer`` (one click puts it in the cart), ``too_early`` (the window
    opens later) or ``lapsed_too_long`` (the program's lapse rule refuses it)."""
    spec = program.tests.get(cert["test"])
    if spec is None or spec.recert is None or cert["expires_on"] is None:
        return None
    window = recert_window(program, cert["expires_on"])
    line = open_lines.get(cert["test"])
    if in_cart.get(cert["test"]) == LineKind.RECERT:
        state = "in_cart"
    elif line is not None:
        state = "booked" if line.status == LineStatus.BOOKED else "bought"
    elif window.closes_on is not None and day > window.closes_on:
        state = "lapsed_too_long"
    elif day < window.opens_on:
        state = "too_early"
    else:
        state = "offer"
    fees = program.fees_on(day)
    return {
        "state": state,
        # The fee as charged on its own, and the program's cap on an order's
        # recertification tests together (commerce.pricing applies it).
        "fee_cents": fees.test_fees.get(spec.fee_class) if fees else None,
        "cap_cents": fees.recert_cap_cents if fees else None,
        "currency": fees.currency if fees else "",
        "scored": spec.recert.scored,
        "minutes": program.sitting_minutes(cert["test"], "recert", day),
        "opens_on": window.opens_on,
        # The last day a lapsed certification can still be recertified (None: any
        # time after the expiry).
        "closes_on": window.closes_on,
        "lead_days": window.lead_days,
        "max_lapse_days": window.max_lapse_days,
        "must_take_by": line.must_take_by if line is not None else None,
    }


def certifications_to_keep(
    *,
    technician_id: int,
    program: Program,
    day: dt.date,
    certifications: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each certification (rows of ``_certifications``) with ``keep``: every way
    the program offers to keep it, from its data. ``recert``: the recertification
    test (``_recert_way``) or None; ``renewal``: None, or whether the technician's
    current renewal subscription (the renewal app) covers it; ``anchor``: the id of
    its card on the dashboard (the reminder e-mails link there).

    Only a certification held or lapsed has ways: a pass waiting for experience is
    not a certification yet, and a revoked one is not kept by anything here.

    Four queries whatever the number of certifications: the cart, the open order
    lines, the current subscription and the certifications it covers.
    """
    in_cart = cart_tests(technician_id)
    open_lines = open_lines_by_test(technician_id)
    subscription = subscription_current(technician_id=technician_id, on=day)
    subscribed = (
        set(subscription.certifications.values_list("test", flat=True))
        if subscription is not None
        else set()
    )
    renewable = renewable_tests(program)
    out = []
    for cert in certifications:
        keep: dict[str, Any] = {
            "anchor": f"keep-{cert['test']}",
            "applies": cert["status"] in ("certified", "expired"),
            "recert": None,
            "renewal": None,
        }
        if keep["applies"]:
            keep["recert"] = _recert_way(program, cert, day, in_cart, open_lines)
            if cert["test"] in renewable:
                keep["renewal"] = {
                    "subscribed": cert["test"] in subscribed,
                    "ends_on": subscription.ends_on if subscription else None,
                    "credits_for_extension": program.renewal.credits_for_extension,
                    "extension_months": program.renewal.extension_months,
                    "questions_per_month": program.renewal.questions_per_month,
                }
        out.append({**cert, "keep": keep})
    return out


def _plan_dict(plan: rules.TitlePlan, program: Program) -> dict[str, Any]:
    needed = len(plan.items)
    done = sum(1 for item in plan.items if item.satisfied)
    return {
        "id": plan.title,
        "name": plan.name,
        "held": plan.held,
        "until": plan.until,
        "valid_through": last_valid_day(plan.until),
        "done": done,
        "needed": needed,
        "percent": round(100 * done / needed) if needed else 100,
        "missing": [plan_missing_words(item) for item in plan.missing_items],
        "expiring": [plan_expiring_words(item) for item in plan.expiring_items],
        "items": [
            {
                "label": plan_label_words(item),
                "test": item.test,
                "satisfied": item.satisfied,
                "status": item.status,
                "action": plan_action_words(item, program),
                "expires_on": item.expires_on,
                "valid_through": last_valid_day(item.expires_on),
                "options": [plan_label_words(o) for o in item.options],
            }
            for item in plan.items
        ],
    }


def _titles(
    program: Program, facts: rules.Facts, ev: rules.Evaluation, day: dt.date
) -> list[dict[str, Any]]:
    titles = []
    for title_id, state in ev.titles.items():
        plan = rules.plan_title(
            program, facts, title_id, day, horizon_days=EXPIRING_DAYS, evaluation=ev
        )
        data = _plan_dict(plan, program)
        data["since"] = state.since if state.held else None
        titles.append(data)
    # Held titles first, then the closest to being earned.
    titles.sort(key=lambda t: (not t["held"], -t["percent"], t["name"]))
    return titles


def _pending(
    program: Program,
    facts: rules.Facts,
    ev: rules.Evaluation,
    records: list[ExperienceRecord],
    day: dt.date,
) -> list[dict[str, Any]]:
    """Passes waiting on experience, and what would end the wait."""
    waiting_refs = {
        f"{REF_EXPERIENCE}:{r.pk}"
        for r in records
        if r.review_status == ReviewStatus.PENDING
    }
    if_approved = tuple(
        dataclasses.replace(e, approved=True) if e.ref in waiting_refs else e
        for e in facts.experience
    )
    out = []
    for code, state in ev.certifications.items():
        if state.status != "pending_experience":
            continue
        rule = program.experience_rule_for(code)
        met_on = ev.experience_met_on.get(rule.code)
        hoped = (
            requirement_met_on(rule, if_approved, program.experience.kinds).met_on
            if waiting_refs
            else None
        )
        if met_on is not None and met_on > day:
            what = "accruing"
        elif hoped is not None:
            what = "awaiting_review"
        else:
            what = "missing"
        out.append(
            {
                "test": code,
                "name": _test_name(program, code),
                "passed_on": state.passed_on,
                "required_days": rule.required_days,
                "required_years": round(rule.required_days / 365, 1),
                "situation": what,
                # The day approved experience meets the rule (ongoing work projects
                # forward), and the day it would with the records awaiting review.
                "met_on": met_on,
                "met_on_if_approved": max(hoped, day) if hoped else None,
                "awaiting_review": len(waiting_refs),
            }
        )
    return out


def _open_lines(technician_id: int, day: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "id": line.pk,
            "test": line.test,
            "kind": line.kind,
            "status": line.status,
            "must_take_by": line.must_take_by,
        }
        for line in order_lines_bookable(technician_id, day)
    ]


def _appointments(technician_id: int) -> list[dict[str, Any]]:
    """Booked appointments not yet over, soonest first: what, when at the centre
    (its own time and zone), where, and the last day it may be changed."""
    moment = clock_now()
    out = []
    for appointment in scheduling_selectors.appointments_of(technician_id):
        if not appointment.is_live or appointment.ends_at <= moment:
            continue
        tz = appointment.centre.tz
        out.append(
            {
                "id": appointment.pk,
                "tests": [
                    {"test": t.test, "kind": t.kind}
                    for t in appointment.tests.all()
                    if t.released_at is None
                ],
                "status": appointment.status,
                "starts_at": appointment.starts_at,
                "local_start": appointment.starts_at.astimezone(tz),
                "local_end": appointment.ends_at.astimezone(tz),
                "time_zone": appointment.centre.time_zone,
                "centre": appointment.centre.name,
                "centre_city": appointment.centre.city,
                "last_change_day": scheduling_selectors.last_change_day(appointment),
                "can_change": scheduling_selectors.can_change(appointment, now=moment),
            }
        )
    return out


def candidate_state(
    *,
    technician: Technician,
    program: Program,
    day: dt.date,
    facts: rules.Facts | None = None,
    ways_to_keep: bool = True,
) -> dict[str, Any]:
    """Everything the dashboard shows about one technician on ``day`` (``facts``:
    theirs, when the caller has already read them; ``ways_to_keep``: False leaves
    out each certification's ``keep``, for a page that shows no certification)."""
    facts = facts if facts is not None else technician_facts(technician.pk)
    ev = rules.evaluate(program, facts, day, explain=False)
    records = list(ExperienceRecord.objects.filter(technician_id=technician.pk))
    counts = {status.value: 0 for status in ReviewStatus}
    for record in records:
        counts[record.review_status.value] += 1
    titles = _titles(program, facts, ev, day)
    certifications = _certifications(program, ev, day)
    return {
        "as_of": day,
        "technician": {
            "name": technician.name,
            "certification_id": technician.certification_id,
        },
        "certifications": certifications_to_keep(
            technician_id=technician.pk,
            program=program,
            day=day,
            certifications=certifications,
        )
        if ways_to_keep
        else certifications,
        "titles": titles,
        "titles_held": [t["name"] for t in titles if t["held"]],
        "pending": _pending(program, facts, ev, records, day),
        "experience": counts,
        "purchased": _open_lines(technician.pk, day),
        "appointments": _appointments(technician.pk),
        "next_change_on": ev.next_change_on,
    }


# --- the tests on offer ---------------------------------------------------------------


# Candidates' pages and the portal API show the program's facts, never its source
# notes ("estimated", "[unconfirmed]", "Third-party sources only."): those are for
# the maintainers, on the staff pages (the admin's program browser, the CLI).


def _candidate_prerequisites(program: Program, code: str) -> str:
    return prerequisites_words(program.tests[code].prerequisites)


def fees_summary(program: Program, day: dt.date) -> dict[str, Any] | None:
    period = program.fees_on(day)
    if period is None:
        return None
    return {
        "currency": period.currency,
        "registration_cents": period.registration_cents,
        "registration_per": period.registration_per,
        "test_fees": dict(period.test_fees),
        "recert_cap_cents": period.recert_cap_cents,
        "renewal_cents": period.renewal_cents,
    }


def offered_series(program: Program, day: dt.date) -> list[dict[str, Any]]:
    """The program's series, each with its tests as they stand on ``day``."""
    rows = catalog_rows(program, day, offered_only=True)
    # Offered for sale and booking: the kinds with a published exam form.
    deliverable = deliverable_pairs([row["code"] for row in rows])
    by_series: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        row["prerequisites"] = _candidate_prerequisites(program, row["code"])
        row["deliverable"] = [k for k in KINDS if (row["code"], k) in deliverable]
        by_series.setdefault(row["series"], []).append(row)
    return [
        {
            "code": series.code,
            "name": series.name,
            "tests": by_series[series.code],
        }
        for series in program.series.values()
        if series.code in by_series
    ]


def offered_test(program: Program, code: str, day: dt.date) -> dict[str, Any]:
    """One test in detail (``KeyError`` for an unknown code)."""
    detail = test_detail(program, code, day)
    detail["title_names"] = [program.titles[t].name for t in detail["titles"]]
    detail["prerequisites"] = _candidate_prerequisites(program, code)
    detail["prerequisite_list"] = [
        {"text": prerequisite_words(p)} for p in program.tests[code].prerequisites
    ]
    for key in ("note", "blueprint", "blueprints"):
        detail.pop(key, None)
    if detail["experience"] is not None:
        detail["experience"] = {**detail["experience"], "note": ""}
    return detail


def _open_tests(technician_id: int) -> dict[str, dt.date]:
    """Tests already bought and not yet taken: a second purchase is refused."""
    return {line.test: line.must_take_by for line in order_lines_open(technician_id)}


def eligibility_for(
    *,
    technician_id: int,
    program: Program,
    day: dt.date,
    tests: list[str] | None = None,
    facts: rules.Facts | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """test -> kind -> {allowed, reasons, earliest_on, offer, deliverable}: whether the
    technician can buy each test now as an initial or a recertification test, and if
    not, why (no published form to deliver it, the rules core's reasons, an open
    purchase of the same test). ``deliverable``: a published form exists.

    ``offer`` says which answer a page should show: the certification test until
    the technician has passed the test, the recertification test after (either
    one whenever it is allowed), so a page does not list "recertification needs an
    earlier pass" under every test never taken.
    """
    facts = facts if facts is not None else technician_facts(technician_id)
    open_tests = _open_tests(technician_id)
    deliverable = deliverable_pairs(tests)
    passed = {r.test for r in facts.results if r.outcome == "pass" and r.date <= day}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for code in tests if tests is not None else list(program.tests):
        spec = program.tests.get(code)
        out[code] = {}
        for kind in KINDS:
            if kind == "recert" and spec is not None and spec.recert is None:
                continue
            answer = rules.eligibility(program, facts, code, kind, day)
            offered = (code, kind) in deliverable
            reasons = [] if offered else [not_deliverable_reason(code, kind)]
            reasons += [step_words(r) for r in answer.reasons]
            if code in open_tests:
                reasons.append(
                    _(
                        "%(test)s is already bought and not yet taken (take it by "
                        "%(day)s)"
                    )
                    % {"test": code, "day": open_tests[code].isoformat()}
                )
            allowed = not reasons
            out[code][kind] = {
                "allowed": allowed,
                "reasons": reasons,
                "earliest_on": answer.earliest_on if answer.reasons else None,
                "offer": allowed or (code in passed) == (kind == "recert"),
                "deliverable": offered,
            }
    return out
