"""Reading facts and derived state.

The fact loaders are set-based: one query per fact table for any number of
technicians, straight from the cursor into the rules core's frozen dataclasses, since
the bulk recompute reads ~2M facts this way and model instances would cost more than
the rules themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certwright import rules
from certwright.audit.bulk import column_name, concrete_field
from certwright.audit.personal_data import export_part
from certwright.candidates.models import REF_EXPERIENCE, ExperienceRecord, Technician
from certwright.core.roles import user_is_program_staff
from certwright.core.rule_words import (
    change_words,
    plan_action_words,
    plan_expiring_words,
    plan_label_words,
    plan_missing_words,
    plan_status_words,
    step_words,
)
from certwright.credentials.models import (
    Certification,
    CertificationStatus,
    Outcome,
    RenewalCredit,
    ResultKind,
    Revocation,
    TestResult,
    TitleHolding,
)
from certwright.program.model import Program
from certwright.rules.dates import last_valid_day
from certwright.rules.facts import Experience, Facts
from certwright.rules.facts import RenewalCredit as CreditFact
from certwright.rules.facts import Revocation as RevocationFact
from certwright.rules.facts import TestResult as ResultFact

# Fact refs name the row an explanation step rests on.
REF_RESULT = "result"
REF_CREDIT = "credit"
REF_REVOCATION = "revocation"

# Keeps an IN list well under every backend's bound-parameter limit.
_IN_BATCH = 5000


class TechnicianScope:
    """Which technicians a set-based read covers: a contiguous id range (the bulk
    walk, an index range scan) or an explicit id list (an import's technicians)."""

    def __init__(self, ids: Sequence[int]):
        self.ids = sorted(set(ids))
        lo, hi = (self.ids[0], self.ids[-1]) if self.ids else (0, -1)
        self.bounds = (lo, hi)
        # A range read that returns a few rows of outsiders is cheaper than a long
        # IN list; past twice the span it is not.
        self.as_range = len(self.ids) > 1 and (hi - lo + 1) <= 2 * len(self.ids)

    def rows(self, query: Query) -> list[tuple[Any, ...]]:
        """Rows of ``query`` for the technicians in scope."""
        if not self.ids:
            return []
        sql, column = query.sql, query.technician_column
        with connection.cursor() as cursor:
            if self.as_range:
                cursor.execute(f"{sql} WHERE {column} BETWEEN %s AND %s", self.bounds)
                wanted = set(self.ids)
                rows = [row for row in cursor.fetchall() if row[1] in wanted]
            else:
                rows = []
                for start in range(0, len(self.ids), _IN_BATCH):
                    batch = self.ids[start : start + _IN_BATCH]
                    marks = ", ".join(["%s"] * len(batch))
                    cursor.execute(f"{sql} WHERE {column} IN ({marks})", batch)
                    rows.extend(cursor.fetchall())
        return query.convert(rows)


class Query(NamedTuple):
    """A SELECT over one table, its technician column, and which result columns
    hold dates that arrive as text (see ``_select``)."""

    sql: str
    technician_column: str
    text_dates: tuple[int, ...]

    def convert(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        if not self.text_dates:
            return rows
        parse = dt.date.fromisoformat
        out = []
        for row in rows:
            values = list(row)
            for i in self.text_dates:
                if values[i] is not None:
                    values[i] = parse(values[i])
            out.append(tuple(values))
        return out


def _select(model: type[models.Model], *fields: str) -> Query:
    """``SELECT <fields> FROM <table>`` for the set-based readers.

    On SQLite, date columns are read as text and parsed with ``date.fromisoformat``:
    Django's per-value SQLite converter costs several times more, which is a tenth of
    a bulk recompute that reads ~2M dates.
    """
    qn = connection.ops.quote_name
    columns = []
    text_dates = []
    for i, name in enumerate(fields):
        column = qn(column_name(model, name))
        field = concrete_field(model, name)
        if connection.vendor == "sqlite" and type(field) is models.DateField:
            columns.append(f"CAST({column} AS TEXT)")
            text_dates.append(i)
        else:
            columns.append(column)
    return Query(
        f"SELECT {', '.join(columns)} FROM {qn(model._meta.db_table)}",
        qn(column_name(model, "technician")),
        tuple(text_dates),
    )


def technicians_facts(technicians: Sequence[int] | TechnicianScope) -> dict[int, Facts]:
    """Every stored fact of each technician, as the rules core reads them.

    Four queries whatever the number of technicians; technicians without facts get
    empty ``Facts``.
    """
    scope = (
        technicians
        if isinstance(technicians, TechnicianScope)
        else TechnicianScope(technicians)
    )
    results: dict[int, list[ResultFact]] = {}
    experience: dict[int, list[Experience]] = {}
    credits: dict[int, list[CreditFact]] = {}
    revocations: dict[int, list[RevocationFact]] = {}

    query = _select(TestResult, "id", "technician", "test", "date", "kind", "outcome")
    for pk, tid, test, day, kind, outcome in scope.rows(query):
        results.setdefault(tid, []).append(
            ResultFact(test, day, kind, outcome, f"{REF_RESULT}:{pk}")
        )
    query = _select(
        ExperienceRecord,
        "id", "technician", "kind", "start", "end", "full_time", "approved",
    )  # fmt: skip
    for pk, tid, kind, start, end, full_time, approved in scope.rows(query):
        experience.setdefault(tid, []).append(
            Experience(
                kind,
                start,
                end,
                bool(full_time),
                bool(approved),
                f"{REF_EXPERIENCE}:{pk}",
            )
        )
    query = _select(RenewalCredit, "id", "technician", "test", "date")
    for pk, tid, test, day in scope.rows(query):
        credits.setdefault(tid, []).append(CreditFact(test, day, f"{REF_CREDIT}:{pk}"))
    query = _select(Revocation, "id", "technician", "test", "date", "reason")
    for pk, tid, test, day, reason in scope.rows(query):
        revocations.setdefault(tid, []).append(
            RevocationFact(test or None, day, reason, f"{REF_REVOCATION}:{pk}")
        )

    empty = Facts()
    out: dict[int, Facts] = {}
    for tid in scope.ids:
        if tid in results or tid in experience or tid in credits or tid in revocations:
            out[tid] = Facts(
                results=tuple(results.get(tid, ())),
                experience=tuple(experience.get(tid, ())),
                renewal_credits=tuple(credits.get(tid, ())),
                revocations=tuple(revocations.get(tid, ())),
            )
        else:
            out[tid] = empty
    return out


def technician_facts(technician_id: int) -> Facts:
    """One technician's stored facts, with refs ``result:<pk>``, ``experience:<pk>``,
    ``credit:<pk>`` and ``revocation:<pk>``."""
    return technicians_facts([technician_id])[technician_id]


# --- derived state -----------------------------------------------------------------

CertRow = tuple[int, str, dt.date | None, dt.date | None, dt.date | None, str]
"""(id, status, passed_on, certified_on, expires_on, program_digest)"""
TitleRow = tuple[int, bool, dt.date | None, dt.date | None]
"""(id, held, since, until)"""


def technicians_derived(
    scope: TechnicianScope,
) -> tuple[dict[int, dict[str, CertRow]], dict[int, dict[str, TitleRow]]]:
    """The stored certifications and titles of the technicians in ``scope``."""
    certs: dict[int, dict[str, CertRow]] = {}
    query = _select(
        Certification,
        "id", "technician", "test", "status", "passed_on", "certified_on",
        "expires_on", "program_digest",
    )  # fmt: skip
    for pk, tid, test, status, passed, certified, expires, digest in scope.rows(query):
        certs.setdefault(tid, {})[test] = (
            pk,
            status,
            passed,
            certified,
            expires,
            digest,
        )
    titles: dict[int, dict[str, TitleRow]] = {}
    query = _select(
        TitleHolding, "id", "technician", "title_id", "held", "since", "until"
    )
    for pk, tid, title_id, held, since, until in scope.rows(query):
        titles.setdefault(tid, {})[title_id] = (pk, bool(held), since, until)
    return certs, titles


def certifications_current(*, on: dt.date) -> QuerySet[Certification]:
    """The certifications in force on ``on``: the one definition of "current".

    Certified, and ``on`` no later than the last valid day: ``expires_on`` is the
    rules core's exclusive end (the first day no longer certified; pages show
    ``valid_through``, the day before), so ``on < expires_on``. No ``expires_on`` is
    open-ended. The date is checked as well as the status because a stored status is
    as of the last recompute, and a certification whose last day has passed stays
    "certified" until the daily sweep reaches it.
    """
    return Certification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=on),
        status=CertificationStatus.CERTIFIED,
    )


