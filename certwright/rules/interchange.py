"""The facts interchange format (JSON in, JSON out), documented in docs/facts-format.md.

Input is checked strictly: an unknown key, a bad date or an unknown test is an error
that names the field (``results[2].date``), because a typo in a facts file must never
silently change someone's certification.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from certwright.program.model import Program

from .facts import (
    OUTCOMES,
    RESULT_KINDS,
    CertificationState,
    Evaluation,
    Experience,
    Facts,
    RenewalCredit,
    Revocation,
    TestResult,
    TitleState,
)


class FactsError(ValueError):
    """Invalid facts input; ``field`` is a path such as ``results[2].date``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# The latest day a facts file may name. The rules move dates forward by years and
# months (validity, renewal extensions) and the calendar ends on 9999-12-31; with
# every fact on or before this day, an expiry under any validity a program may set
# (at most 100 years) is a real day, never the end-of-calendar FOREVER.
LATEST_DATE = dt.date(9000, 12, 31)

# A facts document is three levels deep (object, list, fact); the free-form
# ``technician`` field may add some. Deeper is not a facts file, and the JSON decoder
# recurses once per level, so a deep enough file would exhaust the stack.
MAX_DEPTH = 32

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Strings (with their escapes) are skipped so brackets inside them do not count.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


@dataclass(frozen=True, slots=True)
class FactsDocument:
    program: Program
    as_of: dt.date | None
    facts: Facts


_TOP = {
    "program",
    "as_of",
    "experience",
    "results",
    "renewal_credits",
    "revocations",
    "technician",
}
_RESULT = {
    "test": True,
    "date": True,
    "kind": False,
    "outcome": True,
    "ref": False,
    "id": False,
}
_EXPERIENCE = {
    "kind": True,
    "start": True,
    "end": False,
    "full_time": False,
    "approved": False,
    "ref": False,
    "id": False,
    "employer": False,
    "role": False,
    "note": False,
}
_CREDIT = {"test": True, "date": True, "ref": False, "id": False}
_REVOCATION = {"test": False, "date": True, "reason": False, "ref": False, "id": False}


class JSONTextError(FactsError):
    """Text that is not a JSON document the facts format can take."""

    def __init__(self, reason: str) -> None:
        super().__init__("$", reason)


def _json_depth(text: str) -> int:
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys; in a facts file the first one
    # (say an earlier "results" list) would vanish without a word.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise JSONTextError(f"duplicate key {key!r}: each key may appear once")
        out[key] = value
    return out


