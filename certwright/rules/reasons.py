"""What deciding a test's certification found, as typed records, and the sentence
each one becomes.

The engine (``engine._track``) decides: it walks a test's passes, renewal credits and
revocations and, when asked to explain, records what it did with each fact and why,
as one of the records below. ``reason_step`` explains: it turns a record into the
``Step`` the explanation trail shows, naming the facts and the program rules it rests
on. Nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import assert_never, get_args

from .facts import RenewalCredit, Revocation, Step, TestResult

# --- passes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecertWithoutEarlierPass:
    """A recertification pass with no earlier pass of the test: it does not count."""

    result: TestResult


@dataclass(frozen=True, slots=True)
class PassAwaitsExperience:
    """A pass that waits for the test's experience requirement."""

    result: TestResult
    rule: str  # the experience rule's code
    required_days: int
    counted: tuple[str, ...]  # the experience records counted so far


@dataclass(frozen=True, slots=True)
class PassLapsedBeforeExperience:
    """A pass that waited longer for experience than the program allows."""

    result: TestResult
    experience_met_on: dt.date


@dataclass(frozen=True, slots=True)
class RecertEarlierPassVoided:
    """A recertification pass whose earlier passes a revocation voided."""

    result: TestResult


@dataclass(frozen=True, slots=True)
class RecertTooLongAfterLapse:
    """A recertification pass too long after the certification lapsed."""

    result: TestResult
    lapsed_on: dt.date


@dataclass(frozen=True, slots=True)
class PassRanOut:
    """A pass whose validity ended before it could take effect."""

    result: TestResult
    ran_out_on: dt.date
    effective_on: dt.date


@dataclass(frozen=True, slots=True)
class PassExtends:
    """A pass during a certification that moves its expiry later."""

    result: TestResult
    expires_on: dt.date


@dataclass(frozen=True, slots=True)
class PassLeavesExpiry:
    """A pass during a certification whose validity would end sooner: no change."""

    result: TestResult
    expires_on: dt.date


@dataclass(frozen=True, slots=True)
class PassCertifies:
    """A pass that starts a certification on ``certified_on`` (the pass, or the day
    experience was met if later)."""

    result: TestResult
    certified_on: dt.date
    experience_met_on: dt.date
    years: int
    expires_on: dt.date
    rule: str  # the experience rule's code
    counted: tuple[str, ...]  # the experience records it rests on


# --- renewal credits ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditsOutsideApp:
    """Renewal credits for a test the renewal app does not cover."""

    test: str
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditBeforePass:
    """A renewal credit earned before the test was passed."""

    test: str
    credit: RenewalCredit


@dataclass(frozen=True, slots=True)
class CreditOverMonthlyLimit:
    """A renewal credit beyond the month's allowance."""

    test: str
    credit: RenewalCredit


@dataclass(frozen=True, slots=True)
class ExtensionWithoutCertification:
    """Credits that earned an extension while there was nothing to extend."""

    test: str
    earned_on: dt.date
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditsExtend:
    """Credits that extended a certification in force."""

    test: str
    earned_on: dt.date
    months: int
    expires_on: dt.date
    refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CreditsReinstate:
    """Credits that reinstated a lapsed certification from the day they were
    earned."""

    test: str
    earned_on: dt.date
    expires_on: dt.date
    refs: tuple[str, ...]


# --- revocations ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Revoked:
    """A revocation of the test (or of every test)."""

    test: str
    revocation: Revocation


Reason = (
    RecertWithoutEarlierPass
    | PassAwaitsExperience
    | PassLapsedBeforeExperience
    | RecertEarlierPassVoided
    | RecertTooLongAfterLapse
    | PassRanOut
    | PassExtends
    | PassLeavesExpiry
    | PassCertifies
    | CreditsOutsideApp
    | CreditBeforePass
    | CreditOverMonthlyLimit
    | ExtensionWithoutCertification
    | CreditsExtend
    | CreditsReinstate
    | Revoked
)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


# The code of each kind of reason, for whoever words them (certwright.core.rule_words).
CODES = tuple(_snake(kind.__name__) for kind in get_args(Reason))

_EARLIER_PASS = "recertification needs an earlier pass"
_VALIDITY = "policy.validity_years"
_FOR_EXTENSION = "renewal.credits_for_extension"


def reason_step(reason: Reason) -> Step:
    """The explanation's sentence for ``reason``, with its facts and rules, and the
    reason as data (``code``, ``params``) for the Django layer to word."""
    step = _english_step(reason)
    return Step(
        step.text,
        step.facts,
        step.rules,
        code=reason_code(reason),
        params=reason_params(reason),
    )


def reason_code(reason: Reason) -> str:
    """``PassCertifies(...)`` -> ``pass_certifies``."""
    return _snake(type(reason).__name__)