def certification_in_force(
    *, status: str, expires_on: dt.date | None, on: dt.date
) -> bool:
    """``certifications_current``'s rule for one row already read (the public
    lookup's one statement, the employer roster's prefetched rows): certified, and
    ``on`` before the exclusive end. The same rule in the form a loaded row needs;
    tests/credentials/test_in_force_rule.py holds the two equal on the database."""
    return status == CertificationStatus.CERTIFIED and (
        expires_on is None or on < expires_on
    )


def certifications_lapsed(*, on: dt.date) -> QuerySet[Certification]:
    """The certifications that ran out by ``on`` without being revoked: expired, or
    still stored as certified because the daily sweep has not reached them yet (as
    in ``certifications_current``, the date decides, not only the status)."""
    return Certification.objects.filter(
        status__in=(CertificationStatus.CERTIFIED, CertificationStatus.EXPIRED),
        expires_on__lte=on,
    )


def technician_certifications(technician_id: int) -> list[Certification]:
    return list(
        Certification.objects.filter(technician_id=technician_id).order_by("test")
    )


def technician_titles(technician_id: int) -> list[TitleHolding]:
    return list(
        TitleHolding.objects.filter(technician_id=technician_id).order_by("title_id")
    )


def technician_evaluation(
    *, technician_id: int, program: Program, as_of: dt.date, explain: bool = True
) -> rules.Evaluation:
    """The live evaluation (with its explanation) from the stored facts."""
    return rules.evaluate(
        program, technician_facts(technician_id), as_of, explain=explain
    )


