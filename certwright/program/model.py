"""The program definition as typed, immutable values.

This module is the contract between the program data files (TOML, see
``docs/program-format.md``), the loader/validator in ``certwright.program.loader`` and
the pure rules core in ``certwright.rules``. Nothing here imports Django and nothing
names a test code: the data does.

Dates are calendar dates (``datetime.date``); money is integer cents in one currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

# --- title rule expressions -------------------------------------------------------
# A title's rule is a small expression tree kept in the data, never code:
#   {test = "A1"}                         one test must be certified
#   {all_of = [expr, ...]}                every sub-expression holds
#   {any_of = [expr, ...]}                at least one sub-expression holds
#   {one_per_group = [[expr...], ...]}    for every group, at least one member holds
# ``one_per_group`` is sugar for all_of(any_of(group) for group in groups); it is kept
# as its own node so the planner can report "one of H2, S2, T2" per system area.


@dataclass(frozen=True, slots=True)
class TestRef:
    test: str


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class OnePerGroup:
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    items: tuple[Expr, ...]


Expr = TestRef | AllOf | AnyOf | OnePerGroup


def expr_tests(expr: Expr) -> frozenset[str]:
    """Every test code an expression mentions."""
    if isinstance(expr, TestRef):
        return frozenset((expr.test,))
    if isinstance(expr, OnePerGroup):
        return frozenset().union(*(expr_tests(i) for g in expr.groups for i in g.items))
    return frozenset().union(*(expr_tests(i) for i in expr.items))


# --- catalog ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentArea:
    code: str
    name: str
    questions: int | None  # None where the public count is not known


@dataclass(frozen=True, slots=True)
class Blueprint:
    """One version of a test's specification, in force from ``effective``."""

    effective: dt.date
    scored: int
    unscored: int
    minutes: int | None
    areas: tuple[ContentArea, ...]
    estimated: bool = False  # True where a figure is a best public estimate
    note: str = ""


@dataclass(frozen=True, slots=True)
class RecertSpec:
    """The recertification version of a test (shorter, no research questions)."""

    scored: int | None
    minutes: int | None
    estimated: bool = False
    remote_proctoring: bool = False


@dataclass(frozen=True, slots=True)
class Prerequisite:
    """What must be true before the test may be bought.

    ``state`` is ``passed`` (a pass on record, certified or still pending experience)
    or ``certified`` (certified on the purchase day). ``applies_to`` restricts the
    prerequisite to initial or recertification purchases.
    """

    expr: Expr
    state: Literal["passed", "certified"] = "passed"
    applies_to: Literal["initial", "recert", "both"] = "initial"
    note: str = ""
    # True where the prerequisite itself is not confirmed by the body (ASE's L2/L3).
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Test:
    __test__ = False  # not a pytest test class

    code: str
    name: str
    series: str
    blueprints: tuple[Blueprint, ...]  # sorted by effective date
    experience_rule: str  # key into Program.experience.rules
    fee_class: str = "standard"  # key into FeePeriod.test_fees
    recert: RecertSpec | None = None  # None: the test cannot be recertified
    prerequisites: tuple[Prerequisite, ...] = ()
    renewable_by_app: bool = False
    validity_years: int | None = None  # overrides Program.policy.validity_years
    offered_from: dt.date | None = None
    offered_until: dt.date | None = None  # exclusive
    languages: tuple[str, ...] = ("en",)
    note: str = ""

    def blueprint_on(self, day: dt.date) -> Blueprint | None:
        """The blueprint in force on ``day`` (the latest one effective by then)."""
        current = None
        for bp in self.blueprints:
            if bp.effective <= day:
                current = bp
        return current

    def offered_on(self, day: dt.date) -> bool:
        if self.offered_from is not None and day < self.offered_from:
            return False
        return self.offered_until is None or day < self.offered_until


@dataclass(frozen=True, slots=True)
class Series:
    code: str
    name: str
    note: str = ""


