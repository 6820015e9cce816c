"""Reading field data: response CSV files from field tests and earlier vendors.

One row per answer, with a header row (docs/psychometrics.md, "Importing field
data")::

    sitting,test,kind,form,item,choice,taken_on
    FT25-0001,A1,initial,1,A1-014,C,2025-10-04
    FT25-0001,A1,initial,1,A1-022,,2025-10-04

* ``sitting`` — the sitting's reference in the source (unique per form and source).
* ``test``, ``kind`` (initial / recert / practice), ``form`` — the form: its number,
  or ``draft:<id>`` for a draft form being field-tested.
* ``item`` — the item's code; it must be on that form.
* ``choice`` — ``A``–``D``, or blank for an item shown and left unanswered.
* ``taken_on`` (optional column) — the date, ``YYYY-MM-DD``.

An item of the form with no row in a sitting was not given to that examinee (a
pretest item given to a subset); every scored item must have a row. Nothing is
stored unless the whole file is right: :func:`read_responses_csv` collects every
problem with its line number and raises one :class:`ResponseFileError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from certwright.itembank.models import OPTION_LETTERS, Form, FormKind
from certwright.psychometrics.responses import NOT_SEEN, OMIT
from certwright.scoring.selectors import Column, form_columns

REQUIRED = ("sitting", "test", "kind", "form", "item", "choice")
OPTIONAL = ("taken_on",)
MAX_PROBLEMS = 25


class ResponseFileError(ValueError):
    """The file cannot be imported; ``problems`` name the lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = ""
        if len(problems) > MAX_PROBLEMS:
            more = f"\n… and {len(problems) - MAX_PROBLEMS} more"
        super().__init__("\n".join(problems[:MAX_PROBLEMS]) + more)


@dataclass
class ParsedSitting:
    form_id: int
    reference: str
    line: int  # where it starts
    taken_on: dt.date | None
    answers: dict[int, int] = field(default_factory=dict)  # column -> code


@dataclass
class _FormInfo:
    form: Form
    columns: tuple[Column, ...]
    index_of: dict[str, int]  # item code -> column (position order)


def _form_lookup(test: str, kind: str, label: str) -> Form | None:
    if label.lower().startswith("draft:"):
        ident = label.split(":", 1)[1].strip()
        if not ident.isdigit():
            return None
        return Form.objects.filter(pk=int(ident), test=test, kind=kind).first()
    if not label.isdigit():
        return None
    return Form.objects.filter(test=test, kind=kind, number=int(label)).first()


def read_responses_csv(text: str) -> list[ParsedSitting]:
    """Parse and check a response file against the forms in the database."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ResponseFileError(
            [
                f"line 1: the header lacks column(s) {', '.join(missing)}; expected "
                f"{','.join(REQUIRED)}[,taken_on]"
            ]
        )
    reader.fieldnames = header
    problems: list[str] = []
    forms: dict[tuple[str, str, str], _FormInfo | None] = {}
    sittings: dict[tuple[int, str], ParsedSitting] = {}
    for line, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        if None in raw:
            problems.append(f"line {line}: more fields than the header has")
            continue
        reference = row["sitting"]
        if not reference:
            problems.append(f"line {line}: the sitting reference is empty")
            continue
        if len(reference) > 100:
            problems.append(
                f"line {line}: sitting reference longer than 100 characters"
            )
            continue
        test, kind, label = row["test"].upper(), row["kind"].lower(), row["form"]
        if kind not in FormKind.values:
            problems.append(
                f"line {line}: kind {row['kind']!r} is not one of "
                f"{', '.join(FormKind.values)}"
            )
            continue
        form_key = (test, kind, label)
        if form_key not in forms:
            form = _form_lookup(test, kind, label)
            forms[form_key] = (
                None
                if form is None
                else _FormInfo(
                    form,
                    (columns := form_columns(form.pk)),
                    {c.code: i for i, c in enumerate(columns)},
                )
            )
        info = forms[form_key]
        if info is None:
            problems.append(
                f"line {line}: no {test} {kind} form {label!r} (use the form's number, "
                "or draft:<id> for a draft)"
            )
            continue
        index = info.index_of.get(row["item"])
        if index is None:
            problems.append(f"line {line}: item {row['item']!r} is not on {info.form}")
            continue
        choice = row["choice"].upper()
        if choice and (len(choice) != 1 or choice not in OPTION_LETTERS):
            problems.append(
                f"line {line}: choice {row['choice']!r} is not A, B, C, D or blank"
            )
            continue
        taken_on = None
        if row.get("taken_on"):
            try:
                taken_on = dt.date.fromisoformat(row["taken_on"])
            except ValueError:
                problems.append(
                    f"line {line}: taken_on {row['taken_on']!r} is not a date "
                    "(YYYY-MM-DD)"
                )
                continue
        sitting = sittings.setdefault(
            (info.form.pk, reference),
            ParsedSitting(info.form.pk, reference, line, taken_on),
        )
        if index in sitting.answers:
            problems.append(
                f"line {line}: sitting {reference} answers {row['item']} twice"
            )
            continue
        if taken_on and sitting.taken_on and taken_on != sitting.taken_on:
            problems.append(
                f"line {line}: sitting {reference} has two dates "
                f"({sitting.taken_on} and {taken_on})"
            )
            continue
        sitting.taken_on = sitting.taken_on or taken_on
        sitting.answers[index] = OPTION_LETTERS.index(choice) if choice else OMIT
    for sitting in sittings.values():
        info = next(i for i in forms.values() if i and i.form.pk == sitting.form_id)
        lacking = [
            c.code
            for i, c in enumerate(info.columns)
            if c.scored and i not in sitting.answers
        ]
        if lacking:
            problems.append(
                f"line {sitting.line}: sitting {sitting.reference} has no row for "
                f"scored item(s) {', '.join(lacking[:5])}"
                + (" …" if len(lacking) > 5 else "")
                + " (a scored item needs an answer or a blank choice)"
            )
    if problems:
        raise ResponseFileError(problems)
    if not sittings:
        raise ResponseFileError(["the file holds no answers"])
    return list(sittings.values())


def choices_bytes(answers: dict[int, int], width: int) -> bytes:
    """A sitting's answers as one byte per position (NOT_SEEN where absent)."""
    out = bytearray([NOT_SEEN]) * width
    for index, code in answers.items():
        out[index] = code
    return bytes(out)
