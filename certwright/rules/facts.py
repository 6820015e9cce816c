"""The facts the rules core reads and the state it derives.

Facts are appended, state is derived: nothing in ``Evaluation`` is ever stored as a
fact. Every fact carries a ``ref`` (``"result:42"`` from the database,
``"results[0]"`` from a JSON file) so an explanation can name it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

ResultKind = Literal["initial", "recert"]
Outcome = Literal["pass", "fail", "no_show"]
Status = Literal["certified", "pending_experience", "expired", "revoked"]

RESULT_KINDS: tuple[str, ...] = ("initial", "recert")
OUTCOMES: tuple[str, ...] = ("pass", "fail", "no_show")
STATUSES: tuple[str, ...] = ("certified", "pending_experience", "expired", "revoked")


@dataclass(frozen=True, slots=True)
class TestResult:
    __test__ = False  # not a pytest test class

    test: str
    date: dt.date
    kind: ResultKind
    outcome: Outcome
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Experience:
    kind: str  # a key of Program.experience.kinds: employment, apprenticeship, ...
    start: dt.date
    end: dt.date | None  # inclusive; None: ongoing
    full_time: bool = True
    approved: bool = True
    ref: str = ""


@dataclass(frozen=True, slots=True)
class RenewalCredit:
    """One correctly answered renewal question for a certification area."""

    test: str
    date: dt.date
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Revocation:
    """A certification withdrawn by the body; ``test`` None withdraws every test."""

    test: str | None
    date: dt.date
    reason: str = ""
    ref: str = ""


@dataclass(frozen=True, slots=True)
class Facts:
    results: tuple[TestResult, ...] = ()
    experience: tuple[Experience, ...] = ()
    renewal_credits: tuple[RenewalCredit, ...] = ()
    revocations: tuple[Revocation, ...] = ()


# --- derived state ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an explanation trail: what was decided, from which facts and
    rules.

    ``text`` is the line in English, for the command line and the logs. A step that
    reaches people also names what it says, ``code`` with its ``params`` (codes,
    dates, numbers, program expressions): the core imports no translation machinery,
    so the Django layer words it in the reader's language from these
    (``certwright.core.rule_words``).
    """

    text: str
    facts: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    # Not compared: they say again what ``text`` says, for wording elsewhere.
    code: str = field(default="", compare=False)
    params: tuple[tuple[str, object], ...] = field(default=(), compare=False)

    def param(self, name: str) -> object:
        """The value of parameter ``name`` (``KeyError`` if the step has none)."""
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)

    def as_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "facts": list(self.facts),
            "rules": list(self.rules),
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class Period:
    """A span during which something held: ``start`` ≤ day < ``end``."""

    start: dt.date
    end: dt.date | None  # None: open-ended

    def contains(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class CertificationState:
    test: str
    status: Status
    passed_on: dt.date | None  # the latest qualifying pass
    certified_on: dt.date | None  # the start of the current (or last) certified period
    expires_on: dt.date | None  # the first day no longer certified
    periods: tuple[
        Period, ...
    ]  # every certified period up to as_of (last may be current)
    explanation: tuple[Step, ...] = ()
    extensions: tuple[dt.date, ...] = ()  # days renewal credits earned an extension


@dataclass(frozen=True, slots=True)
class TitleState:
    id: str
    held: bool
    since: dt.date | None  # held: start of the current period; else of the last one
    until: (
        dt.date | None
    )  # held: the day it will be lost unless renewed; else the day lost
    periods: tuple[Period, ...] = ()
    explanation: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    as_of: dt.date
    certifications: dict[str, CertificationState]  # only tests with a qualifying pass
    titles: dict[str, TitleState]  # every title of the program, held or not
    experience_met_on: dict[str, dt.date | None] = field(default_factory=dict)
    # The next day on which this state changes by the calendar alone (an expiry),
    # so a daily sweep recomputes only technicians whose day has come.
    next_change_on: dt.date | None = None
    explanation: tuple[Step, ...] = ()
