"""The rules core's answers in the reader's language.

The pure cores (``certwright.rules``, ``certwright.program``) import no Django, so
they cannot reach gettext. What they tell people they also say as data: a reason's
``code`` and ``params`` (``rules.Step``), a plan item's ``action_code``, a program
expression. This module words them, every sentence marked for translation; the
cores' own English (``Step.text``, ``expr_text``) stays for the command line and the
logs.

A code this module does not know falls back to the core's English text, so a new
reason still reaches people (in English) until it is worded here; a test keeps the
two lists equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from certwright.program.model import (
    AllOf,
    AnyOf,
    Expr,
    OnePerGroup,
    Prerequisite,
    Program,
    TestRef,
)
from certwright.rules import Change, PlanItem, Step
from certwright.rules.dates import last_valid_day

# --- program expressions ------------------------------------------------------------


def _joined(parts: list[str], *, any_of: bool) -> str:
    """``A or B or C`` / ``A and B and C``, each joint a sentence of its own so a
    translator sees both sides."""
    text = parts[0]
    for part in parts[1:]:
        if any_of:
            text = _("%(left)s or %(right)s") % {"left": text, "right": part}
        else:
            text = _("%(left)s and %(right)s") % {"left": text, "right": part}
    return text


def expr_words(expr: Expr) -> str:
    """``(H1 or H2) and H3``: a requirement of the program in words."""
    if isinstance(expr, TestRef):
        return expr.test
    if isinstance(expr, OnePerGroup):
        groups = []
        for group in expr.groups:
            members = _joined([_nested(i) for i in group.items], any_of=True)
            groups.append(
                _("%(group)s: %(members)s") % {"group": group.name, "members": members}
                if group.name
                else members
            )
        return _("one of each: %(groups)s") % {"groups": "; ".join(groups)}
    return _joined([_nested(i) for i in expr.items], any_of=isinstance(expr, AnyOf))


def _nested(expr: Expr) -> str:
    text = expr_words(expr)
    if (isinstance(expr, AllOf | AnyOf) and len(expr.items) > 1) or isinstance(
        expr, OnePerGroup
    ):
        return f"({text})"
    return text


def prerequisite_words(prerequisite: Prerequisite) -> str:
    """``A8 passed (initial test)``: one prerequisite as a candidate reads it."""
    values = {"requirement": expr_words(prerequisite.expr)}
    if prerequisite.state == "certified":
        text = _("%(requirement)s certified") % values
    else:
        text = _("%(requirement)s passed") % values
    if prerequisite.applies_to == "initial":
        text = _("%(prerequisite)s (for the first test)") % {"prerequisite": text}
    elif prerequisite.applies_to == "recert":
        text = _("%(prerequisite)s (for the recertification test)") % {
            "prerequisite": text
        }
    return text


def prerequisites_words(prerequisites: tuple[Prerequisite, ...]) -> str:
    return "; ".join(prerequisite_words(p) for p in prerequisites)


# --- reasons (rules.Step) -------------------------------------------------------------


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _already_passed(p: Mapping[str, Any]) -> str:
    if p["recert_offered"]:
        return _(
            "%(test)s was already passed on %(day)s : buy the recertification test"
        ) % {"test": p["test"], "day": _day(p["passed_on"])}
    return _("%(test)s was already passed on %(day)s") % {
        "test": p["test"],
        "day": _day(p["passed_on"]),
    }


_REASONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "kind_unknown": lambda p: (
        _("unknown purchase kind %(kind)r: use initial or recert") % {"kind": p["kind"]}
    ),
    "test_unknown": lambda p: (
        _("%(test)s is not a test of the %(program)s program")
        % {"test": p["test"], "program": p["program"]}
    ),
    "not_offered": lambda p: (
        _("%(test)s is not offered on %(day)s")
        % {"test": p["test"], "day": _day(p["day"])}
    ),
    "no_recert_test": lambda p: (
        _("%(test)s has no recertification test") % {"test": p["test"]}
    ),
    "recert_needs_pass": lambda p: (
        _("recertification needs an earlier pass of %(test)s") % {"test": p["test"]}
    ),
    "lapsed_too_long": lambda p: (
        _(
            "%(test)s lapsed on %(day)s, too long ago to recertify: take the "
            "certification test"
        )
        % {"test": p["test"], "day": _day(p["expired_on"])}
    ),
    "already_passed": _already_passed,
    "prerequisite_missing": lambda p: (
        _("%(test)s requires %(prerequisite)s")
        % {"test": p["test"], "prerequisite": _prerequisite_core(p["prerequisite"])}
    ),
    "retest_wait": lambda p: (
        _("%(test)s result on %(day)s: wait %(days)s full days, until %(until)s")
        % {
            "test": p["test"],
            "day": _day(p["result_on"]),
            "days": p["days"],
            "until": _day(p["until"]),
        }
    ),
}


# --- the explanation trail (the admin's "Why" panel) ----------------------------------


def _kind_sentence(p: Mapping[str, Any], initial: str, recert: str) -> str:
    return (_(recert) if p["kind"] == "recert" else _(initial)) % _dated(p)


def _dated(p: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with every date as the core writes it."""
    return {k: _day(v) if isinstance(v, dt.date) else v for k, v in p.items()}


