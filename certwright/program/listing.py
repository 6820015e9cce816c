"""Read-only listings of a program (test rows, one test, a summary, expression text)
for the CLI, the admin and the web pages.

Every function is pure (program + date in, plain data out) and its output is
JSON-serialisable: dates are ISO strings, money is integer cents, expressions are
the same tables the TOML uses.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from certwright.program.model import (
    AllOf,
    AnyOf,
    Blueprint,
    Expr,
    FeePeriod,
    OnePerGroup,
    Prerequisite,
    Program,
    Test,
    TestRef,
    expr_tests,
)

__all__ = [
    "CATALOG_COLUMNS",
    "catalog_rows",
    "expr_data",
    "expr_text",
    "format_table",
    "prerequisite_text",
    "program_summary",
    "test_detail",
]

Row = dict[str, Any]

# The columns the CLI shows by default; rows carry more (see catalog_rows).
CATALOG_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "series",
    "scored",
    "unscored",
    "minutes",
    "recert_scored",
    "recert_minutes",
    "fee_class",
    "experience_years",
    "prerequisites",
    "estimated",
)


# --- expressions ----------------------------------------------------------------------


def expr_data(expr: Expr) -> Any:
    """The expression as the TOML writes it (a bare code for a single test)."""
    if isinstance(expr, TestRef):
        return expr.test
    if isinstance(expr, AllOf):
        return {"all_of": [expr_data(i) for i in expr.items]}
    if isinstance(expr, AnyOf):
        return {"any_of": [expr_data(i) for i in expr.items]}
    return {
        "one_per_group": [
            {"name": g.name, "items": [expr_data(i) for i in g.items]}
            for g in expr.groups
        ]
    }


def expr_text(expr: Expr) -> str:
    """Plain words: ``(H1 or H2) and H3 and H4``."""
    if isinstance(expr, TestRef):
        return expr.test
    if isinstance(expr, OnePerGroup):
        parts = []
        for group in expr.groups:
            members = " or ".join(_nested(i) for i in group.items)
            parts.append(f"{group.name}: {members}" if group.name else members)
        return "one of each: " + "; ".join(parts)
    joiner = " and " if isinstance(expr, AllOf) else " or "
    return joiner.join(_nested(i) for i in expr.items)


def _nested(expr: Expr) -> str:
    text = expr_text(expr)
    if isinstance(expr, AllOf | AnyOf) and len(expr.items) > 1:
        return f"({text})"
    if isinstance(expr, OnePerGroup):
        return f"({text})"
    return text


def prerequisite_text(prerequisite: Prerequisite, *, marks: bool = True) -> str:
    """``A8 passed (initial)``; ``[unconfirmed]`` marks an estimated prerequisite
    (``marks=False``: not, for candidates' pages, where source notes do not show)."""
    text = f"{expr_text(prerequisite.expr)} {prerequisite.state}"
    if prerequisite.applies_to != "both":
        text += f" ({prerequisite.applies_to})"
    if marks and prerequisite.estimated:
        text += " [unconfirmed]"
    return text


# --- rows -----------------------------------------------------------------------------


def _code_key(code: str) -> tuple[Any, ...]:
    # Natural order, so that A10 would follow A9 rather than A1.
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code) if p)