def reason_params(reason: Reason) -> tuple[tuple[str, object], ...]:
    """The reason's fields, a fact's own fields spelled out (``test``, ``date``,
    ``kind``; a revocation's ``reason``)."""
    params: list[tuple[str, object]] = []
    for name in reason.__dataclass_fields__:
        value = getattr(reason, name)
        if isinstance(value, TestResult):
            params += [("test", value.test), ("date", value.date), ("kind", value.kind)]
        elif isinstance(value, RenewalCredit):
            params.append(("date", value.date))
        elif isinstance(value, Revocation):
            params += [("date", value.date), ("reason", value.reason)]
        else:
            params.append((name, value))
    return tuple(params)


def _english_step(reason: Reason) -> Step:
    match reason:
        case RecertWithoutEarlierPass(r):
            return Step(
                f"{r.test} recertification pass on {r.date} does not count: "
                "there is no earlier pass of this test",
                (r.ref,),
                (_EARLIER_PASS,),
            )
        case PassAwaitsExperience(r, rule, required_days, counted):
            return Step(
                f"{r.test} passed on {r.date}; "
                f"waiting for the experience requirement ({required_days} days)",
                (r.ref, *counted),
                (f"experience.rules.{rule}",),
            )
        case PassLapsedBeforeExperience(r, met_on):
            return Step(
                f"{r.test} pass on {r.date} lapsed before experience was met on "
                f"{met_on}",
                (r.ref,),
                ("policy.pending_pass_valid_days",),
            )
        case RecertEarlierPassVoided(r):
            return Step(
                f"{r.test} recertification pass on {r.date} does not count: "
                "its earlier pass was voided by a revocation",
                (r.ref,),
                (_EARLIER_PASS,),
            )
        case RecertTooLongAfterLapse(r, lapsed_on):
            return Step(
                f"{r.test} recertification on {r.date} is too long after "
                f"the certification lapsed on {lapsed_on}",
                (r.ref,),
                ("policy.recert_max_lapse_days",),
            )
        case PassRanOut(r, ran_out_on, effective_on):
            return Step(
                f"{r.test} pass on {r.date} ran out on {ran_out_on} "
                f"before it could become a certification on {effective_on}",
                (r.ref,),
                (_VALIDITY,),
            )
        case PassExtends(r, expires_on):
            return Step(
                f"{r.test} {_kind_word(r)} pass on {r.date} "
                f"extends the certification to {expires_on}",
                (r.ref,),
                (_VALIDITY,),
            )
        case PassLeavesExpiry(r, expires_on):
            return Step(
                f"{r.test} pass on {r.date} leaves the expiry at {expires_on}: "
                "a later pass never shortens validity",
                (r.ref,),
                (_VALIDITY,),
            )
        case PassCertifies(r, day, met_on, years, expires_on, rule, counted):
            once = f" once experience was met on {met_on}" if day > r.date else ""
            return Step(
                f"{r.test} certified from {day}{once}: {_kind_word(r)} pass on "
                f"{r.date}, valid {years} years to {expires_on}",
                (r.ref, *counted),
                (_VALIDITY, f"experience.rules.{rule}"),
            )
        case CreditsOutsideApp(test, refs):
            return Step(
                f"{test} renewal credits do not count: "
                "the test is not in the renewal app",
                refs,
                ("renewal.eligible_series",),
            )
        case CreditBeforePass(test, c):
            return Step(
                f"{test} renewal credit on {c.date} does not count: "
                "the test was not passed before it",
                (c.ref,),
                ("renewal.requires_prior_pass",),
            )
        case CreditOverMonthlyLimit(test, c):
            return Step(
                f"{test} renewal credit on {c.date} is over the monthly limit",
                (c.ref,),
                ("renewal.questions_per_month",),
            )
        case ExtensionWithoutCertification(test, day, refs):
            return Step(
                f"{test} renewal credits earned an extension on {day}, "
                "but there is no certification to extend yet",
                refs,
                (_FOR_EXTENSION,),
            )
        case CreditsExtend(test, day, months, expires_on, refs):
            return Step(
                f"{test} extended by {months} months to {expires_on} "
                f"by renewal credits completed on {day}",
                refs,
                (_FOR_EXTENSION, "renewal.extension_months"),
            )
        case CreditsReinstate(test, day, expires_on, refs):
            return Step(
                f"{test} reinstated on {day} to {expires_on} "
                "by renewal credits after it had lapsed",
                refs,
                (_FOR_EXTENSION, "renewal.extend_from"),
            )
        case Revoked(test, v):
            because = f": {v.reason}" if v.reason else ""
            return Step(
                f"{test} revoked on {v.date}{because}", (v.ref,), ("revocation",)
            )
        case _:  # pragma: no cover - mypy checks every reason has a case
            assert_never(reason)


def _kind_word(r: TestResult) -> str:
    return "recertification" if r.kind == "recert" else "initial"