def _certifies(p: Mapping[str, Any]) -> str:
    values = _dated(p)
    if p["certified_on"] > p["date"]:
        if p["kind"] == "recert":
            return (
                _(
                    "%(test)s certified from %(certified_on)s once experience was met "
                    "on %(experience_met_on)s: recertification pass on %(date)s, "
                    "valid %(years)s years to %(expires_on)s"
                )
                % values
            )
        return (
            _(
                "%(test)s certified from %(certified_on)s once experience was met on "
                "%(experience_met_on)s: initial pass on %(date)s, valid %(years)s "
                "years to %(expires_on)s"
            )
            % values
        )
    if p["kind"] == "recert":
        return (
            _(
                "%(test)s certified from %(certified_on)s: recertification pass on "
                "%(date)s, valid %(years)s years to %(expires_on)s"
            )
            % values
        )
    return (
        _(
            "%(test)s certified from %(certified_on)s: initial pass on %(date)s, "
            "valid %(years)s years to %(expires_on)s"
        )
        % values
    )


def _revoked(p: Mapping[str, Any]) -> str:
    if p["reason"]:
        # The reason is what the program's staff wrote: shown as written.
        return _("%(test)s revoked on %(date)s: %(reason)s") % _dated(p)
    return _("%(test)s revoked on %(date)s") % _dated(p)


def _title_held(p: Mapping[str, Any]) -> str:
    if p["until"] is None:
        return _("%(title)s held since %(since)s") % _dated(p)
    return _(
        "%(title)s held since %(since)s until %(until)s, the first expiry among "
        "its parts"
    ) % _dated(p)


def _part_state(p: Mapping[str, Any]) -> str:
    if p["status"] == "expired":
        return _("%(test)s: expired") % p
    if p["status"] == "revoked":
        return _("%(test)s: revoked") % p
    return _("%(test)s: pending experience") % p


def _said(sentence: str) -> Callable[[Mapping[str, Any]], str]:
    """A sentence with the step's parameters put in (dates as the core writes
    them). ``sentence`` is marked where it is written (``gettext_noop``, which
    makemessages reads) and translated when a step is worded."""
    return lambda p: _(sentence) % _dated(p)


_EXPLANATIONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "recert_without_earlier_pass": _said(
        gettext_noop(
            "%(test)s recertification pass on %(date)s does not count: there is no "
            "earlier pass of this test"
        )
    ),
    "pass_awaits_experience": _said(
        gettext_noop(
            "%(test)s passed on %(date)s; waiting for the experience requirement "
            "(%(required_days)s days)"
        )
    ),
    "pass_lapsed_before_experience": _said(
        gettext_noop(
            "%(test)s pass on %(date)s lapsed before experience was met on "
            "%(experience_met_on)s"
        )
    ),
    "recert_earlier_pass_voided": _said(
        gettext_noop(
            "%(test)s recertification pass on %(date)s does not count: its earlier "
            "pass was voided by a revocation"
        )
    ),
    "recert_too_long_after_lapse": _said(
        gettext_noop(
            "%(test)s recertification on %(date)s is too long after the "
            "certification lapsed on %(lapsed_on)s"
        )
    ),
    "pass_ran_out": _said(
        gettext_noop(
            "%(test)s pass on %(date)s ran out on %(ran_out_on)s before it could "
            "become a certification on %(effective_on)s"
        )
    ),
    "pass_extends": lambda p: _kind_sentence(
        p,
        gettext_noop(
            "%(test)s initial pass on %(date)s extends the certification to "
            "%(expires_on)s"
        ),
        gettext_noop(
            "%(test)s recertification pass on %(date)s extends the certification to "
            "%(expires_on)s"
        ),
    ),
    "pass_leaves_expiry": _said(
        gettext_noop(
            "%(test)s pass on %(date)s leaves the expiry at %(expires_on)s: a later "
            "pass never shortens validity"
        )
    ),
    "pass_certifies": _certifies,
    "credits_outside_app": _said(
        gettext_noop(
            "%(test)s renewal credits do not count: the test is not in the renewal app"
        )
    ),
    "credit_before_pass": _said(
        gettext_noop(
            "%(test)s renewal credit on %(date)s does not count: the test was not "
            "passed before it"
        )
    ),
    "credit_over_monthly_limit": _said(
        gettext_noop("%(test)s renewal credit on %(date)s is over the monthly limit")
    ),
    "extension_without_certification": _said(
        gettext_noop(
            "%(test)s renewal credits earned an extension on %(earned_on)s, but "
            "there is no certification to extend yet"
        )
    ),
    "credits_extend": _said(
        gettext_noop(
            "%(test)s extended by %(months)s months to %(expires_on)s by renewal "
            "credits completed on %(earned_on)s"
        )
    ),
    "credits_reinstate": _said(
        gettext_noop(
            "%(test)s reinstated on %(earned_on)s to %(expires_on)s by renewal "
            "credits after it had lapsed"
        )
    ),
    "revoked": _revoked,
    "status_certified": _said(
        gettext_noop(
            "%(test)s: certified on %(as_of)s: from %(certified_on)s until "
            "%(expires_on)s"
        )
    ),
    "status_expired": _said(gettext_noop("%(test)s: expired on %(expires_on)s")),
    "status_revoked": _said(gettext_noop("%(test)s: revoked on %(revoked_on)s")),
    "status_pending_experience": _said(
        gettext_noop("%(test)s: passed, pending the experience requirement")
    ),
    "part_not_passed": _said(gettext_noop("%(test)s: not passed")),
    "part_certified": _said(gettext_noop("%(test)s: certified until %(expires_on)s")),
    "part_state": _part_state,
    "title_held": _title_held,
    "title_lost": _said(
        gettext_noop(
            "%(title)s not held on %(as_of)s: lost on %(lost_on)s when a required "
            "certification expired or was revoked"
        )
    ),
    "title_not_held": _said(gettext_noop("%(title)s not held: its rule is not met")),
    "experience_met": _said(
        gettext_noop("experience rule %(rule)s (%(days)s days) met on %(met_on)s")
    ),
    "experience_met_later": _said(
        gettext_noop(
            "experience rule %(rule)s (%(days)s days) not met on %(as_of)s; on "
            "current records it will be met on %(met_on)s"
        )
    ),
    "experience_not_met": _said(
        gettext_noop("experience rule %(rule)s (%(days)s days) not met")
    ),
    "experience_unknown_kind": lambda p: (
        _("experience record not counted: unknown experience kind %(detail)r") % p
    ),
    "experience_not_approved": _said(
        gettext_noop("experience record not counted: not approved")
    ),
    "experience_not_completed": _said(
        gettext_noop(
            "experience record not counted: %(detail)s not completed (no end date)"
        )
    ),
    "experience_no_credit": _said(
        gettext_noop("experience record not counted: earns no credit")
    ),
}

_REASONS.update(_EXPLANATIONS)

# The codes the rules core gives its steps (a test compares with the core).
REASON_CODES = frozenset(_REASONS)


def _prerequisite_core(prerequisite: Prerequisite) -> str:
    # A refusal names the requirement alone: which purchase it is for, the reader
    # already knows.
    values = {"requirement": expr_words(prerequisite.expr)}
    if prerequisite.state == "certified":
        return _("%(requirement)s certified") % values
    return _("%(requirement)s passed") % values