# --- experience ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExperienceKind:
    """How one kind of experience record counts.

    ``accrual`` is ``time`` (counted day by day between start and end, at
    ``full_time_factor`` or ``part_time_factor``) or ``fixed`` (``credit_days`` counted
    once, on the record's end date, e.g. a two-year degree standing for one year).
    ``substitution`` marks kinds whose combined credit is capped by
    ``ExperienceRule.substitution_cap_days``.
    """

    code: str
    name: str
    accrual: Literal["time", "fixed"]
    full_time_factor: float = 1.0
    part_time_factor: float = 0.5
    credit_days: int = 0
    substitution: bool = False
    # True where a factor or credit here is an assumption, not a published rule.
    estimated: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExperienceRule:
    code: str
    required_days: int
    substitution_cap_days: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class ExperiencePolicy:
    kinds: dict[str, ExperienceKind]
    rules: dict[str, ExperienceRule]
    default_rule: str
    # E-mail domains anyone can sign up at (lower case): an employer's confirmation
    # sent from one proves little, so staff are asked to look at it first.
    free_mail_domains: frozenset[str] = frozenset()


# --- policy, renewal, fees, titles -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Policy:
    validity_years: int = 5
    # "pass": validity runs from the latest qualifying pass (the source article's
    # reading and the default); "certified": from the day the certification began.
    validity_from: Literal["pass", "certified"] = "pass"
    retest_wait_days: int = 30
    # ASE: "wait 30 full days": neither the result day nor the purchase day counts.
    retest_wait_full_days: bool = True
    purchase_window_days: int = 90
    # None: a recertification pass counts however long ago the certification lapsed.
    recert_max_lapse_days: int | None = None
    # None: a pass waits for experience indefinitely.
    pending_pass_valid_days: int | None = None
    # A title is held only while every part is certified (never on a pending pass).
    initial_requires_no_prior_pass: bool = True


@dataclass(frozen=True, slots=True)
class SchedulingPolicy:
    """How seats are booked (the scheduling app reads it)."""

    # The time held for a test whose blueprint states none: every page shows the
    # test's length from Program.sitting_minutes, so the catalog and the booking
    # page cannot disagree.
    default_test_minutes: int = 90
    # No reschedule or cancellation within this many days of the appointment: an
    # appointment on local day D can be changed through local day D - N.
    change_cutoff_days: int = 3
    # Whether a candidate may book a seat for the centre's current day (a centre can
    # still seat a walk-in).
    same_day_booking: bool = False


@dataclass(frozen=True, slots=True)
class RenewalPolicy:
    """Monthly renewal questions (the renewal app)."""

    questions_per_month: int = 1
    answer_window_days: int = 30
    # Minutes to answer once the question is opened (the server keeps the time).
    time_limit_minutes: int = 10
    credits_for_extension: int = 8
    extension_months: int = 12
    # Credits count toward one extension only inside a window of this many months.
    credit_window_months: int = 12
    # Only tests passed before a credit's date earn credit for it.
    requires_prior_pass: bool = True
    # "expiry": the extension adds to the expiry date in force; a lapsed certification
    # is reinstated from the day the extension is earned.
    extend_from: Literal["expiry"] = "expiry"
    eligible_series: tuple[str, ...] = ()
    note: str = ""
    # True where some figure above is a chosen value, not a published one.
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class ReminderLadder:
    """When technicians are reminded that a certification expires (the reminders
    app): a rung ``before_days`` days before the expiry date (the first day no
    longer certified) and ``after_days`` days after it. Empty: no reminders."""

    before_days: tuple[int, ...] = ()
    after_days: tuple[int, ...] = ()
    # A rung missed by the daily sweep (it did not run, or the certification was
    # recorded late) still goes out this many days after its day, and only while no
    # later rung has been reached.
    catch_up_days: int = 30
    note: str = ""
    # True where the schedule is chosen, not the body's published one.
    estimated: bool = False

    @property
    def offsets(self) -> tuple[int, ...]:
        """Each rung as days from the expiry date, earliest first (negative before
        it): ``before_days = [180, 7]``, ``after_days = [30]`` is (-180, -7, 30)."""
        return tuple(sorted([-d for d in self.before_days] + list(self.after_days)))