def decode_json(text: str) -> object:
    """The JSON document in ``text``; ``JSONTextError`` for anything else.

    Refuses what ``json.loads`` would take silently or crash on: a key given twice
    in one object, nesting deeper than ``MAX_DEPTH``, and integers too long to read.
    """
    if _json_depth(text) > MAX_DEPTH:
        raise JSONTextError(f"nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates)
    except JSONTextError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONTextError(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError:
        # The one other way json.loads fails: Python refuses to read an integer of
        # more than 4300 digits (sys.get_int_max_str_digits, CVE-2020-10735).
        raise JSONTextError("not valid JSON: a number is too long to read") from None
    except RecursionError:
        # The depth check above should make this unreachable; a smaller stack
        # (a thread, a deep caller) must still get the documented error.
        raise JSONTextError("nested too deeply") from None


def parse_date(value: object, field: str) -> dt.date:
    if not isinstance(value, str):
        raise FactsError(field, f"expected a date string YYYY-MM-DD, got {value!r}")
    try:
        # fromisoformat also takes week dates ("2020-W01-1") and compact forms.
        day = (
            dt.date.fromisoformat(value)
            if _ISO_DATE.fullmatch(value)
            else _bad_date(value)
        )
    except ValueError:
        raise FactsError(field, f"{value!r} is not a date (YYYY-MM-DD)") from None
    if day > LATEST_DATE:
        raise FactsError(
            field, f"{value} is after {LATEST_DATE}, the latest supported date"
        )
    return day


def _bad_date(value: str) -> dt.date:
    raise ValueError(value)


def _object(value: object, field: str, keys: Mapping[str, bool]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FactsError(field, f"expected an object, got {type(value).__name__}")
    for key in value:
        if key not in keys:
            raise FactsError(
                f"{field}.{key}",
                f"unknown field (expected one of {', '.join(sorted(keys))})",
            )
    for key, required in keys.items():
        if required and key not in value:
            raise FactsError(f"{field}.{key}", "is required")
    return value


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise FactsError(key, f"expected a list, got {type(value).__name__}")
    return value


def _choice(value: object, field: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise FactsError(field, f"{value!r} is not one of {', '.join(choices)}")
    assert isinstance(value, str)
    return value


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise FactsError(field, f"expected true or false, got {value!r}")
    return value


def _test(value: object, field: str, program: Program) -> str:
    if not isinstance(value, str) or value not in program.tests:
        raise FactsError(field, f"unknown test {value!r} in program {program.id}")
    return value


def parse_facts(
    data: object,
    *,
    program_resolver: Callable[[str], Program],
    default_program: str = "ase",
) -> FactsDocument:
    """Check a facts document and turn it into typed facts for the rules core."""
    if not isinstance(data, dict):
        raise FactsError("$", "a facts document is a JSON object")
    for key in data:
        if key not in _TOP:
            raise FactsError(
                key, f"unknown field (expected one of {', '.join(sorted(_TOP))})"
            )
    program_id = data.get("program", default_program)
    if not isinstance(program_id, str):
        raise FactsError("program", f"expected a program id, got {program_id!r}")
    try:
        program = program_resolver(program_id)
    except Exception as exc:  # the resolver's own error says why
        raise FactsError(
            "program", f"cannot load program {program_id!r}: {exc}"
        ) from None
    as_of = (
        parse_date(data["as_of"], "as_of") if data.get("as_of") is not None else None
    )

    results = []
    for i, raw in enumerate(_list(data, "results")):
        f = f"results[{i}]"
        obj = _object(raw, f, _RESULT)
        results.append(
            TestResult(
                test=_test(obj["test"], f"{f}.test", program),
                date=parse_date(obj["date"], f"{f}.date"),
                kind=_choice(obj.get("kind", "initial"), f"{f}.kind", RESULT_KINDS),  # type: ignore[arg-type]
                outcome=_choice(obj["outcome"], f"{f}.outcome", OUTCOMES),  # type: ignore[arg-type]
                ref=str(obj.get("ref") or obj.get("id") or f),
            )
        )
    experience = []
    kinds = tuple(sorted(program.experience.kinds))
    for i, raw in enumerate(_list(data, "experience")):
        f = f"experience[{i}]"
        obj = _object(raw, f, _EXPERIENCE)
        start = parse_date(obj["start"], f"{f}.start")
        end = parse_date(obj["end"], f"{f}.end") if obj.get("end") is not None else None
        if end is not None and end < start:
            raise FactsError(f"{f}.end", f"{end} is before the start {start}")
        experience.append(
            Experience(
                kind=_choice(obj["kind"], f"{f}.kind", kinds),
                start=start,
                end=end,
                full_time=_bool(obj.get("full_time", True), f"{f}.full_time"),
                approved=_bool(obj.get("approved", True), f"{f}.approved"),
                ref=str(obj.get("ref") or obj.get("id") or f),
            )
        )
    credits = []
    for i, raw in enumerate(_list(data, "renewal_credits")):
        f = f"renewal_credits[{i}]"
        obj = _object(raw, f, _CREDIT)
        credits.append(
            RenewalCredit(
                test=_test(obj["test"], f"{f}.test", program),
                date=parse_date(obj["date"], f"{f}.date"),
                ref=str(obj.get("ref") or obj.get("id") or f),
            )
        )
    revocations = []
    for i, raw in enumerate(_list(data, "revocations")):
        f = f"revocations[{i}]"
        obj = _object(raw, f, _REVOCATION)
        test = obj.get("test")
        reason = obj.get("reason", "")
        if not isinstance(reason, str):
            raise FactsError(f"{f}.reason", "expected text")
        revocations.append(
            Revocation(
                test=None if test is None else _test(test, f"{f}.test", program),
                date=parse_date(obj["date"], f"{f}.date"),
                reason=reason,
                ref=str(obj.get("ref") or obj.get("id") or f),
            )
        )
    return FactsDocument(
        program=program,
        as_of=as_of,
        facts=Facts(
            tuple(results), tuple(experience), tuple(credits), tuple(revocations)
        ),
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def certification_to_json(c: CertificationState) -> dict[str, Any]:
    return {
        "test": c.test,
        "status": c.status,
        "passed_on": _iso(c.passed_on),
        "certified_on": _iso(c.certified_on),
        "expires_on": _iso(c.expires_on),
        "periods": [{"start": _iso(p.start), "end": _iso(p.end)} for p in c.periods],
        "extensions": [_iso(d) for d in c.extensions],
        "explanation": [s.as_dict() for s in c.explanation],
    }


def title_to_json(t: TitleState, program: Program) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": program.titles[t.id].name,
        "held": t.held,
        "since": _iso(t.since),
        "until": _iso(t.until),
        "periods": [{"start": _iso(p.start), "end": _iso(p.end)} for p in t.periods],
        "explanation": [s.as_dict() for s in t.explanation],
    }


def evaluation_to_json(ev: Evaluation, program: Program) -> dict[str, Any]:
    """The derived state as the interchange's output document."""
    return {
        "program": program.id,
        "program_version": program.version,
        "as_of": ev.as_of.isoformat(),
        "certifications": [
            certification_to_json(ev.certifications[code])
            for code in sorted(ev.certifications)
        ],
        "titles": [title_to_json(ev.titles[tid], program) for tid in sorted(ev.titles)],
        "experience_met_on": {
            k: _iso(v) for k, v in sorted(ev.experience_met_on.items())
        },
        "next_change_on": _iso(ev.next_change_on),
        "explanation": [s.as_dict() for s in ev.explanation],
    }