def step_words(step: Step) -> str:
    """A step of the rules core (a reason, a line of the explanation trail) in the
    reader's language (its English text for a code not worded here)."""
    wording = _REASONS.get(step.code)
    if wording is None:
        return step.text
    return wording(dict(step.params))


# --- title plans (rules.PlanItem) -----------------------------------------------------


def plan_label_words(item: PlanItem) -> str:
    """The name of a requirement: a test code, the program's name for a group, or
    the group's members in words."""
    if item.label_expr is None:
        return item.label
    if isinstance(item.label_expr, OnePerGroup):
        return _("each group")
    return expr_words(item.label_expr)


_PLAN_STATUSES = {
    "certified": gettext_noop("certified"),
    "expiring": gettext_noop("certified, expiring"),
    "pending_experience": gettext_noop("passed, pending experience"),
    "expired": gettext_noop("expired"),
    "revoked": gettext_noop("revoked"),
    "missing": gettext_noop("not passed"),
    "group": gettext_noop("group"),
}


def plan_status_words(item: PlanItem) -> str:
    """The state of one requirement."""
    return (
        _(_PLAN_STATUSES[item.status]) if item.status in _PLAN_STATUSES else item.status
    )


def plan_action_words(item: PlanItem, program: Program) -> str:
    """What to do next for one requirement."""
    code = item.action_code
    if code == "pass":
        test = program.tests.get(item.test or "")
        return _("pass %(test)s (%(name)s)") % {
            "test": item.test,
            "name": test.name if test else item.test,
        }
    if code == "recertify_by":
        return _("recertify %(test)s by %(day)s") % {
            "test": item.test,
            "day": _day(last_valid_day(item.expires_on)),
        }
    if code == "document_experience":
        return _("document the required work experience")
    if code == "recert_test":
        return _(
            "pass the %(test)s recertification test (was valid through %(day)s)"
        ) % {
            "test": item.test,
            "day": _day(last_valid_day(item.expires_on)),
        }
    if code == "again":
        if item.status == "revoked":
            return _("pass %(test)s again (revoked)") % {"test": item.test}
        return _("pass %(test)s again") % {"test": item.test}
    if code == "one_of":
        return _("certify in one of: %(options)s") % {
            "options": ", ".join(plan_label_words(o) for o in item.options)
        }
    if code == "complete":
        return _("complete: %(options)s") % {
            "options": ", ".join(
                plan_label_words(o) for o in item.options if not o.satisfied
            )
        }
    return _("none")


def plan_missing_words(item: PlanItem) -> str:
    """A requirement not met: a test, or a group any one option of which would do."""
    if item.status != "group":
        return plan_label_words(item)
    return _("%(group)s: one of %(options)s") % {
        "group": plan_label_words(item),
        "options": ", ".join(plan_label_words(o) for o in item.options),
    }


def plan_expiring_words(item: PlanItem) -> str:
    """A certified requirement about to expire."""
    return _("%(requirement)s valid through %(day)s") % {
        "requirement": plan_label_words(item),
        "day": _day(last_valid_day(item.expires_on)),
    }


# --- the timeline ---------------------------------------------------------------------

_CHANGES = {
    "passed": gettext_noop("passed"),
    "failed": gettext_noop("failed"),
    "no_show": gettext_noop("no show"),
    "certified": gettext_noop("certified"),
    "recertified": gettext_noop("recertified"),
    "extended": gettext_noop("extended"),
    "expired": gettext_noop("expired"),
    "revoked": gettext_noop("revoked"),
    "title_gained": gettext_noop("title gained"),
    "title_lost": gettext_noop("title lost"),
}


def change_words(change: Change) -> tuple[str, str]:
    """A change of the timeline and its detail, in the reader's language."""
    word = _(_CHANGES[change.change]) if change.change in _CHANGES else change.change
    if change.change in ("passed", "failed", "no_show"):
        if change.kind == "recert":
            return word, _("recertification test")
        return word, _("certification test")
    if change.change in ("certified", "recertified"):
        if change.until is None:
            return word, _("valid")
        return word, _("valid until %(day)s") % {"day": _day(change.until)}
    if change.change == "extended":
        return word, _("by renewal credits")
    # A revocation's reason as the staff wrote it; a title's name from the program.
    return word, change.detail
