"""The facts interchange: strict input with errors that name the field."""

import pytest

from certwright import rules
from certwright.rules.interchange import FactsError, evaluation_to_json, parse_facts
from tests.rules.builders import make_program

PROGRAM = make_program()


def resolve(program_id):
    if program_id != "tiny":
        raise LookupError(f"no program {program_id!r}")
    return PROGRAM


def parse(doc):
    return parse_facts(doc, program_resolver=resolve, default_program="tiny")


EXAMPLE = {
    "program": "tiny",
    "as_of": "2026-11-25",
    "experience": [
        {
            "kind": "employment",
            "start": "2019-01-01",
            "end": "2021-12-31",
            "full_time": True,
            "approved": True,
        }
    ],
    "results": [
        {"test": "A1", "date": "2020-03-01", "kind": "initial", "outcome": "pass"}
    ],
    "renewal_credits": [{"test": "A1", "date": "2024-05-01"}],
}


def test_example_document_round_trip():
    """The documented example parses and evaluates to the documented shape."""
    doc = parse(EXAMPLE)
    out = evaluation_to_json(
        rules.evaluate(doc.program, doc.facts, doc.as_of), doc.program
    )
    assert out["as_of"] == "2026-11-25"
    a1 = out["certifications"][0]
    assert a1["test"] == "A1"
    assert a1["status"] == "expired"
    assert a1["certified_on"] == "2020-12-31"  # 730 days of work from 2019-01-01
    assert a1["expires_on"] == "2025-03-01"
    assert {t["id"] for t in out["titles"]} == set(PROGRAM.titles)
    assert all(set(t) >= {"id", "held", "since", "until"} for t in out["titles"])
    assert a1["explanation"]
    assert "text" in a1["explanation"][0]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        (
            {"results": [{"test": "A1", "date": "2020-13-01", "outcome": "pass"}]},
            "results[0].date",
        ),
        (
            {"results": [{"test": "Q9", "date": "2020-01-01", "outcome": "pass"}]},
            "results[0].test",
        ),
        (
            {"results": [{"test": "A1", "date": "2020-01-01", "outcome": "passed"}]},
            "results[0].outcome",
        ),
        (
            {
                "results": [
                    {"test": "A1", "date": "2020-01-01", "kind": "x", "outcome": "pass"}
                ]
            },
            "results[0].kind",
        ),
        ({"results": [{"test": "A1", "date": "2020-01-01"}]}, "results[0].outcome"),
        (
            {
                "results": [
                    {"test": "A1", "date": "2020-01-01", "outcome": "pass", "scor": 1}
                ]
            },
            "results[0].scor",
        ),
        ({"results": {"test": "A1"}}, "results"),
        (
            {"experience": [{"kind": "job", "start": "2020-01-01"}]},
            "experience[0].kind",
        ),
        (
            {
                "experience": [
                    {"kind": "employment", "start": "2020-01-01", "end": "2019-01-01"}
                ]
            },
            "experience[0].end",
        ),
        (
            {
                "experience": [
                    {"kind": "employment", "start": "2020-01-01", "full_time": "yes"}
                ]
            },
            "experience[0].full_time",
        ),
        (
            {"renewal_credits": [{"test": "A1", "date": 20240501}]},
            "renewal_credits[0].date",
        ),
        ({"as_of": "yesterday"}, "as_of"),
        ({"program": "nope"}, "program"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_input_names_the_field(patch, field):
    """Every kind of bad input is refused with the field's path."""
    with pytest.raises(FactsError) as err:
        parse({**EXAMPLE, **patch})
    assert err.value.field == field
    assert str(err.value).startswith(field + ": ")


def test_not_an_object():
    """A document that is not an object is refused."""
    with pytest.raises(FactsError):
        parse([1, 2])