@dataclass(frozen=True, slots=True)
class Documents:
    """How the program's printable documents (score reports, invoices, certificates)
    are laid out."""

    # The paper the body's candidates print on: "letter" (US Letter) or "a4".
    paper: Literal["letter", "a4"] = "a4"


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """Who may check a technician's certifications (the verification app reads it)."""

    # Anyone may look a technician up by certification ID and last name (/verify/,
    # /api/verify/). Off: the lookup says it is not offered; share links still work.
    public_lookup: bool = True
    # Whether a technician may take themselves out of the public lookup (their share
    # links keep working).
    technician_may_opt_out: bool = True


@dataclass(frozen=True, slots=True)
class FeePeriod:
    """A fee table in force on ``start`` ≤ day < ``end`` (end None: open)."""

    start: dt.date
    end: dt.date | None
    currency: str
    registration_cents: int
    registration_per: Literal["order", "window"]
    test_fees: dict[str, int]  # fee class -> cents (standard, advanced, ...)
    recert_cap_cents: int | None
    note: str = ""
    # True where the amounts or the period's boundary dates are best estimates.
    estimated: bool = False
    # The yearly renewal app subscription; None: not sold in this period.
    renewal_cents: int | None = None

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class Title:
    id: str
    name: str
    rule: Expr
    # A title not available to holders of any of these titles (a reading of ASE's
    # "not available to current Master technicians" wording); empty by default.
    excluded_by: tuple[str, ...] = ()
    note: str = ""
    # True where public sources disagree on the rule; the data carries the default.
    estimated: bool = False


# --- shops: areas of service and recognition (issue 11) -------------------------------


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """An area of service a shop may offer, and the tests that cover it: a technician
    with a current certification in any of ``tests`` covers the area."""

    name: str
    tests: tuple[str, ...]
    # True when the mapping from the area to tests is this program's reading, not
    # something the certification body publishes.
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class RecognitionRule:
    """One level of shop recognition; a shop holds the highest ``rank`` it meets."""

    name: str
    rank: int
    min_certified: int = 1  # certified technicians employed, at least
    min_certified_percent: int = 0  # share of employed technicians certified, at least
    every_area_covered: bool = False  # each offered area has a certified technician
    estimated: bool = False  # a threshold or reading that is not public
    source: str = ""


@dataclass(frozen=True, slots=True)
class ShopPolicy:
    """Areas of service and recognition levels; empty for a program without them."""

    areas: dict[str, ServiceArea] = field(default_factory=dict)
    recognitions: dict[str, RecognitionRule] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    version: str
    body: str  # the certification body
    series: dict[str, Series]
    tests: dict[str, Test]
    experience: ExperiencePolicy
    policy: Policy
    renewal: RenewalPolicy
    fees: tuple[FeePeriod, ...]
    titles: dict[str, Title]
    scheduling: SchedulingPolicy = SchedulingPolicy()
    # The body's postal address, one line each, as invoices and receipts print it.
    address: tuple[str, ...] = ()
    source: str = ""  # where the definition was loaded from
    digest: str = ""  # sha256 of the source files, for provenance
    notes: tuple[str, ...] = field(default=())
    documents: Documents = field(default_factory=Documents)
    shops: ShopPolicy = field(default_factory=ShopPolicy)
    verification: VerificationPolicy = field(default_factory=VerificationPolicy)
    reminders: ReminderLadder = field(default_factory=ReminderLadder)

    def fees_on(self, day: dt.date) -> FeePeriod | None:
        for period in self.fees:
            if period.covers(day):
                return period
        return None

    def sitting_minutes(self, test: str, kind: str, day: dt.date) -> int:
        """How long one sitting of ``test`` (``kind`` initial or recert) takes on
        ``day``: the one answer for the catalog, the test page and booking.

        A recertification test takes its own time where the program states one;
        otherwise (and for initial tests) the blueprint in force that day (or the
        first one, before any is in force); otherwise the program's default.
        """
        spec = self.tests.get(test)
        default = self.scheduling.default_test_minutes
        if spec is None:
            return default
        if kind == "recert" and spec.recert is not None and spec.recert.minutes:
            return spec.recert.minutes
        blueprint = spec.blueprint_on(day) or (
            spec.blueprints[0] if spec.blueprints else None
        )
        if blueprint is not None and blueprint.minutes:
            return blueprint.minutes
        return default

    def experience_rule_for(self, test: str) -> ExperienceRule:
        return self.experience.rules[self.tests[test].experience_rule]
