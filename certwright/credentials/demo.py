"""Demo data: a handful of technicians covering every state, and a seeded population
for load testing.

The personas are recorded through the same services as real facts (events,
recompute), with dates relative to today so the demo stays meaningful on any day.
Loading twice changes nothing: a persona whose e-mail exists is left alone, and the
population only grows to the size asked for.

The population is written set-based (facts straight into the tables, one event for
the whole load) and then derived by one bulk recompute, because recording 2M facts
one service call at a time would take hours.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from certwright.audit.bulk import rows_insert
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.ids import ALPHABET, BODY_LENGTH, PREFIX, check_character
from certwright.candidates.models import (
    ExperienceRecord,
    Technician,
    family_name_guess,
)
from certwright.candidates.services import (
    experience_record_add,
    technician_create,
    technician_update,
)
from certwright.core.clock import now, today
from certwright.credentials.models import RenewalCredit, Revocation, TestResult
from certwright.credentials.recompute import certifications_recompute_all
from certwright.credentials.services import (
    renewal_credit_record,
    result_record,
    revocation_record,
)
from certwright.rules.dates import add_months

DEMO_DOMAIN = "demo.certwright.example"
# The demo candidate's technician record has the address she signs in with
# (certwright.accounts.demo), so her booking e-mails go where she reads them.
CANDIDATE_EMAIL = "candidate@example.com"
# Her address in databases loaded before it was the same as her sign-in.
_OLD_CANDIDATE_EMAIL = f"exam-day@{DEMO_DOMAIN}"
LOAD_DOMAIN = "load.certwright.example"
ACTOR = "demo"


def _ago(day: dt.date, *, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    return add_months(day, -(12 * years + months)) - dt.timedelta(days=days)


@dataclass
class DemoReport:
    personas_created: list[str] = field(default_factory=list)
    personas_present: list[str] = field(default_factory=list)
    population_created: int = 0
    population_total: int = 0
    facts_created: int = 0


# --- personas ------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    slug: str
    name: str
    story: str
    record: Callable[[int, dt.date], None]
    # Empty: an address of its own at DEMO_DOMAIN, nobody's sign-in.
    address: str = ""

    @property
    def email(self) -> str:
        return self.address or f"{self.slug}@{DEMO_DOMAIN}"


def _employment(
    tid: int, start: dt.date, *, approved: bool = True, **kw: object
) -> None:
    experience_record_add(
        technician_id=tid,
        kind="employment",
        start=start,
        employer=str(kw.get("employer", "Main Street Auto")),
        role="technician",
        approved=approved,
        actor=ACTOR,
    )


def _pass(tid: int, test: str, day: dt.date, kind: str = "initial") -> None:
    result_record(
        technician_id=tid,
        test=test,
        date=day,
        kind=kind,
        outcome="pass",
        source="demo",
        actor=ACTOR,
    )


def _master(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=8))
    for i, test in enumerate(("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8")):
        _pass(tid, test, _ago(t, years=3, days=10 * i))


def _lost_master(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=12), employer="County Fleet Services")
    for i, test in enumerate(("A1", "A2", "A3", "A4", "A6", "A7", "A8")):
        _pass(tid, test, _ago(t, years=4, days=7 * i))
    # A5 lapsed two months ago and was never recertified: the title went with it.
    _pass(tid, "A5", _ago(t, years=5, months=2))


def _pending(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=1), employer="Quick Lube & Tune")
    _pass(tid, "A1", _ago(t, months=2))


def _exam_day(tid: int, t: dt.date) -> None:
    # The demo candidate (candidate@example.com): a two-year automotive degree and
    # fourteen months on the job make the two years (the degree stands for one), met
    # two months ago; no test passed yet. She sits A1 today at Springfield
    # (certwright/proctoring/demo.py), so a pass is certified at once.
    experience_record_add(
        technician_id=tid,
        kind="degree",
        start=_ago(t, years=3, months=3),
        end=_ago(t, years=1, months=3),
        employer="Lincoln Land Community College",
        role="AAS, automotive technology",
        approved=True,
        actor=ACTOR,
    )
    _employment(tid, _ago(t, years=1, months=2), employer="Quick Lube & Tune")


def _apprentice(tid: int, t: dt.date) -> None:
    experience_record_add(
        technician_id=tid,
        kind="apprenticeship",
        start=_ago(t, years=2, months=3),
        employer="Northside Dealer Group",
        role="apprentice",
        approved=True,
        actor=ACTOR,
    )
    # Passed while still short of two years; certified the day the two years were met.
    _pass(tid, "A4", _ago(t, years=1, months=6))
    result_record(
        technician_id=tid,
        test="A5",
        date=_ago(t, months=4),
        kind="initial",
        outcome="fail",
        source="demo",
        actor=ACTOR,
    )


def _recertified(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=10))
    _pass(tid, "A1", _ago(t, years=7))
    _pass(tid, "A8", _ago(t, years=7, days=20))
    _pass(tid, "A1", _ago(t, years=2, months=2), kind="recert")
    _pass(tid, "A8", _ago(t, years=2, months=1), kind="recert")


def _renewing(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=9))
    # A6 would expire next month; eight monthly renewal answers extended it a year.
    _pass(tid, "A6", _ago(t, years=4, months=11))
    for month in range(8, 0, -1):
        renewal_credit_record(
            technician_id=tid,
            test="A6",
            date=_ago(t, months=month),
            source="renewal-app",
            actor=ACTOR,
        )


def _revoked(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=6))
    _pass(tid, "A1", _ago(t, years=2))
    _pass(tid, "A4", _ago(t, years=2, days=14))
    revocation_record(
        technician_id=tid,
        test="A4",
        date=_ago(t, months=3),
        reason="test-centre misconduct confirmed on review",
        actor=ACTOR,
    )


def _medium_heavy(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=7), employer="Interstate Transit & Freight")
    # One test per system area from any of the T, S and H series.
    for i, test in enumerate(("T2", "S3", "H4", "T5", "S6", "T7")):
        _pass(tid, test, _ago(t, years=1, days=9 * i))


def _expired(tid: int, t: dt.date) -> None:
    _employment(tid, _ago(t, years=11))
    _pass(tid, "A8", _ago(t, years=6))


def _awaiting_review(tid: int, t: dt.date) -> None:
    # Experience documented but not yet approved: staff approve it in the admin.
    _employment(tid, _ago(t, years=3), approved=False, employer="Harbor Marine & Auto")
    _pass(tid, "A5", _ago(t, months=5))


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "maria-master", "Maria Okafor", "Master Automobile: A1–A8 certified", _master
    ),
    Persona(
        "lost-master",
        "Dale Whitford",
        "lost Master Automobile when A5 expired",
        _lost_master,
    ),
    Persona("pending", "Omar Haddad", "passed A1, one year of experience", _pending),
    Persona(
        "apprentice",
        "Tomás Herrera",
        "apprentice: A4 pass became a certification when experience was met",
        _apprentice,
    ),
    Persona("recertified", "Grace Lindqvist", "recertified A1 and A8", _recertified),
    Persona("renewing", "Sam Whitaker", "A6 extended by renewal credits", _renewing),
    Persona("revoked", "Victor Kessler", "A4 certification revoked", _revoked),
    Persona(
        "medium-heavy",
        "Ngozi Adeyemi",
        "Master Medium/Heavy Vehicle via T, S and H tests",
        _medium_heavy,
    ),
    Persona("expired", "Harold Benn", "A8 expired, never recertified", _expired),
    Persona(
        "awaiting-review",
        "Lena Fischer",
        "passed A5; experience awaiting approval",
        _awaiting_review,
    ),
    Persona(
        "exam-day",
        "Priya Raman",
        "experience met (a degree and a year on the job), sits A1 today",
        _exam_day,
        address=CANDIDATE_EMAIL,
    ),
)


def _candidate_address_update() -> None:
    """An older demo's Priya (at exam-day@) takes the address she signs in with,
    through the service (an audit event), rather than a second Priya being made."""
    if Technician.objects.filter(email=CANDIDATE_EMAIL).exists():
        return
    old = Technician.objects.filter(email=_OLD_CANDIDATE_EMAIL).first()
    if old is not None:
        technician_update(
            technician_id=old.pk, name=old.name, email=CANDIDATE_EMAIL, actor=ACTOR
        )


def _personas_load(report: DemoReport, day: dt.date) -> None:
    _candidate_address_update()
    existing = set(
        Technician.objects.filter(
            email__in=[persona.email for persona in PERSONAS]
        ).values_list("email", flat=True)
    )
    for persona in PERSONAS:
        if persona.email in existing:
            report.personas_present.append(persona.slug)
            continue
        with transaction.atomic():
            technician = technician_create(
                name=persona.name, email=persona.email, actor=ACTOR
            )
            persona.record(technician.pk, day)
        report.personas_created.append(persona.slug)


# --- population ----------------------------------------------------------------------

# Weighted toward the automobile series, as ASE's own population is.
_POPULATION_TESTS = (
    ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"] * 4
    + ["A9", "G1", "B2", "B3", "B4", "B5", "C1", "P2"]
    + ["T2", "T3", "T4", "T5", "T6", "T7", "T8", "S2", "S4", "H2", "H4"]
)
_CHUNK = 2000
Rows = list[tuple[object, ...]]


_FIRST = ALPHABET.replace("9", "")
_ID_SPACE = len(_FIRST) * len(ALPHABET) ** (BODY_LENGTH - 1)
# Odd and not a multiple of 31, so i -> i * _STRIDE mod _ID_SPACE is a bijection:
# population IDs look random but can never collide with each other.
_STRIDE = 0x9E3779B1


def _population_id(i: int, seed: int) -> str:
    value = (i * _STRIDE + seed * 7919) % _ID_SPACE
    chars = []
    for _ in range(BODY_LENGTH - 1):
        value, digit = divmod(value, len(ALPHABET))
        chars.append(ALPHABET[digit])
    body = _FIRST[value] + "".join(reversed(chars))
    return PREFIX + body + check_character(body)


def _population_facts(
    rng: random.Random, day: dt.date
) -> tuple[Rows, Rows, Rows, Rows]:
    """(experience, results, credits, revocations) rows without the technician."""
    career_days = rng.randint(120, 20 * 365)
    start = day - dt.timedelta(days=career_days)
    experience: Rows = []
    ongoing = rng.random() < 0.8
    end = None if ongoing else day - dt.timedelta(days=rng.randint(0, career_days // 3))
    experience.append(
        ("employment", start, end, rng.random() < 0.9, rng.random() < 0.95)
    )
    if rng.random() < 0.2:
        degree_end = start - dt.timedelta(days=rng.randint(30, 400))
        experience.append(
            ("degree", degree_end - dt.timedelta(days=730), degree_end, True, True)
        )
    results: Rows = []
    credits: Rows = []
    revocations: Rows = []
    tests = set(rng.sample(_POPULATION_TESTS, rng.randint(1, 6)))
    for test in sorted(tests):
        first = start + dt.timedelta(days=rng.randint(0, career_days))
        if rng.random() < 0.3:
            results.append((test, first, "initial", "fail"))
            first = min(day, first + dt.timedelta(days=rng.randint(31, 200)))
        results.append((test, first, "initial", "pass"))
        recert = add_months(first, 12 * 5 - rng.randint(0, 6))
        if recert <= day and rng.random() < 0.6:
            results.append((test, recert, "recert", "pass"))
        if test.startswith("A") and rng.random() < 0.1:
            for month in range(rng.randint(3, 10), 0, -1):
                credit_day = add_months(day, -month)
                if credit_day > first:
                    credits.append((test, credit_day))
    if rng.random() < 0.003:
        revocations.append((rng.choice(sorted(tests)), day - dt.timedelta(days=30)))
    return experience, results, credits, revocations


def _population_load(
    report: DemoReport,
    size: int,
    *,
    seed: int,
    day: dt.date,
    progress: Callable[[int], None] | None,
) -> None:
    have = Technician.objects.filter(email__endswith=f"@{LOAD_DOMAIN}").count()
    report.population_total = max(have, size)
    created_at = now()
    for start in range(have, size, _CHUNK):
        batch = range(start, min(size, start + _CHUNK))
        generated = []
        for i in batch:
            # One generator per technician: technician i is the same whatever the
            # chunk size or how many loads it took to get there.
            rng = random.Random(f"{seed}:{i}")
            generated.append(
                (
                    _population_id(i, seed),
                    f"Load Technician {i}",
                    _population_facts(rng, day),
                )
            )
        with transaction.atomic():
            rows_insert(
                Technician,
                (
                    "certification_id",
                    "name",
                    "family_name",
                    "email",
                    "created_at",
                    "facts_version",
                    "derived_version",
                    "derived_changes",
                ),
                [
                    (
                        cid,
                        name,
                        family_name_guess(name),
                        f"tech{i}@{LOAD_DOMAIN}",
                        created_at,
                        sum(len(part) for part in facts),
                        0,
                        0,
                    )
                    for i, (cid, name, facts) in zip(batch, generated, strict=True)
                ],
            )
            ids = dict(
                Technician.objects.filter(
                    certification_id__in=[g[0] for g in generated]
                ).values_list("certification_id", "id")
            )
            experience, results, credits, revocations = [], [], [], []
            for cid, _, (exp, res, cred, rev) in generated:
                tid = ids[cid]
                experience += [
                    (tid, *e, "Load Test Garage", "", "", created_at) for e in exp
                ]
                results += [(tid, *r, "demo", created_at) for r in res]
                credits += [(tid, *c, "demo", created_at) for c in cred]
                revocations += [(tid, *v, "demo population", created_at) for v in rev]
            rows_insert(
                ExperienceRecord,
                (
                    "technician",
                    "kind",
                    "start",
                    "end",
                    "full_time",
                    "approved",
                    "employer",
                    "role",
                    "note",
                    "created_at",
                ),
                experience,
            )
            rows_insert(
                TestResult,
                (
                    "technician",
                    "test",
                    "date",
                    "kind",
                    "outcome",
                    "source",
                    "created_at",
                ),
                results,
            )
            rows_insert(
                RenewalCredit,
                ("technician", "test", "date", "source", "created_at"),
                credits,
            )
            rows_insert(
                Revocation,
                ("technician", "test", "date", "reason", "created_at"),
                revocations,
            )
        report.population_created += len(batch)
        report.facts_created += len(experience) + len(results) + len(credits)
        report.facts_created += len(revocations)
        if progress is not None:
            progress(len(batch))


def demo_load(
    *,
    technicians: int = 0,
    seed: int = 1,
    derive: bool = True,
    actor: Actor = ACTOR,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Load the demo personas and, with ``technicians``, a seeded population of that
    size; then derive everyone left stale (unless ``derive`` is False)."""
    day = today()
    report = DemoReport()
    _personas_load(report, day)
    if technicians:
        _population_load(report, technicians, seed=seed, day=day, progress=progress)
        if report.population_created:
            event_record(
                kind=EventKind.DEMO_LOADED,
                subject="demo:population",
                actor=actor,
                data={
                    "seed": seed,
                    "technicians": report.population_created,
                    "facts": report.facts_created,
                    "total": report.population_total,
                },
                reason=f"demo population: {report.population_created} technicians "
                f"with {report.facts_created} facts (seed {seed})",
            )
        if derive:
            certifications_recompute_all(as_of=day, only_stale=True, actor=actor)
    return report
