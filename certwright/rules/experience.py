"""When a technician's approved experience meets a program's experience rule.

Time-based records (employment, apprenticeship, part-time work) accrue day by day; a
day never counts for more than one full day, however many jobs overlap it. Records of
a substitution kind (a two-year degree, vocational training) add credit too, but all
of them together are capped by the rule's ``substitution_cap_days`` ("appropriate
vocational training may be substituted for up to one year of work experience").

Credit is kept in thousandths of a day so part-time factors add up exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from certwright.program.model import ExperienceKind, ExperienceRule

from .dates import FOREVER
from .facts import Experience

_MILLI = 1000
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Requirement:
    met_on: dt.date | None  # the first day on which the requirement is met
    counted: tuple[str, ...]  # refs of the records that counted
    # (ref, why, detail) of the records that did not count: why is unknown_kind
    # (detail: the kind written), not_approved, not_completed (detail: the kind's
    # name) or no_credit.
    ignored: tuple[tuple[str, str, str], ...]


def requirement_met_on(
    rule: ExperienceRule,
    records: Iterable[Experience],
    kinds: dict[str, ExperienceKind],
) -> Requirement:
    """The first day on which ``rule`` is met by ``records``.

    A day of work counts once it is over, so a full-time record starting on day S
    meets a requirement of N days on S + N. A fixed credit (a degree) counts from its
    end date. Records that are not approved, or of an unknown kind, do not count.
    The answer is independent of any "as of" date: callers compare it with theirs,
    and an ongoing record (end None) projects forward.
    """
    required = rule.required_days * _MILLI
    cap = rule.substitution_cap_days * _MILLI
    if required <= 0:
        return Requirement(dt.date.min, (), ())

    # Rate changes: day -> (work delta, substitution delta), in thousandths per day.
    changes: dict[dt.date, list[int]] = {}
    fixed: list[tuple[dt.date, int]] = []
    counted: list[str] = []
    ignored: list[tuple[str, str, str]] = []
    for rec in records:
        kind = kinds.get(rec.kind)
        if kind is None:
            ignored.append((rec.ref, "unknown_kind", rec.kind))
            continue
        if not rec.approved:
            ignored.append((rec.ref, "not_approved", ""))
            continue
        if kind.accrual == "fixed":
            if rec.end is None:
                ignored.append((rec.ref, "not_completed", kind.name))
                continue
            fixed.append((rec.end, kind.credit_days * _MILLI))
            counted.append(rec.ref)
            continue
        factor = kind.full_time_factor if rec.full_time else kind.part_time_factor
        rate = round(factor * _MILLI)
        if rate <= 0 or (rec.end is not None and rec.end < rec.start):
            ignored.append((rec.ref, "no_credit", ""))
            continue
        slot = 1 if kind.substitution else 0
        changes.setdefault(rec.start, [0, 0])[slot] += rate
        # Work that ends on the calendar's last day never stops within it: the same
        # as ongoing (and the day after it cannot be written down).
        if rec.end is not None and rec.end < FOREVER:
            changes.setdefault(rec.end + _ONE_DAY, [0, 0])[slot] -= rate
        counted.append(rec.ref)

    fixed_on: dict[dt.date, int] = {}
    for day, credit in fixed:
        # A fixed credit is a point event: no rate changes, but the sweep stops there.
        changes.setdefault(day, [0, 0])
        fixed_on[day] = fixed_on.get(day, 0) + credit

    work = sub = 0  # credit accrued so far
    work_rate = sub_rate = 0  # raw sums of active factors
    days = sorted(changes)
    met: dt.date | None = None
    for i, day in enumerate(days):
        # Credit available at the start of ``day`` includes a degree finished today.
        if day in fixed_on:
            sub += fixed_on[day]
            if work + min(sub, cap) >= required:
                met = day
                break
        delta = changes[day]
        work_rate += delta[0]
        sub_rate += delta[1]
        next_day = days[i + 1] if i + 1 < len(days) else None
        rate_w = min(work_rate, _MILLI)
        rate_s = min(sub_rate, _MILLI)
        met = _first_day_met(day, next_day, work, sub, rate_w, rate_s, cap, required)
        if met is not None:
            break
        if next_day is None:
            break
        span = (next_day - day).days
        work += rate_w * span
        sub += rate_s * span
    return Requirement(met, tuple(counted), tuple(ignored))


def _first_day_met(
    day: dt.date,
    next_day: dt.date | None,
    work: int,
    sub: int,
    rate_w: int,
    rate_s: int,
    cap: int,
    required: int,
) -> dt.date | None:
    """Within [day, next_day) at constant rates, the first day the total reaches
    ``required`` (a day's credit is available the day after it is worked)."""
    need = required - (work + min(sub, cap))
    if need <= 0:
        return day
    sub_room = max(cap - sub, 0)
    rate_s = rate_s if sub_room > 0 else 0
    # After n days the credit is rate_w*n + min(rate_s*n, sub_room): first find the
    # answer as if substitution were uncapped, then correct for the cap.
    both = rate_w + rate_s
    if both <= 0:
        return None
    n = -(-need // both)
    if rate_s * n > sub_room:
        if rate_w <= 0:
            return None
        n = -(-(need - sub_room) // rate_w)
    if next_day is not None and n > (next_day - day).days:
        return None
    # Met only on the calendar's last day or after it: never, for the core (a
    # certification starting on FOREVER would be an empty period).
    if n >= (FOREVER - day).days:
        return None
    return day + dt.timedelta(days=n)
