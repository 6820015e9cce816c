"""The timeline of a technician's changes: when each certification and title began,
lapsed, was extended or revoked, up to a given day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from certwright.program.model import Program

from .engine import evaluate
from .facts import Facts


@dataclass(frozen=True, slots=True)
class Change:
    day: dt.date
    subject: str  # a test code, or "title:<id>"
    change: str  # passed | failed | no_show | certified | recertified | extended |
    #              expired | revoked | title_gained | title_lost
    detail: str = ""  # in English
    ref: str = ""
    # What ``detail`` says, for the Django layer to word (not compared): a
    # result's kind (initial | recert), a certification period's last day.
    kind: str = field(default="", compare=False)
    until: dt.date | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, str]:
        return {
            "day": self.day.isoformat(),
            "subject": self.subject,
            "change": self.change,
            "detail": self.detail,
            "ref": self.ref,
        }


_OUTCOME_WORD = {"pass": "passed", "fail": "failed", "no_show": "no_show"}
_ORDER = {
    "passed": 0,
    "failed": 0,
    "no_show": 0,
    "revoked": 1,
    "expired": 1,
    "certified": 2,
    "recertified": 2,
    "extended": 3,
    "title_lost": 4,
    "title_gained": 5,
}


def timeline(program: Program, facts: Facts, as_of: dt.date) -> list[Change]:
    """Every change up to and including ``as_of``, oldest first."""
    ev = evaluate(program, facts, as_of, explain=False)
    changes: list[Change] = []
    for r in facts.results:
        if r.date <= as_of:
            kind = "recertification" if r.kind == "recert" else "certification"
            changes.append(
                Change(
                    r.date,
                    r.test,
                    _OUTCOME_WORD[r.outcome],
                    f"{kind} test",
                    r.ref,
                    kind=r.kind,
                )
            )
    revoked = {(v.test, v.date): v for v in facts.revocations if v.date <= as_of}
    for code, state in ev.certifications.items():
        for i, period in enumerate(state.periods):
            word = "certified" if i == 0 else "recertified"
            until = f" until {period.end}" if period.end else ""
            changes.append(
                Change(period.start, code, word, f"valid{until}", until=period.end)
            )
            if period.end is not None and period.end <= as_of:
                v = revoked.get((code, period.end)) or revoked.get((None, period.end))
                if v is not None:
                    changes.append(Change(period.end, code, "revoked", v.reason, v.ref))
                else:
                    changes.append(Change(period.end, code, "expired"))
        for day in state.extensions:
            changes.append(Change(day, code, "extended", "by renewal credits"))
        if state.status == "revoked" and not state.periods:
            changes.append(Change(state.passed_on or as_of, code, "revoked"))
    for tid, title in ev.titles.items():
        name = program.titles[tid].name
        for period in title.periods:
            changes.append(Change(period.start, f"title:{tid}", "title_gained", name))
            if period.end is not None and period.end <= as_of:
                changes.append(Change(period.end, f"title:{tid}", "title_lost", name))
    changes.sort(key=lambda c: (c.day, _ORDER.get(c.change, 9), c.subject))
    return changes