def fact_labels(facts: Facts) -> dict[str, str]:
    """ref -> a short human label, for naming facts in an explanation."""
    labels: dict[str, str] = {}
    for r in facts.results:
        labels[r.ref] = _("%(test)s %(kind)s %(outcome)s %(day)s") % {
            "test": r.test,
            "kind": ResultKind(r.kind).label,
            "outcome": Outcome(r.outcome).label,
            "day": r.date.isoformat(),
        }
    for e in facts.experience:
        values = {
            "kind": e.kind,
            "start": e.start.isoformat(),
            "end": e.end.isoformat() if e.end else _("ongoing"),
            "time": _("full time") if e.full_time else _("part time"),
        }
        if e.approved:
            labels[e.ref] = _("%(kind)s %(start)s–%(end)s, %(time)s, approved") % values
        else:
            labels[e.ref] = (
                _("%(kind)s %(start)s–%(end)s, %(time)s, not approved") % values
            )
    for c in facts.renewal_credits:
        labels[c.ref] = _("%(test)s renewal credit %(day)s") % {
            "test": c.test,
            "day": c.date.isoformat(),
        }
    for v in facts.revocations:
        values = {"test": v.test or "", "day": v.date.isoformat()}
        if v.test:
            labels[v.ref] = _("%(test)s revoked %(day)s") % values
        else:
            labels[v.ref] = _("all tests revoked %(day)s") % values
    return labels


def _steps(steps: Sequence[rules.Step], labels: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "text": step_words(s),
            "facts": [{"ref": f, "label": labels.get(f, f)} for f in s.facts],
            "rules": list(s.rules),
        }
        for s in steps
    ]


