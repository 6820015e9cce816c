"""What a technician still needs for a title, and what is about to expire."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from certwright.program.listing import expr_text
from certwright.program.model import AllOf, AnyOf, Expr, OnePerGroup, Program, TestRef

from . import dates
from .engine import evaluate
from .facts import CertificationState, Evaluation, Facts


@dataclass(frozen=True, slots=True)
class PlanItem:
    label: str  # a test code, or a group's name
    satisfied: bool  # certified on the day asked about
    # certified | expiring | pending_experience | expired | revoked | missing | group
    status: str
    action: str  # what to do next, in English words
    test: str | None = None
    expires_on: dt.date | None = None
    options: tuple[PlanItem, ...] = ()
    any_of: bool = False  # a group satisfied by any one of its options
    # What ``action`` says, for the Django layer to word in the reader's language
    # (certwright.core.rule_words): none | pass | recertify_by | document_experience
    # | recert_test | again | one_of | complete. The rest it needs is on the item
    # (test, expires_on, status, options).
    action_code: str = "none"
    # A group the program names by its members, not by a name of its own: the
    # expression its ``label`` spells out in English.
    label_expr: Expr | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "test": self.test,
            "satisfied": self.satisfied,
            "status": self.status,
            "action": self.action,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "options": [o.as_dict() for o in self.options],
        }


@dataclass(frozen=True, slots=True)
class TitlePlan:
    title: str
    name: str
    held: bool
    until: dt.date | None
    items: tuple[PlanItem, ...]
    missing: tuple[
        str, ...
    ]  # requirements not met, in English ("A5", "Brakes: one of ...")
    expiring: tuple[str, ...]  # certified parts expiring within the horizon
    # The same two as items, for the Django layer to word (the ``missing`` ones: a
    # test, or a group of which any one option would do).
    missing_items: tuple[PlanItem, ...] = ()
    expiring_items: tuple[PlanItem, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "name": self.name,
            "held": self.held,
            "until": self.until.isoformat() if self.until else None,
            "items": [i.as_dict() for i in self.items],
            "missing": list(self.missing),
            "expiring": list(self.expiring),
        }


def plan_title(
    program: Program,
    facts: Facts,
    title_id: str,
    as_of: dt.date,
    *,
    horizon_days: int = 180,
    evaluation: Evaluation | None = None,
) -> TitlePlan:
    """Every requirement of ``title_id`` with its state on ``as_of`` and what to do."""
    title = program.titles[title_id]
    ev = evaluation or evaluate(program, facts, as_of, explain=False)
    horizon = dates.add_days(as_of, horizon_days)

    def test_item(code: str) -> PlanItem:
        state: CertificationState | None = ev.certifications.get(code)
        name = program.tests[code].name if code in program.tests else code
        if state is None:
            return PlanItem(
                code,
                False,
                "missing",
                f"pass {code} ({name})",
                code,
                action_code="pass",
            )
        if state.status == "certified":
            assert state.expires_on is None or state.expires_on > as_of
            if state.expires_on is not None and state.expires_on <= horizon:
                return PlanItem(
                    code,
                    True,
                    "expiring",
                    f"recertify {code} by {dates.last_valid_day(state.expires_on)}",
                    code,
                    state.expires_on,
                    action_code="recertify_by",
                )
            return PlanItem(code, True, "certified", "none", code, state.expires_on)
        if state.status == "pending_experience":
            return PlanItem(
                code,
                False,
                "pending_experience",
                "document the required work experience",
                code,
                action_code="document_experience",
            )
        if state.status == "expired":
            return PlanItem(
                code,
                False,
                "expired",
                f"pass the {code} recertification test (was valid through "
                f"{dates.last_valid_day(state.expires_on)})",
                code,
                state.expires_on,
                action_code="recert_test",
            )
        return PlanItem(
            code,
            False,
            state.status,
            f"pass {code} again ({state.status})",
            code,
            action_code="again",
        )

    def item(expr: Expr, label: str | None = None) -> PlanItem:
        if isinstance(expr, TestRef):
            return test_item(expr.test)
        if isinstance(expr, AnyOf):
            options = tuple(item(i) for i in expr.items)
            return _group(label, expr, options, any_of=True)
        if isinstance(expr, OnePerGroup):
            options = tuple(
                _group(g.name, None, tuple(item(i) for i in g.items), any_of=True)
                for g in expr.groups
            )
            return _group(label, expr, options, any_of=False)
        assert isinstance(expr, AllOf)
        return _group(label, expr, tuple(item(i) for i in expr.items), any_of=False)

    root = item(title.rule, title.name)
    items = (
        root.options if root.status == "group" and not _is_any(title.rule) else (root,)
    )
    missing: list[PlanItem] = []
    expiring: list[PlanItem] = []
    for it in items:
        _collect(it, missing, expiring)
    state = ev.titles.get(title_id)
    return TitlePlan(
        title=title_id,
        name=title.name,
        held=bool(state and state.held),
        until=state.until if state and state.held else None,
        items=items,
        missing=tuple(_missing_text(it) for it in missing),
        expiring=tuple(
            f"{it.label} valid through {dates.last_valid_day(it.expires_on)}"
            for it in expiring
        ),
        missing_items=tuple(missing),
        expiring_items=tuple(expiring),
    )


def _is_any(expr: Expr) -> bool:
    return isinstance(expr, AnyOf)


def _group(
    label: str | None,
    expr: Expr | None,
    options: tuple[PlanItem, ...],
    *,
    any_of: bool,
) -> PlanItem:
    """A group of requirements, named by ``label`` (the program's name for it) or,
    when the program gives none, by its expression ``expr``."""
    ok = (
        any(o.satisfied for o in options)
        if any_of
        else all(o.satisfied for o in options)
    )
    if ok:
        action, code = "none", "none"
    elif any_of:
        action = "certify in one of: " + ", ".join(o.label for o in options)
        code = "one_of"
    else:
        action = "complete: " + ", ".join(o.label for o in options if not o.satisfied)
        code = "complete"
    if label is None:
        assert expr is not None
        named_by = expr
        label = "each group" if isinstance(expr, OnePerGroup) else expr_text(expr)
    else:
        named_by = None
    return PlanItem(
        label,
        ok,
        "group",
        action,
        None,
        None,
        options,
        any_of,
        action_code=code,
        label_expr=named_by,
    )


def _missing_text(it: PlanItem) -> str:
    if it.status == "group":
        return f"{it.label}: one of {', '.join(o.label for o in it.options)}"
    return it.label


def _collect(it: PlanItem, missing: list[PlanItem], expiring: list[PlanItem]) -> None:
    if it.status == "expiring":
        expiring.append(it)
    if it.status != "group":
        if not it.satisfied:
            missing.append(it)
        return
    if it.satisfied:
        # Only the options that carry the group can be about to expire.
        for o in it.options:
            if o.satisfied:
                _collect(o, missing, expiring)
        return
    if it.any_of:
        missing.append(it)
        return
    for o in it.options:
        _collect(o, missing, expiring)
