"""Load a program definition from TOML and validate it into ``model.Program``.

A program is a directory of ``*.toml`` files (merged in sorted order) or one file.
Validation collects every problem it can find before it gives up, so an operator
fixes a file in one pass instead of one error per run: each problem is an ``Issue``
naming the file, the dotted key and the reason. The format is described in
``docs/program-format.md``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
import threading
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, cast

from certwright.program.model import (
    AllOf,
    AnyOf,
    Blueprint,
    ContentArea,
    Documents,
    ExperienceKind,
    ExperiencePolicy,
    ExperienceRule,
    Expr,
    FeePeriod,
    Group,
    OnePerGroup,
    Policy,
    Prerequisite,
    Program,
    RecertSpec,
    RecognitionRule,
    ReminderLadder,
    RenewalPolicy,
    SchedulingPolicy,
    Series,
    ServiceArea,
    ShopPolicy,
    Test,
    TestRef,
    Title,
    VerificationPolicy,
    expr_tests,
)

__all__ = [
    "DATA_DIR",
    "Issue",
    "ProgramError",
    "builtin_path",
    "builtin_programs",
    "get_program",
    "load",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Codes end up in URLs, CSV imports and CLI arguments, so keep them plain.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_CURRENCY = re.compile(r"[A-Z]{3}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

# Tables whose entries are keyed by an id: an entry belongs to exactly one file, so a
# second definition is reported as a duplicate rather than merged key by key.
_ENTRY_PARENTS: dict[tuple[str, ...], str] = {
    ("series",): "series",
    ("tests",): "test code",
    ("titles",): "title id",
    ("experience", "kinds"): "experience kind",
    ("experience", "rules"): "experience rule",
}

_EXPR_SHAPES = ("test", "all_of", "any_of", "one_per_group")

# Upper bounds, so that no number in a program can overflow a database column or the
# date arithmetic of the rules core: a count or an amount in cents must fit a 32-bit
# integer column; durations are capped at a century, far beyond any real policy. With
# facts dated up to 9000-12-31 (the facts format's latest date) every expiry the rules
# work out is then a real day.
MAX_COUNT = 2**31 - 1
MAX_YEARS = 100
MAX_MONTHS = 12 * MAX_YEARS
MAX_DAYS = 36_525

# TOML nesting (arrays and inline tables inside each other) and dotted-key length.
# tomllib recurses once per level and keeps every prefix of a dotted key, so a few
# kilobytes of `[[[[...` or `a.a.a.a...` cost a RecursionError or gigabytes; a real
# program needs a handful of levels and keys of three or four parts.
MAX_DEPTH = 32

# Enough of TOML's lexical grammar to find brackets and dotted keys outside strings
# and comments (tomllib does the real parsing afterwards). A quoted key part stays
# inside a dotted key's match; a lone string or comment is skipped whole.
_TOML_KEY_PART = r"""[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'"""
_TOML_SCAN = re.compile(
    rf"""(?P<key>(?:{_TOML_KEY_PART})(?:[ \t]*\.[ \t]*(?:{_TOML_KEY_PART}))+)"""
    r'''|"""(?:[^\\]|\\.)*?"""'''
    r"""|'''.*?'''"""
    r"""|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*"""
    r"""|(?P<open>[\[{])|(?P<close>[\]}])""",
    re.DOTALL,
)
_TOML_PART = re.compile(_TOML_KEY_PART)

KeyPart = str | int
KeyPath = tuple[KeyPart, ...]


# --- issues ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a program definition."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class ProgramError(Exception):
    """A program definition that cannot be loaded; ``issues`` lists every problem."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues: list[Issue] = list(issues)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(issue) for issue in self.issues)

    def __reduce__(self) -> tuple[type[ProgramError], tuple[list[Issue]]]:
        # Exception pickles its args (the message); rebuild from the issues instead,
        # so the error survives a task queue or a process pool intact.
        return (type(self), (self.issues,))


def _render_key(key: KeyPath) -> str:
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = (
            part if _BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
        )
        out = f"{out}.{text}" if out else text
    return out


class _Context:
    """Collects issues and remembers which file each key came from."""

    def __init__(self, fallback_file: str) -> None:
        self.fallback_file = fallback_file
        self.issues: list[Issue] = []
        self.origins: dict[tuple[str, ...], str] = {}
        self.bad: set[KeyPath] = set()

    def file_of(self, key: KeyPath) -> str:
        # Origins are recorded for table keys only; array items live in their
        # parent's file, so look up the longest all-string prefix.
        names: list[str] = []
        for part in key:
            if isinstance(part, int):
                break
            names.append(part)
        while names:
            found = self.origins.get(tuple(names))
            if found is not None:
                return found
            names.pop()
        return self.fallback_file

    def report(self, key: KeyPath, reason: str, *, file: str | None = None) -> None:
        self.issues.append(Issue(file or self.file_of(key), _render_key(key), reason))
        self.bad.add(key)

    def is_bad(self, key: KeyPath) -> bool:
        """Whether a problem was reported at or under ``key`` (to avoid follow-ons)."""
        n = len(key)
        return any(b[:n] == key for b in self.bad)


# --- typed access to one TOML table ---------------------------------------------------


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.datetime):
        return "a date-time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dt.time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class _Table:
    """Reads keys of one table, reporting missing, mistyped and unknown keys.

    Every accessor marks its key as known; ``finish`` reports the rest as unknown, so
    a typo such as ``socred`` is an error instead of a silently ignored default.
    Accessors return a neutral value on error (the issue is already recorded) so the
    caller can carry on and find further problems.
    """

    def __init__(self, ctx: _Context, key: KeyPath, data: Mapping[str, object]) -> None:
        self.ctx = ctx
        self.key = key
        self.data = data
        self.known: set[str] = set()

    def at(self, name: str) -> KeyPath:
        return (*self.key, name)

    def has(self, name: str) -> bool:
        self.known.add(name)
        return name in self.data

    def raw(self, name: str, *, required: bool) -> object | None:
        self.known.add(name)
        if name not in self.data:
            if required:
                self.ctx.report(self.at(name), "missing required key")
            return None
        return self.data[name]

    def _wrong(self, name: str, expected: str, value: object) -> None:
        self.ctx.report(self.at(name), f"expected {expected}, got {_type_name(value)}")

    def text(self, name: str, default: str | None = None) -> str:
        """A string; required when ``default`` is None."""
        value = self.raw(name, required=default is None)
        if value is None:
            return default or ""
        if not isinstance(value, str):
            self._wrong(name, "a string", value)
            return default or ""
        if default is None and not value.strip():
            self.ctx.report(self.at(name), "must not be empty")
        return value

    def code(self, name: str, default: str | None = None) -> str:
        value = self.text(name, default)
        if value and not _CODE.fullmatch(value) and not self.ctx.is_bad(self.at(name)):
            self.ctx.report(
                self.at(name),
                f"{value!r} is not a valid code (letters, digits, '-' and '_')",
            )
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str | None) -> str:
        value = self.text(name, default)
        if value not in options and not self.ctx.is_bad(self.at(name)):
            allowed = ", ".join(repr(o) for o in options)
            self.ctx.report(self.at(name), f"{value!r} is not one of {allowed}")
            return default or options[0]
        return value

    def _int_value(
        self, name: str, value: object, minimum: int, maximum: int
    ) -> int | None:
        return self.int_at(self.at(name), value, minimum, maximum)

    def int_at(
        self, key: KeyPath, value: object, minimum: int, maximum: int
    ) -> int | None:
        """``value`` (found at ``key``, a key or an array item) as an integer in
        [``minimum``, ``maximum``]; None, with the problem reported, otherwise."""
        # bool is a subclass of int in Python; TOML true is never a count.
        if isinstance(value, bool) or not isinstance(value, int):
            self.ctx.report(key, f"expected an integer, got {_type_name(value)}")
            return None
        if value < minimum:
            reason = "must not be negative" if minimum == 0 else f"must be ≥ {minimum}"
            self.ctx.report(key, f"{reason}, got {value}")
            return None
        if value > maximum:
            self.ctx.report(key, f"must be ≤ {maximum:_}, got {value:_}")
            return None
        return value

    def integer(
        self,
        name: str,
        default: int | None = None,
        *,
        minimum: int = 0,
        maximum: int = MAX_COUNT,
    ) -> int:
        """An integer in [``minimum``, ``maximum``]; required when ``default`` is
        None."""
        value = self.raw(name, required=default is None)
        if value is None:
            return default if default is not None else minimum
        checked = self._int_value(name, value, minimum, maximum)
        if checked is None:
            return default if default is not None else minimum
        return checked

    def opt_integer(
        self, name: str, *, minimum: int = 0, maximum: int = MAX_COUNT
    ) -> int | None:
        """An integer in [``minimum``, ``maximum``]; None when absent (TOML has no
        null)."""
        value = self.raw(name, required=False)
        if value is None:
            return None
        return self._int_value(name, value, minimum, maximum)

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        value = self.raw(name, required=False)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self._wrong(name, "a number", value)
            return default
        if not low <= value <= high:
            self.ctx.report(
                self.at(name), f"must be between {low} and {high}, got {value}"
            )
            return default
        return float(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self._wrong(name, "a boolean (true or false)", value)
            return default
        return value

    def _date_value(self, name: str, value: object) -> dt.date | None:
        if isinstance(value, dt.datetime):
            self._wrong(name, "a date (YYYY-MM-DD)", value)
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                self.ctx.report(
                    self.at(name), f"{value!r} is not a valid date (YYYY-MM-DD)"
                )
                return None
        self._wrong(name, "a date (YYYY-MM-DD)", value)
        return None

    def date(self, name: str) -> dt.date:
        value = self.raw(name, required=True)
        if value is None:
            return dt.date.min
        return self._date_value(name, value) or dt.date.min

    def opt_date(self, name: str) -> dt.date | None:
        value = self.raw(name, required=False)
        if value is None:
            return None
        return self._date_value(name, value)

    def strings(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.raw(name, required=False)
        if value is None:
            return default
        if not isinstance(value, list):
            self._wrong(name, "an array of strings", value)
            return default
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                key = (*self.at(name), i)
                self.ctx.report(key, f"expected a string, got {_type_name(item)}")
        return tuple(out)

    def table(self, name: str, *, required: bool) -> _Table | None:
        value = self.raw(name, required=required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self._wrong(name, "a table", value)
            return None
        return _Table(self.ctx, self.at(name), value)

    def entries(self, name: str, *, required: bool) -> list[tuple[str, _Table]]:
        """The sub-tables of a table keyed by id, such as ``[tests.A1]``."""
        parent = self.table(name, required=required)
        if parent is None:
            return []
        out: list[tuple[str, _Table]] = []
        for entry_id, value in parent.data.items():
            parent.known.add(entry_id)
            if isinstance(value, dict):
                out.append((entry_id, _Table(self.ctx, parent.at(entry_id), value)))
            else:
                parent._wrong(entry_id, "a table", value)
        return out

    def tables(self, name: str, *, required: bool) -> list[_Table]:
        """An array of tables, such as ``[[fees]]`` or ``areas = [{...}, ...]``."""
        value = self.raw(name, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            self._wrong(name, "an array of tables", value)
            return []
        out: list[_Table] = []
        for i, item in enumerate(value):
            key = (*self.at(name), i)
            if isinstance(item, dict):
                out.append(_Table(self.ctx, key, item))
            else:
                self.ctx.report(key, f"expected a table, got {_type_name(item)}")
        return out

    def finish(self) -> None:
        for name in self.data:
            if name in self.known:
                continue
            hint = difflib.get_close_matches(name, sorted(self.known), n=1)
            reason = "unknown key" + (f" (did you mean {hint[0]!r}?)" if hint else "")
            self.ctx.report(self.at(name), reason)


# --- expressions ----------------------------------------------------------------------


def _parse_expr(
    ctx: _Context, key: KeyPath, raw: object, tests: set[str]
) -> Expr | None:
    """Parse a title or prerequisite expression; report every bad node under it."""
    if isinstance(raw, str):
        # Shorthand: a bare test code stands for {test = "..."}.
        if raw not in tests:
            ctx.report(key, f"unknown test {raw!r}")
        return TestRef(raw)
    if not isinstance(raw, dict):
        ctx.report(
            key,
            "expected a test code or a table with one of "
            f"{', '.join(_EXPR_SHAPES)}, got {_type_name(raw)}",
        )
        return None
    if len(raw) != 1 or next(iter(raw)) not in _EXPR_SHAPES:
        got = ", ".join(sorted(raw)) or "an empty table"
        ctx.report(
            key,
            f"unknown expression shape ({got}): an expression has exactly one of "
            f"{', '.join(_EXPR_SHAPES)}",
        )
        return None
    ((shape, value),) = raw.items()
    sub = (*key, shape)
    if shape == "test":
        if not isinstance(value, str):
            ctx.report(sub, f"expected a test code, got {_type_name(value)}")
            return None
        return _parse_expr(ctx, sub, value, tests)
    if not isinstance(value, list) or not value:
        what = "groups" if shape == "one_per_group" else "expressions"
        ctx.report(sub, f"expected a non-empty array of {what}")
        return None
    if shape == "one_per_group":
        groups = [_parse_group(ctx, (*sub, i), g, tests) for i, g in enumerate(value)]
        return OnePerGroup(tuple(g for g in groups if g is not None))
    items = [_parse_expr(ctx, (*sub, i), item, tests) for i, item in enumerate(value)]
    kept = tuple(i for i in items if i is not None)
    return AllOf(kept) if shape == "all_of" else AnyOf(kept)


def _parse_group(
    ctx: _Context, key: KeyPath, raw: object, tests: set[str]
) -> Group | None:
    # A group is {name = "...", items = [...]} or, unnamed, a bare array of expressions.
    if isinstance(raw, list):
        name, items_raw, items_key = "", cast(object, raw), key
    elif isinstance(raw, dict):
        table = _Table(ctx, key, raw)
        name = table.text("name", "")
        items_raw = table.raw("items", required=True)
        items_key = table.at("items")
        table.finish()
        if items_raw is None:
            return None
    else:
        ctx.report(
            key, f"expected a group table {{name, items}}, got {_type_name(raw)}"
        )
        return None
    if not isinstance(items_raw, list) or not items_raw:
        ctx.report(items_key, "expected a non-empty array of expressions")
        return None
    items = [
        _parse_expr(ctx, (*items_key, i), x, tests) for i, x in enumerate(items_raw)
    ]
    return Group(name, tuple(i for i in items if i is not None))


# --- sections -------------------------------------------------------------------------


@dataclass(slots=True)
class _Header:
    id: str
    name: str
    version: str
    body: str
    notes: tuple[str, ...]
    address: tuple[str, ...]


def _parse_header(top: _Table) -> _Header:
    table = top.table("program", required=True)
    if table is None:
        return _Header("", "", "", "", (), ())
    header = _Header(
        id=table.code("id"),
        name=table.text("name"),
        version=table.text("version"),
        body=table.text("body"),
        notes=table.strings("notes", ()),
        address=table.strings("address", ()),
    )
    table.finish()
    return header


def _parse_policy(top: _Table) -> Policy:
    table = top.table("policy", required=False)
    base = Policy()
    if table is None:
        return base
    policy = Policy(
        validity_years=table.integer(
            "validity_years", base.validity_years, minimum=1, maximum=MAX_YEARS
        ),
        validity_from=cast(
            Literal["pass", "certified"],
            table.choice("validity_from", ("pass", "certified"), base.validity_from),
        ),
        retest_wait_days=table.integer(
            "retest_wait_days", base.retest_wait_days, maximum=MAX_DAYS
        ),
        retest_wait_full_days=table.flag(
            "retest_wait_full_days", base.retest_wait_full_days
        ),
        purchase_window_days=table.integer(
            "purchase_window_days",
            base.purchase_window_days,
            minimum=1,
            maximum=MAX_DAYS,
        ),
        recert_max_lapse_days=table.opt_integer(
            "recert_max_lapse_days", maximum=MAX_DAYS
        ),
        pending_pass_valid_days=table.opt_integer(
            "pending_pass_valid_days", minimum=1, maximum=MAX_DAYS
        ),
        initial_requires_no_prior_pass=table.flag(
            "initial_requires_no_prior_pass", base.initial_requires_no_prior_pass
        ),
    )
    table.finish()
    return policy


def _parse_scheduling(top: _Table) -> SchedulingPolicy:
    table = top.table("scheduling", required=False)
    base = SchedulingPolicy()
    if table is None:
        return base
    scheduling = SchedulingPolicy(
        default_test_minutes=table.integer(
            "default_test_minutes", base.default_test_minutes, minimum=1, maximum=600
        ),
        change_cutoff_days=table.integer(
            "change_cutoff_days", base.change_cutoff_days, maximum=MAX_DAYS
        ),
        same_day_booking=table.flag("same_day_booking", base.same_day_booking),
    )
    table.finish()
    return scheduling


def _parse_experience(top: _Table) -> ExperiencePolicy:
    table = top.table("experience", required=True)
    if table is None:
        return ExperiencePolicy({}, {}, "")
    kinds: dict[str, ExperienceKind] = {}
    for code, kt in table.entries("kinds", required=True):
        accrual = kt.choice("accrual", ("time", "fixed"), None)
        credit_days = kt.integer("credit_days", 0, maximum=MAX_DAYS)
        if (
            accrual == "fixed"
            and credit_days == 0
            and not kt.ctx.is_bad(kt.at("credit_days"))
        ):
            kt.ctx.report(
                kt.at("credit_days"), "a fixed-accrual kind needs credit_days > 0"
            )
        kinds[code] = ExperienceKind(
            code=code,
            name=kt.text("name"),
            accrual=cast(Literal["time", "fixed"], accrual),
            full_time_factor=kt.number("full_time_factor", 1.0, low=0.0, high=1.0),
            part_time_factor=kt.number("part_time_factor", 0.5, low=0.0, high=1.0),
            credit_days=credit_days,
            substitution=kt.flag("substitution", False),
            estimated=kt.flag("estimated", False),
            note=kt.text("note", ""),
        )
        kt.finish()
    if not kinds and not table.ctx.is_bad(table.at("kinds")):
        table.ctx.report(table.at("kinds"), "at least one experience kind is required")
    rules: dict[str, ExperienceRule] = {}
    for code, rt in table.entries("rules", required=True):
        rules[code] = ExperienceRule(
            code=code,
            required_days=rt.integer("required_days", maximum=MAX_DAYS),
            substitution_cap_days=rt.integer(
                "substitution_cap_days", 0, maximum=MAX_DAYS
            ),
            note=rt.text("note", ""),
        )
        rt.finish()
    if not rules and not table.ctx.is_bad(table.at("rules")):
        table.ctx.report(table.at("rules"), "at least one experience rule is required")
    default_rule = table.text("default_rule")
    if (
        default_rule
        and default_rule not in rules
        and not table.ctx.is_bad(table.at("rules"))
    ):
        table.ctx.report(
            table.at("default_rule"), f"unknown experience rule {default_rule!r}"
        )
    free_mail = _free_mail_domains(table)
    table.finish()
    return ExperiencePolicy(
        kinds=kinds,
        rules=rules,
        default_rule=default_rule,
        free_mail_domains=free_mail,
    )


# A bare domain name ("gmail.com"): labels of letters, digits and inner hyphens.
_DOMAIN = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+")


def _free_mail_domains(table: _Table) -> frozenset[str]:
    domains = table.strings("free_mail_domains", ())
    for i, domain in enumerate(domains):
        if not _DOMAIN.fullmatch(domain):
            table.ctx.report(
                (*table.at("free_mail_domains"), i),
                f"{domain!r} is not a lower-case domain name such as 'gmail.com'",
            )
    return frozenset(domains)


def _parse_renewal(top: _Table, series: set[str]) -> RenewalPolicy:
    table = top.table("renewal", required=False)
    base = RenewalPolicy()
    if table is None:
        return base
    eligible = table.strings("eligible_series", ())
    for i, code in enumerate(eligible):
        if code not in series:
            table.ctx.report(
                (*table.at("eligible_series"), i), f"unknown series {code!r}"
            )
    renewal = RenewalPolicy(
        questions_per_month=table.integer(
            "questions_per_month", base.questions_per_month, minimum=1
        ),
        answer_window_days=table.integer(
            "answer_window_days", base.answer_window_days, minimum=1, maximum=MAX_DAYS
        ),
        time_limit_minutes=table.integer(
            "time_limit_minutes", base.time_limit_minutes, minimum=1, maximum=24 * 60
        ),
        credits_for_extension=table.integer(
            "credits_for_extension", base.credits_for_extension, minimum=1
        ),
        extension_months=table.integer(
            "extension_months", base.extension_months, minimum=1, maximum=MAX_MONTHS
        ),
        credit_window_months=table.integer(
            "credit_window_months",
            base.credit_window_months,
            minimum=1,
            maximum=MAX_MONTHS,
        ),
        requires_prior_pass=table.flag("requires_prior_pass", base.requires_prior_pass),
        extend_from=cast(
            Literal["expiry"], table.choice("extend_from", ("expiry",), "expiry")
        ),
        eligible_series=eligible,
        note=table.text("note", ""),
        estimated=table.flag("estimated", False),
    )
    table.finish()
    return renewal


def _reminder_days(table: _Table, name: str, *, minimum: int) -> tuple[int, ...]:
    """An array of whole days for the reminder ladder: each in [minimum, MAX_DAYS],
    none given twice (the same rung twice would be one e-mail or a typo)."""
    raw = table.raw(name, required=False)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        table._wrong(name, "an array of integers (days)", raw)
        return ()
    out: list[int] = []
    for i, value in enumerate(raw):
        key = (*table.at(name), i)
        day = table.int_at(key, value, minimum, MAX_DAYS)
        if day is not None and day in out:
            table.ctx.report(key, f"{day} days is given twice")
        elif day is not None:
            out.append(day)
    return tuple(out)


def _parse_reminders(top: _Table) -> ReminderLadder:
    """``[reminders]``: the expiry reminder ladder; absent, no reminders."""
    table = top.table("reminders", required=False)
    base = ReminderLadder()
    if table is None:
        return base
    # Before: at least a day (day 0 is the expiry date, an "after" rung).
    ladder = ReminderLadder(
        before_days=_reminder_days(table, "before_days", minimum=1),
        after_days=_reminder_days(table, "after_days", minimum=0),
        catch_up_days=table.integer(
            "catch_up_days", base.catch_up_days, maximum=MAX_DAYS
        ),
        note=table.text("note", ""),
        estimated=table.flag("estimated", False),
    )
    table.finish()
    return ladder


def _parse_documents(top: _Table) -> Documents:
    table = top.table("documents", required=False)
    base = Documents()
    if table is None:
        return base
    documents = Documents(
        paper=cast(
            Literal["letter", "a4"],
            table.choice("paper", ("letter", "a4"), base.paper),
        ),
    )
    table.finish()
    return documents


def _parse_verification(top: _Table) -> VerificationPolicy:
    table = top.table("verification", required=False)
    base = VerificationPolicy()
    if table is None:
        return base
    verification = VerificationPolicy(
        public_lookup=table.flag("public_lookup", base.public_lookup),
        technician_may_opt_out=table.flag(
            "technician_may_opt_out", base.technician_may_opt_out
        ),
    )
    table.finish()
    return verification


def _parse_series(top: _Table) -> dict[str, Series]:
    out: dict[str, Series] = {}
    for code, st in top.entries("series", required=True):
        _check_code(st.ctx, st.key, code, "series code")
        out[code] = Series(code=code, name=st.text("name"), note=st.text("note", ""))
        st.finish()
    if not out and not top.ctx.is_bad(top.at("series")):
        top.ctx.report(top.at("series"), "at least one series is required")
    return out


def _check_code(ctx: _Context, key: KeyPath, code: str, what: str) -> None:
    if not _CODE.fullmatch(code):
        ctx.report(
            key, f"{code!r} is not a valid {what} (letters, digits, '-' and '_')"
        )


def _parse_fees(top: _Table) -> tuple[FeePeriod, ...]:
    periods: list[FeePeriod] = []
    for ft in top.tables("fees", required=True):
        fees: dict[str, int] = {}
        fees_table = ft.table("test_fees", required=True)
        if fees_table is not None:
            for fee_class in fees_table.data:
                fees[fee_class] = fees_table.integer(fee_class)
            if not fees_table.data:
                ft.ctx.report(fees_table.key, "at least one fee class is required")
        currency = ft.text("currency")
        if currency and not _CURRENCY.fullmatch(currency):
            ft.ctx.report(
                ft.at("currency"), f"{currency!r} is not an ISO 4217 code (e.g. USD)"
            )
        period = FeePeriod(
            start=ft.date("start"),
            end=ft.opt_date("end"),
            currency=currency,
            registration_cents=ft.integer("registration_cents"),
            registration_per=cast(
                Literal["order", "window"],
                ft.choice("registration_per", ("order", "window"), None),
            ),
            test_fees=fees,
            recert_cap_cents=ft.opt_integer("recert_cap_cents"),
            note=ft.text("note", ""),
            estimated=ft.flag("estimated", False),
            # A free subscription is not a price: absent means "not sold".
            renewal_cents=ft.opt_integer("renewal_cents", minimum=1),
        )
        ft.finish()
        periods.append(period)
    if not periods and not top.ctx.is_bad(top.at("fees")):
        top.ctx.report(top.at("fees"), "at least one fee period is required")
    _check_fee_periods(top.ctx, top.at("fees"), periods)
    return tuple(periods)


def _check_fee_periods(ctx: _Context, key: KeyPath, periods: list[FeePeriod]) -> None:
    """Periods are in start order, each ends after it starts, and none overlap."""
    # Decided before reporting anything here, so that one ordering problem does not
    # hide the next one.
    unreadable = [
        ctx.is_bad((*key, i, "start")) or ctx.is_bad((*key, i, "end"))
        for i in range(len(periods))
    ]
    previous: FeePeriod | None = None
    previous_index = -1
    previous_end_ok = True
    for i, period in enumerate(periods):
        here = (*key, i)
        if unreadable[i]:
            continue
        end_ok = period.end is None or period.end > period.start
        if not end_ok:
            ctx.report(
                (*here, "end"), f"end {period.end} is not after start {period.start}"
            )
        if previous is not None:
            if period.start <= previous.start:
                ctx.report(
                    (*here, "start"),
                    f"fee periods must be in increasing start order: {period.start} "
                    f"comes after fees[{previous_index}] starting {previous.start}",
                )
            elif previous_end_ok and (
                previous.end is None or period.start < previous.end
            ):
                until = (
                    "open-ended" if previous.end is None else f"until {previous.end}"
                )
                ctx.report(
                    (*here, "start"),
                    f"overlaps fees[{previous_index}] ({previous.start}, {until})",
                )
        previous, previous_index, previous_end_ok = period, i, end_ok


def _parse_area(at: _Table) -> ContentArea:
    area = ContentArea(
        code=at.text("code"),
        name=at.text("name"),
        questions=at.opt_integer("questions"),
    )
    at.finish()
    return area


def _parse_blueprint(bt: _Table) -> Blueprint:
    areas = tuple(_parse_area(at) for at in bt.tables("areas", required=False))
    blueprint = Blueprint(
        effective=bt.date("effective"),
        scored=bt.integer("scored", minimum=1),
        unscored=bt.integer("unscored", 0),
        minutes=bt.opt_integer("minutes", minimum=1),
        areas=areas,
        estimated=bt.flag("estimated", False),
        note=bt.text("note", ""),
    )
    ctx = bt.ctx
    seen: dict[str, int] = {}
    for i, area in enumerate(areas):
        if area.code in seen:
            ctx.report(
                (*bt.at("areas"), i, "code"),
                f"duplicate content area {area.code!r} (also areas[{seen[area.code]}])",
            )
        seen.setdefault(area.code, i)
    # Only a blueprint whose every area has a count can be checked against the total;
    # a partial breakdown (ASE publishes some areas only) can at most not exceed it.
    if areas and not ctx.is_bad(bt.at("areas")) and not ctx.is_bad(bt.at("scored")):
        counts = [a.questions for a in areas if a.questions is not None]
        total = sum(counts)
        if len(counts) == len(areas) and total != blueprint.scored:
            ctx.report(
                bt.at("areas"),
                f"content-area questions add up to {total}, "
                f"not scored = {blueprint.scored}",
            )
        elif total > blueprint.scored:
            ctx.report(
                bt.at("areas"),
                f"the known content-area questions ({total}) exceed scored = "
                f"{blueprint.scored}",
            )
    bt.finish()
    return blueprint


def _parse_recert(tt: _Table) -> RecertSpec | None:
    rt = tt.table("recert", required=False)
    if rt is None:
        return None
    spec = RecertSpec(
        scored=rt.opt_integer("scored", minimum=1),
        minutes=rt.opt_integer("minutes", minimum=1),
        estimated=rt.flag("estimated", False),
        remote_proctoring=rt.flag("remote_proctoring", False),
    )
    rt.finish()
    return spec


def _parse_prerequisite(pt: _Table, code: str, tests: set[str]) -> Prerequisite:
    expr_key = pt.at("expr")
    raw = pt.raw("expr", required=True)
    expr = _parse_expr(pt.ctx, expr_key, raw, tests) if raw is not None else None
    applies_to = pt.choice("applies_to", ("initial", "recert", "both"), "initial")
    # Needing an earlier pass of the same test only makes sense for a recert
    # purchase; for an initial purchase it could never be met.
    if expr is not None and applies_to != "recert" and code in expr_tests(expr):
        pt.ctx.report(expr_key, f"an initial purchase of {code} cannot require {code}")
    prerequisite = Prerequisite(
        expr=expr if expr is not None else AllOf(()),
        state=cast(
            Literal["passed", "certified"],
            pt.choice("state", ("passed", "certified"), "passed"),
        ),
        applies_to=cast(Literal["initial", "recert", "both"], applies_to),
        note=pt.text("note", ""),
        estimated=pt.flag("estimated", False),
    )
    pt.finish()
    return prerequisite


@dataclass(slots=True)
class _Refs:
    """What a test may refer to, gathered before the tests are parsed."""

    tests: set[str]
    series: set[str]
    rules: set[str]
    default_rule: str
    fee_classes: set[str]
    fees_ok: bool  # False when the fee table itself is broken: skip class checks


def _parse_test(code: str, tt: _Table, refs: _Refs) -> Test:
    ctx = tt.ctx
    _check_code(ctx, tt.key, code, "test code")
    series = tt.text("series")
    if series and series not in refs.series:
        ctx.report(tt.at("series"), f"unknown series {series!r}")
    rule = tt.text("experience_rule", refs.default_rule)
    if rule and rule not in refs.rules and not ctx.is_bad(tt.at("experience_rule")):
        ctx.report(tt.at("experience_rule"), f"unknown experience rule {rule!r}")
    fee_class = tt.text("fee_class", "standard")
    if refs.fees_ok and fee_class not in refs.fee_classes:
        known = ", ".join(sorted(refs.fee_classes))
        ctx.report(
            tt.at("fee_class"), f"unknown fee class {fee_class!r} (fee tables: {known})"
        )

    blueprint_tables = tt.tables("blueprints", required=True)
    blueprints = tuple(_parse_blueprint(bt) for bt in blueprint_tables)
    if not blueprints and not ctx.is_bad(tt.at("blueprints")):
        ctx.report(tt.at("blueprints"), "at least one blueprint is required")
    # Blueprint.blueprint_on() takes the last one effective by a date, so the order
    # in the data is the order of the versions.
    unreadable = [
        ctx.is_bad((*tt.at("blueprints"), i, "effective"))
        for i in range(len(blueprints))
    ]
    for i in range(1, len(blueprints)):
        here = (*tt.at("blueprints"), i, "effective")
        if unreadable[i] or unreadable[i - 1]:
            continue
        before, after = blueprints[i - 1].effective, blueprints[i].effective
        if after == before:
            ctx.report(
                here, f"duplicate effective date {after} (also blueprints[{i - 1}])"
            )
        elif after < before:
            ctx.report(
                here,
                f"blueprints must be in increasing effective-date order: {after} "
                f"comes after {before}",
            )

    prerequisites = tuple(
        _parse_prerequisite(pt, code, refs.tests)
        for pt in tt.tables("prerequisites", required=False)
    )
    offered_from = tt.opt_date("offered_from")
    offered_until = tt.opt_date("offered_until")
    if offered_from and offered_until and offered_until <= offered_from:
        ctx.report(
            tt.at("offered_until"), f"{offered_until} is not after {offered_from}"
        )
    test = Test(
        code=code,
        name=tt.text("name"),
        series=series,
        blueprints=blueprints,
        experience_rule=rule,
        fee_class=fee_class,
        recert=_parse_recert(tt),
        prerequisites=prerequisites,
        renewable_by_app=tt.flag("renewable_by_app", False),
        validity_years=tt.opt_integer("validity_years", minimum=1, maximum=MAX_YEARS),
        offered_from=offered_from,
        offered_until=offered_until,
        languages=tt.strings("languages", ("en",)),
        note=tt.text("note", ""),
    )
    tt.finish()
    return test


def _parse_tests(top: _Table, refs: _Refs) -> dict[str, Test]:
    entries = top.entries("tests", required=True)
    if not entries and not top.ctx.is_bad(top.at("tests")):
        top.ctx.report(top.at("tests"), "at least one test is required")
    tests: dict[str, Test] = {}
    # Codes are matched exactly, but "a1" next to "A1" is surely a typo, and
    # candidates would see the same test twice.
    folded: dict[str, str] = {}
    for code, tt in entries:
        other = folded.get(code.casefold())
        if other is not None:
            top.ctx.report(tt.key, f"duplicate test code {code!r} (same as {other!r})")
        folded.setdefault(code.casefold(), code)
        tests[code] = _parse_test(code, tt, refs)
    return tests


def _check_prerequisite_cycles(ctx: _Context, tests: Mapping[str, Test]) -> None:
    """Refuse a cycle of initial-purchase prerequisites, of any length.

    If L1 requires L2 and L2 requires L1, neither can ever be bought. The check is
    on the names alone, ``any_of`` included: a cycle with a way out is still a
    definition nobody can follow. Recert-only prerequisites are left out, since a
    recert purchase needs an earlier pass of its own test anyway; a test that names
    itself is reported by ``_parse_prerequisite``.
    """
    # requires[code] = [(prerequisite index, tests it names), ...]
    requires: dict[str, list[tuple[int, frozenset[str]]]] = {
        code: [
            (i, frozenset(t for t in expr_tests(p.expr) if t in tests and t != code))
            for i, p in enumerate(test.prerequisites)
            if p.applies_to != "recert"
        ]
        for code, test in tests.items()
    }
    reported: set[frozenset[str]] = set()
    for start in sorted(tests):
        # Breadth first from the tests ``start`` requires, for the shortest way back.
        came_from: dict[str, str] = {}
        queue = deque([start])
        while queue and start not in came_from:
            here = queue.popleft()
            for _, named in requires[here]:
                for nxt in sorted(named):
                    if nxt not in came_from:
                        came_from[nxt] = here
                        queue.append(nxt)
        if start not in came_from:
            continue
        cycle = [start]
        while len(cycle) == 1 or cycle[-1] != start:
            cycle.append(came_from[cycle[-1]])
        cycle.reverse()  # start → ... → start, in the direction of "requires"
        members = frozenset(cycle)
        if members in reported:
            continue
        reported.add(members)
        index = next(i for i, named in requires[start] if cycle[1] in named)
        ctx.report(
            ("tests", start, "prerequisites", index, "expr"),
            f"prerequisite cycle {' → '.join(cycle)}: none of these tests could "
            "ever be bought",
        )


def _parse_titles(top: _Table, tests: set[str]) -> dict[str, Title]:
    entries = top.entries("titles", required=False)
    title_ids = {tid for tid, _ in entries}
    titles: dict[str, Title] = {}
    for tid, tt in entries:
        _check_code(tt.ctx, tt.key, tid, "title id")
        raw = tt.raw("rule", required=True)
        rule = (
            _parse_expr(tt.ctx, tt.at("rule"), raw, tests) if raw is not None else None
        )
        excluded_by = tt.strings("excluded_by", ())
        for i, other in enumerate(excluded_by):
            if other not in title_ids or other == tid:
                what = (
                    "a title cannot exclude itself" if other == tid else "unknown title"
                )
                tt.ctx.report((*tt.at("excluded_by"), i), f"{what} {other!r}")
        titles[tid] = Title(
            id=tid,
            name=tt.text("name"),
            rule=rule if rule is not None else AllOf(()),
            excluded_by=excluded_by,
            note=tt.text("note", ""),
            estimated=tt.flag("estimated", False),
        )
        tt.finish()
    return titles


# --- reading and merging files --------------------------------------------------------


def _program_files(path: Path, ctx: _Context) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.glob("*.toml") if p.is_file())
        if not files:
            ctx.report((), "no *.toml files in this directory")
        return files
    if path.is_file():
        return [path]
    ctx.report((), "no such file or directory")
    return []


def _record_origins(
    ctx: _Context, prefix: tuple[str, ...], value: Mapping[str, object], file: str
) -> None:
    for name, sub in value.items():
        key = (*prefix, name)
        ctx.origins.setdefault(key, file)
        if isinstance(sub, dict):
            _record_origins(ctx, key, sub, file)


def _merge(
    ctx: _Context,
    into: dict[str, object],
    new: Mapping[str, object],
    prefix: tuple[str, ...],
    file: str,
) -> None:
    """Merge one file's tables into the program; a key defined twice is an error."""
    for name, value in new.items():
        key = (*prefix, name)
        if name not in into:
            into[name] = value
            ctx.origins[key] = file
            if isinstance(value, dict):
                _record_origins(ctx, key, value, file)
            continue
        existing = into[name]
        first = ctx.origins.get(key, "?")
        entry_kind = _ENTRY_PARENTS.get(prefix)
        if entry_kind is not None:
            ctx.report(
                key,
                f"duplicate {entry_kind} {name!r}: also defined in {first}",
                file=file,
            )
        elif isinstance(existing, dict) and isinstance(value, dict):
            _merge(ctx, existing, value, key, file)
        else:
            ctx.report(key, f"defined twice: also in {first}", file=file)


def _syntax_reason(error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    match = _TOML_POSITION.search(message)
    if match is None:
        return f"TOML syntax error: {message}"
    line, column = match.groups()
    return (
        f"TOML syntax error at line {line}, column {column}: {message[: match.start()]}"
    )


def _shape_reason(text: str) -> str | None:
    """Why ``text`` is too deeply nested for tomllib to read safely, if it is."""
    depth = 0
    for token in _TOML_SCAN.finditer(text):
        if token.group("open"):
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                return (
                    f"arrays and inline tables nested more than {MAX_DEPTH} levels "
                    f"deep (line {line})"
                )
        elif token.group("close"):
            depth -= 1
        elif token.group("key") and (
            len(_TOML_PART.findall(token.group("key"))) > MAX_DEPTH
        ):
            line = text.count("\n", 0, token.start()) + 1
            return f"a dotted key of more than {MAX_DEPTH} parts (line {line})"
    return None


def _parse_toml(text: str, file: str) -> dict[str, object] | Issue:
    reason = _shape_reason(text)
    if reason is not None:
        return Issue(file, "(syntax)", reason)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Issue(file, "(syntax)", _syntax_reason(error))
    except RecursionError:
        # _shape_reason should have caught it; a smaller stack must still get an
        # issue, not a crash.
        return Issue(file, "(syntax)", "nested too deeply")
    except ValueError:
        # The one other way tomllib fails: Python refuses to read an integer of more
        # than 4300 digits (sys.get_int_max_str_digits, CVE-2020-10735).
        return Issue(file, "(syntax)", "a number is too long to read")


def load(path: str | Path) -> Program:
    """Load and validate a program from a directory of TOML files or a single file.

    Raises ``ProgramError`` listing every problem found.
    """
    root = Path(path)
    ctx = _Context(str(root))
    files = _program_files(root, ctx)
    merged: dict[str, object] = {}
    digest = hashlib.sha256()
    for file in files:
        shown = str(file)
        data = file.read_bytes()
        # The digest covers names and bytes, not the location, so the same program
        # copied elsewhere keeps its provenance.
        digest.update(
            file.name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data
        )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            ctx.issues.append(Issue(shown, "(file)", f"not UTF-8 text: {error.reason}"))
            continue
        parsed = _parse_toml(text, shown)
        if isinstance(parsed, Issue):
            ctx.issues.append(parsed)
            continue
        _merge(ctx, merged, parsed, (), shown)
    # A file that does not parse leaves holes that would show up as dozens of
    # "missing key" and "unknown test" follow-ons; report the syntax first.
    if ctx.issues or not files:
        raise ProgramError(ctx.issues)
    ctx.fallback_file = str(files[0]) if len(files) == 1 else str(root)

    program = _build(ctx, merged)
    if ctx.issues:
        raise ProgramError(ctx.issues)
    return replace(program, source=str(root.resolve()), digest=digest.hexdigest())


def _build(ctx: _Context, merged: Mapping[str, object]) -> Program:
    top = _Table(ctx, (), merged)
    header = _parse_header(top)
    series = _parse_series(top)
    experience = _parse_experience(top)
    policy = _parse_policy(top)
    scheduling = _parse_scheduling(top)
    renewal = _parse_renewal(top, set(series))
    fees = _parse_fees(top)
    documents = _parse_documents(top)
    verification = _parse_verification(top)
    reminders = _parse_reminders(top)
    raw_tests = merged.get("tests")
    test_codes = set(raw_tests) if isinstance(raw_tests, dict) else set()
    refs = _Refs(
        tests=test_codes,
        series=set(series),
        rules=set(experience.rules),
        default_rule=experience.default_rule,
        fee_classes={c for period in fees for c in period.test_fees},
        fees_ok=bool(fees) and not ctx.is_bad(("fees",)),
    )
    tests = _parse_tests(top, refs)
    _check_prerequisite_cycles(ctx, tests)
    titles = _parse_titles(top, test_codes)
    shops = _parse_shops(top, test_codes)
    top.finish()
    return Program(
        id=header.id,
        name=header.name,
        version=header.version,
        body=header.body,
        series=series,
        tests=tests,
        experience=experience,
        policy=policy,
        renewal=renewal,
        fees=fees,
        titles=titles,
        notes=header.notes,
        scheduling=scheduling,
        address=header.address,
        documents=documents,
        shops=shops,
        verification=verification,
        reminders=reminders,
    )


def _parse_shops(top: _Table, test_codes: set[str]) -> ShopPolicy:
    """``[shops]``: areas of service (each mapped to tests) and recognition levels."""
    table = top.table("shops", required=False)
    if table is None:
        return ShopPolicy()
    areas: dict[str, ServiceArea] = {}
    for code, at in table.entries("areas", required=False):
        _check_code(at.ctx, at.key, code, "service area")
        tests = at.strings("tests", ())
        if not tests:
            at.ctx.report(at.at("tests"), "an area needs at least one test")
        for i, test in enumerate(tests):
            if test not in test_codes:
                at.ctx.report((*at.at("tests"), i), f"unknown test {test!r}")
        areas[code] = ServiceArea(
            name=at.text("name"), tests=tests, estimated=at.flag("estimated", False)
        )
        at.finish()
    recognitions: dict[str, RecognitionRule] = {}
    ranks: dict[int, str] = {}
    for code, rt in table.entries("recognitions", required=False):
        _check_code(rt.ctx, rt.key, code, "recognition")
        rule = RecognitionRule(
            name=rt.text("name"),
            rank=rt.integer("rank", minimum=1, maximum=100),
            min_certified=rt.integer("min_certified", 1, minimum=1, maximum=10_000),
            min_certified_percent=rt.integer(
                "min_certified_percent", 0, minimum=0, maximum=100
            ),
            every_area_covered=rt.flag("every_area_covered", False),
            estimated=rt.flag("estimated", False),
            source=rt.text("source", ""),
        )
        if rule.rank in ranks:
            rt.ctx.report(
                rt.at("rank"), f"rank {rule.rank} is also {ranks[rule.rank]!r}'s"
            )
        ranks[rule.rank] = code
        recognitions[code] = rule
        rt.finish()
    table.finish()
    return ShopPolicy(areas=areas, recognitions=recognitions)


# --- built-in programs and the cache --------------------------------------------------


def builtin_programs() -> list[str]:
    """The ids of the programs shipped in the package (``data/<id>/``)."""
    if not DATA_DIR.is_dir():
        return []
    return sorted(
        p.name for p in DATA_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml"))
    )


def builtin_path(program_id: str) -> Path:
    """The directory of a shipped program; ``ProgramError`` if there is none."""
    if program_id not in builtin_programs():
        known = ", ".join(builtin_programs()) or "none"
        raise ProgramError(
            [
                Issue(
                    program_id,
                    "(program)",
                    f"no built-in program {program_id!r} (built in: {known})",
                )
            ]
        )
    return DATA_DIR / program_id


_Stamp = tuple[tuple[str, int, int], ...]
_cache: dict[Path, tuple[_Stamp, Program]] = {}
_cache_lock = threading.Lock()


def _stamp(path: Path) -> _Stamp:
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    out: list[tuple[str, int, int]] = []
    for file in files:
        stat = file.stat()
        out.append((file.name, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _stamp_of(directory: str, files: tuple[str, ...]) -> _Stamp | None:
    """The stamp of a program whose files are known, from ``os.stat`` alone (the
    directory's own mtime changes when a file is added, removed or renamed); None
    when one of them has gone, so the caller looks again."""
    try:
        out = [("", os.stat(directory).st_mtime_ns, 0)] if directory else []
        for file in files:
            stat = os.stat(file)
            out.append((file, stat.st_mtime_ns, stat.st_size))
    except OSError:
        return None
    return tuple(out)


# ref -> (the program's directory or "", its files, their stamp, the program): the
# check on every call. Finding the files (the built-in ids, globbing) cost about
# 0.3 ms, paid by every request that reads the program (bench/verify.py).
_by_ref: dict[str, tuple[str, tuple[str, ...], _Stamp, Program]] = {}


def get_program(ref: str) -> Program:
    """A program by built-in id (``"ase"``) or by path, loaded once per file state.

    The cache is keyed by the resolved path and the files' mtimes and sizes, so an
    edited program file is picked up on the next call without a restart. The
    returned program is shared: treat it as read-only.
    """
    known = _by_ref.get(ref)
    if known is not None:
        directory, files, stamp, program = known
        if _stamp_of(directory, files) == stamp:
            return program
    path = builtin_path(ref) if ref in builtin_programs() else Path(ref)
    if not path.exists():
        raise ProgramError(
            [Issue(ref, "(program)", "no built-in program or file of that name")]
        )
    resolved = path.resolve()
    directory = str(resolved) if resolved.is_dir() else ""
    files = tuple(
        str(f) for f in (sorted(resolved.glob("*.toml")) if directory else [resolved])
    )
    fast_stamp = _stamp_of(directory, files)
    stamp = _stamp(resolved)
    with _cache_lock:
        hit = _cache.get(resolved)
    if hit is not None and hit[0] == stamp:
        program = hit[1]
    else:
        program = load(resolved)
        with _cache_lock:
            _cache[resolved] = (stamp, program)
    if fast_stamp is not None:
        _by_ref[ref] = (directory, files, fast_stamp, program)
    return program
