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

from certwright.program.model import (
    AllOf,
    AnyOf,
    Expr,
    OnePerGroup,
    Prerequisite,
    Program,
    TestRef,
)
from certwright.rules import PlanItem, Step
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
        _("unknown purchase kind %(kind)r: use initial or recert")
        % {"kind": p["kind"]}
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
        _("recertification needs an earlier pass of %(test)s")
        % {"test": p["test"]}
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

# The codes the rules core gives its reasons (a test compares with the core).
REASON_CODES = frozenset(_REASONS)


def _prerequisite_core(prerequisite: Prerequisite) -> str:
    # A refusal names the requirement alone: which purchase it is for, the reader
    # already knows.
    values = {"requirement": expr_words(prerequisite.expr)}
    if prerequisite.state == "certified":
        return _("%(requirement)s certified") % values
    return _("%(requirement)s passed") % values


def step_words(step: Step) -> str:
    """A reason of the rules core in the reader's language (its English text for a
    code not worded here)."""
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