def _ordered_tests(program: Program) -> list[Test]:
    series_order = {code: i for i, code in enumerate(program.series)}
    return sorted(
        program.tests.values(),
        key=lambda t: (
            series_order.get(t.series, len(series_order)),
            _code_key(t.code),
        ),
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def _years(days: int) -> float:
    return round(days / 365, 1)


def _renewable(program: Program, test: Test) -> bool:
    # The rules engine reads the same two places: a per-test flag or the series list.
    return test.renewable_by_app or test.series in program.renewal.eligible_series


def _estimated(test: Test, blueprint: Blueprint | None) -> bool:
    return bool(
        (blueprint is not None and blueprint.estimated)
        or (test.recert is not None and test.recert.estimated)
        or any(p.estimated for p in test.prerequisites)
    )


def _row(program: Program, test: Test, on: dt.date) -> Row:
    blueprint = test.blueprint_on(on)
    rule = program.experience.rules.get(test.experience_rule)
    fees = program.fees_on(on)
    recert = test.recert
    return {
        "code": test.code,
        "name": test.name,
        "series": test.series,
        "series_name": program.series[test.series].name
        if test.series in program.series
        else "",
        "offered": test.offered_on(on),
        "blueprint_effective": _iso(blueprint.effective) if blueprint else None,
        "scored": blueprint.scored if blueprint else None,
        "unscored": blueprint.unscored if blueprint else None,
        # The time held for a sitting (Program.sitting_minutes): the booking page's
        # answer, the program's default where the blueprint states none.
        "minutes": program.sitting_minutes(test.code, "initial", on),
        "minutes_stated": bool(blueprint and blueprint.minutes),
        "recertifiable": recert is not None,
        "recert_scored": recert.scored if recert else None,
        "recert_minutes": program.sitting_minutes(test.code, "recert", on)
        if recert
        else None,
        "fee_class": test.fee_class,
        "fee_cents": fees.test_fees.get(test.fee_class) if fees else None,
        "currency": fees.currency if fees else None,
        "prerequisites": "; ".join(prerequisite_text(p) for p in test.prerequisites),
        "experience_rule": test.experience_rule,
        "experience_years": _years(rule.required_days) if rule else None,
        "renewable_by_app": _renewable(program, test),
        "estimated": _estimated(test, blueprint),
    }


def catalog_rows(
    program: Program, on: dt.date, *, offered_only: bool = False
) -> list[Row]:
    """One row per test as it stands on ``on``, in series then code order.

    Keys: code, name, series, series_name, offered, blueprint_effective, scored,
    unscored, minutes (the time held for a sitting, Program.sitting_minutes),
    minutes_stated (whether the blueprint states it), recertifiable, recert_scored,
    recert_minutes, fee_class,
    fee_cents, currency, prerequisites (text), experience_rule, experience_years,
    renewable_by_app, estimated. Figures are None where not known on that day.
    """
    rows = [_row(program, test, on) for test in _ordered_tests(program)]
    return [r for r in rows if r["offered"]] if offered_only else rows


def _blueprint_data(blueprint: Blueprint) -> Row:
    return {
        "effective": blueprint.effective.isoformat(),
        "scored": blueprint.scored,
        "unscored": blueprint.unscored,
        "minutes": blueprint.minutes,
        "estimated": blueprint.estimated,
        "note": blueprint.note,
        "areas": [
            {"code": a.code, "name": a.name, "questions": a.questions}
            for a in blueprint.areas
        ],
    }


def _fee_data(period: FeePeriod) -> Row:
    return {
        "start": period.start.isoformat(),
        "end": _iso(period.end),
        "currency": period.currency,
        "registration_cents": period.registration_cents,
        "registration_per": period.registration_per,
        "test_fees": dict(period.test_fees),
        "recert_cap_cents": period.recert_cap_cents,
        "renewal_cents": period.renewal_cents,
        "estimated": period.estimated,
        "note": period.note,
    }


def test_detail(program: Program, code: str, on: dt.date) -> Row:
    """Everything about one test on ``on``; ``KeyError`` for an unknown code.

    The row of ``catalog_rows`` plus: blueprint (with its content areas, or None),
    areas, blueprints (every version), recert, prerequisite_list, experience,
    titles (the ids of titles whose rule names the test), validity_years,
    offered_from/until, languages, note.
    """
    test = program.tests[code]
    blueprint = test.blueprint_on(on)
    detail = _row(program, test, on)
    rule = program.experience.rules.get(test.experience_rule)
    detail.update(
        {
            "blueprint": _blueprint_data(blueprint) if blueprint else None,
            "areas": _blueprint_data(blueprint)["areas"] if blueprint else [],
            "blueprints": [_blueprint_data(b) for b in test.blueprints],
            "recert": None
            if test.recert is None
            else {
                "scored": test.recert.scored,
                "minutes": program.sitting_minutes(code, "recert", on),
                "estimated": test.recert.estimated,
                "remote_proctoring": test.recert.remote_proctoring,
            },
            "prerequisite_list": [
                {
                    "expr": expr_data(p.expr),
                    "text": prerequisite_text(p),
                    "state": p.state,
                    "applies_to": p.applies_to,
                    "estimated": p.estimated,
                    "note": p.note,
                }
                for p in test.prerequisites
            ],
            "experience": None
            if rule is None
            else {
                "rule": rule.code,
                "required_days": rule.required_days,
                "substitution_cap_days": rule.substitution_cap_days,
                "note": rule.note,
            },
            "titles": [
                t.id for t in program.titles.values() if code in expr_tests(t.rule)
            ],
            "validity_years": test.validity_years or program.policy.validity_years,
            "offered_from": _iso(test.offered_from),
            "offered_until": _iso(test.offered_until),
            "languages": list(test.languages),
            "note": test.note,
        }
    )
    return detail


# The name starts with "test_": a test module that imports it would otherwise have
# pytest collect it as a test.
test_detail.__test__ = False  # type: ignore[attr-defined]


def program_summary(program: Program) -> Row:
    """The program's identity, policies, series, titles and fee history."""
    counts: dict[str, int] = {}
    for test in program.tests.values():
        counts[test.series] = counts.get(test.series, 0) + 1
    policy = program.policy
    renewal = program.renewal
    return {
        "id": program.id,
        "name": program.name,
        "version": program.version,
        "body": program.body,
        "source": program.source,
        "digest": program.digest,
        "notes": list(program.notes),
        "test_count": len(program.tests),
        "series": [
            {
                "code": s.code,
                "name": s.name,
                "tests": counts.get(s.code, 0),
                "note": s.note,
            }
            for s in program.series.values()
        ],
        "titles": [
            {
                "id": t.id,
                "name": t.name,
                "rule": expr_data(t.rule),
                "rule_text": expr_text(t.rule),
                "tests": sorted(expr_tests(t.rule), key=_code_key),
                "excluded_by": list(t.excluded_by),
                "estimated": t.estimated,
                "note": t.note,
            }
            for t in program.titles.values()
        ],
        "policy": {
            "validity_years": policy.validity_years,
            "validity_from": policy.validity_from,
            "retest_wait_days": policy.retest_wait_days,
            "retest_wait_full_days": policy.retest_wait_full_days,
            "purchase_window_days": policy.purchase_window_days,
            "recert_max_lapse_days": policy.recert_max_lapse_days,
            "pending_pass_valid_days": policy.pending_pass_valid_days,
            "initial_requires_no_prior_pass": policy.initial_requires_no_prior_pass,
        },
        "experience": {
            "default_rule": program.experience.default_rule,
            "rules": [
                {
                    "code": r.code,
                    "required_days": r.required_days,
                    "substitution_cap_days": r.substitution_cap_days,
                    "note": r.note,
                }
                for r in program.experience.rules.values()
            ],
            "kinds": [
                {
                    "code": k.code,
                    "name": k.name,
                    "accrual": k.accrual,
                    "full_time_factor": k.full_time_factor,
                    "part_time_factor": k.part_time_factor,
                    "credit_days": k.credit_days,
                    "substitution": k.substitution,
                    "estimated": k.estimated,
                    "note": k.note,
                }
                for k in program.experience.kinds.values()
            ],
        },
        "renewal": {
            "questions_per_month": renewal.questions_per_month,
            "answer_window_days": renewal.answer_window_days,
            "time_limit_minutes": renewal.time_limit_minutes,
            "credits_for_extension": renewal.credits_for_extension,
            "extension_months": renewal.extension_months,
            "credit_window_months": renewal.credit_window_months,
            "requires_prior_pass": renewal.requires_prior_pass,
            "extend_from": renewal.extend_from,
            "eligible_series": list(renewal.eligible_series),
            "estimated": renewal.estimated,
            "note": renewal.note,
        },
        "reminders": {
            "before_days": list(program.reminders.before_days),
            "after_days": list(program.reminders.after_days),
            "catch_up_days": program.reminders.catch_up_days,
            "estimated": program.reminders.estimated,
            "note": program.reminders.note,
        },
        "fees": [_fee_data(p) for p in program.fees],
    }


# --- plain-text table -----------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def format_table(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str] | None = None
) -> str:
    """Rows as an aligned plain-text table; numbers right-aligned, None as ``-``.

    ``columns`` defaults to the keys of the first row.
    """
    if not rows:
        return ""
    names = list(columns) if columns is not None else list(rows[0])
    cells = [[_cell(row.get(name)) for name in names] for row in rows]
    widths = [
        max(len(name), *(len(line[i]) for line in cells))
        for i, name in enumerate(names)
    ]
    numeric = [
        all(
            isinstance(row.get(name), int | float)
            and not isinstance(row.get(name), bool)
            for row in rows
            if row.get(name) is not None
        )
        for name in names
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(names), line(["-" * w for w in widths])]
    out.extend(line(values) for values in cells)
    return "\n".join(out)