def technician_explanation(
    *, technician_id: int, program: Program, as_of: dt.date
) -> dict[str, Any]:
    """Everything the admin's "Why" panel shows, computed live from the stored facts:
    the explanation trail of every certification and title, the progress toward each
    title, the timeline, and whether the stored derived rows agree."""
    facts = technician_facts(technician_id)
    labels = fact_labels(facts)
    ev = rules.evaluate(program, facts, as_of, explain=True)
    stored = {
        c.test: (c.status, c.passed_on, c.certified_on, c.expires_on)
        for c in Certification.objects.filter(technician_id=technician_id)
    }
    certifications = [
        {
            "test": code,
            "name": program.tests[code].name if code in program.tests else code,
            "status": state.status,
            "status_label": CertificationStatus(state.status).label,
            "passed_on": state.passed_on,
            "certified_on": state.certified_on,
            "expires_on": state.expires_on,
            "valid_through": last_valid_day(state.expires_on),
            "steps": _steps(state.explanation, labels),
            "stored": stored.get(code),
            "agrees": stored.get(code)
            == (state.status, state.passed_on, state.certified_on, state.expires_on),
        }
        for code, state in sorted(ev.certifications.items())
    ]
    titles = []
    for title_id, state in ev.titles.items():
        plan = rules.plan_title(program, facts, title_id, as_of, evaluation=ev)
        titles.append(
            {
                "id": title_id,
                "name": program.titles[title_id].name,
                "held": state.held,
                "since": state.since,
                "until": state.until,
                "steps": _steps(state.explanation, labels),
                "plan": {
                    "items": [
                        {
                            "label": plan_label_words(item),
                            "satisfied": item.satisfied,
                            "status": item.status,
                            "status_label": plan_status_words(item),
                            "expires_on": item.expires_on,
                            "action": plan_action_words(item, program),
                        }
                        for item in plan.items
                    ],
                    "missing": [plan_missing_words(i) for i in plan.missing_items],
                    "expiring": [plan_expiring_words(i) for i in plan.expiring_items],
                },
            }
        )
    return {
        "as_of": as_of,
        "certifications": certifications,
        "titles": titles,
        "experience": _steps(ev.explanation, labels),
        "next_change_on": ev.next_change_on,
        "timeline": [
            {
                **c.as_dict(),
                "change": change_words(c)[0],
                "detail": change_words(c)[1],
                "label": labels.get(c.ref, ""),
            }
            for c in rules.timeline(program, facts, as_of)
        ],
        "facts": labels,
    }


def check_credentials_staff(user: Any) -> None:
    """PermissionDenied (403) unless ``user`` is program staff: every technician's
    results and revocations are theirs to read, nobody else's."""
    if not user_is_program_staff(user):
        raise PermissionDenied


def technician_results(technician_id: int) -> QuerySet[TestResult]:
    """One technician's results (the facts), newest first."""
    return TestResult.objects.filter(technician_id=technician_id).order_by(
        "-date", "-id"
    )


def results_list(
    *,
    technician_id: int | None = None,
    test: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[TestResult]:
    """Every technician's results (program staff), newest first, narrowed by
    technician, test and date (``since`` .. ``until``, both included)."""
    qs = TestResult.objects.select_related("technician").order_by("-date", "-id")
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if test:
        qs = qs.filter(test=test)
    if since is not None:
        qs = qs.filter(date__gte=since)
    if until is not None:
        qs = qs.filter(date__lte=until)
    return qs


def revocations_list(
    *, technician_id: int | None = None, since: dt.date | None = None
) -> QuerySet[Revocation]:
    """Revocations (program staff), newest first."""
    qs = Revocation.objects.select_related("technician", "by").order_by("-date", "-id")
    if technician_id is not None:
        qs = qs.filter(technician_id=technician_id)
    if since is not None:
        qs = qs.filter(date__gte=since)
    return qs


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """credentials' part of the technician's data export: their results, renewal
    credits and revocations (the facts) and the certifications and titles derived
    from them."""
    own = {"technician_id": technician.pk}
    return export_part(
        TestResult.objects.filter(**own),
        RenewalCredit.objects.filter(**own),
        Revocation.objects.filter(**own),
        Certification.objects.filter(**own),
        TitleHolding.objects.filter(**own),
    )
