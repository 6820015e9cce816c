"""Fuzz target: the facts JSON of `certwright rules evaluate`, the boundary through
which a technician's facts enter the rules from outside. Arbitrary bytes, arbitrary
JSON values and facts documents with any field mutated either evaluate or are
refused with the documented error (FactsError in the library, exit status 2 on the
command line); nothing else is ever raised. Bounded (max_examples) so CI stays quick.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.program import get_program
from certwright.rules.interchange import (
    FactsError,
    decode_json,
    evaluation_to_json,
    parse_facts,
)

FUZZ = settings(max_examples=300, deadline=None)
ASE = get_program("ase")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates().map(dt.date.isoformat),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
# Dates across the whole calendar, and often near the latest supported one and the
# calendar's end, where the rules' arithmetic used to overflow.
date_texts = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.dates(dt.date(8990, 1, 1), dt.date(9000, 12, 31)).map(dt.date.isoformat),
    st.dates(dt.date(9990, 1, 1), dt.date.max).map(dt.date.isoformat),
    st.sampled_from(["9000-12-31", "9001-01-01", "9999-12-31", "0001-01-01"]),
    st.text(max_size=12),
)
test_codes = st.sampled_from([*sorted(ASE.tests)[:12], "L1", "L2", "A9", "Z9", ""])


def maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    """Mostly the well-formed value, sometimes any JSON value in its place."""
    return st.one_of(strategy, strategy, strategy, json_values)


results = st.fixed_dictionaries(
    {
        "test": maybe(test_codes),
        "date": maybe(date_texts),
        "outcome": maybe(st.sampled_from(["pass", "fail", "no_show"])),
    },
    optional={
        "kind": maybe(st.sampled_from(["initial", "recert"])),
        "ref": json_values,
    },
)
experience = st.fixed_dictionaries(
    {
        "kind": maybe(st.sampled_from(sorted(ASE.experience.kinds))),
        "start": maybe(date_texts),
    },
    optional={
        "end": maybe(st.none() | date_texts),
        "full_time": maybe(st.booleans()),
        "approved": maybe(st.booleans()),
    },
)
credits = st.fixed_dictionaries({"test": maybe(test_codes), "date": maybe(date_texts)})
revocations = st.fixed_dictionaries(
    {"date": maybe(date_texts)},
    optional={"test": maybe(st.none() | test_codes), "reason": json_values},
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "as_of": maybe(date_texts),
        "results": maybe(st.lists(maybe(results), max_size=6)),
        "experience": maybe(st.lists(maybe(experience), max_size=3)),
        "renewal_credits": maybe(st.lists(maybe(credits), max_size=8)),
        "revocations": maybe(st.lists(maybe(revocations), max_size=2)),
        "technician": json_values,
        "program": st.sampled_from(["ase", "nonexistent", ""]) | json_values,
    },
)


@st.composite
def stories(draw: st.DrawFn) -> dict[str, object]:
    """A coherent history (experience, a pass, renewal credits, a later as_of) placed
    anywhere in the calendar, mostly near its end; then mutated like the rest."""
    anchor = draw(
        st.dates(dt.date(2, 1, 1), dt.date.max) | st.dates(dt.date(9980, 1, 1))
    )
    day = dt.date.fromordinal

    def shifted(days: int) -> str:
        ordinal = anchor.toordinal() + days
        return day(min(max(ordinal, 1), dt.date.max.toordinal())).isoformat()

    code = draw(test_codes)
    document: dict[str, Any] = {
        "experience": [{"kind": "employment", "start": shifted(-1100)}],
        "results": [
            {"test": code, "date": shifted(0), "outcome": "pass"},
            {
                "test": code,
                "date": shifted(draw(st.integers(0, 400))),
                "outcome": "fail",
            },
        ],
        "renewal_credits": [
            {"test": code, "date": shifted(30 * i)}
            for i in range(draw(st.integers(0, 8)))
        ],
        "as_of": shifted(draw(st.integers(0, 5000))),
    }
    # At most one change, so that most stories reach the rules whole.
    change = draw(st.sampled_from(["none", "none", "top", "result", "experience"]))
    if change == "top":
        document[draw(st.sampled_from(sorted(document)))] = draw(json_values)
    elif change == "result":
        fact = document["results"][0]
        fact[draw(st.sampled_from(sorted(fact)))] = draw(json_values | date_texts)
    elif change == "experience":
        fact = document["experience"][0]
        fact[draw(st.sampled_from(["start", "end", "full_time"]))] = draw(
            json_values | date_texts
        )
    return document


def evaluate_text(text: str) -> dict[str, object] | None:
    """The command's path through the library: the output, or None when refused."""
    try:
        document = parse_facts(decode_json(text), program_resolver=get_program)
    except FactsError:
        return None
    as_of = document.as_of or dt.date(2026, 1, 1)
    evaluation = rules.evaluate(document.program, document.facts, as_of)
    for title in document.program.titles:
        rules.plan_title(document.program, document.facts, title, as_of)
    rules.timeline(document.program, document.facts, as_of)
    return evaluation_to_json(evaluation, document.program)


@FUZZ
@given(documents | stories())
def test_a_mutated_facts_document_evaluates_or_is_refused(document: object) -> None:
    """A facts document with any field mutated gives a result or a FactsError."""
    evaluate_text(json.dumps(document))


@FUZZ
@given(json_values)
def test_any_json_value_evaluates_or_is_refused(value: object) -> None:
    """Any JSON value at all gives a result or a FactsError."""
    evaluate_text(json.dumps(value))


@FUZZ
@given(
    st.one_of(
        st.text(max_size=200),
        st.lists(
            st.sampled_from(
                ['{"', '"results"', ":", "[", "]", "{", "}", ",", '"', "1"]
            ),
            max_size=80,
        ).map("".join),
    )
)
def test_any_text_evaluates_or_is_refused(text: str) -> None:
    """Any text, JSON or not, gives a result or a FactsError."""
    evaluate_text(text)


@settings(max_examples=60, deadline=None)
@given(
    st.binary(max_size=300)
    | (documents | stories()).map(lambda d: json.dumps(d).encode())
)
def test_the_command_exits_0_or_2_on_any_bytes(data: bytes) -> None:
    """`rules evaluate FILE` on any bytes prints a result or exits with status 2."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "facts.json"
        path.write_bytes(data)
        out = io.StringIO()
        refused: CommandError | None = None
        try:
            call_command(
                "rules", "evaluate", str(path), stdout=out, stderr=io.StringIO()
            )
        except CommandError as error:
            refused = error
    if refused is not None:
        assert refused.returncode == 2, refused
        assert out.getvalue() == ""
    else:
        assert "certifications" in json.loads(out.getvalue())
