"""Fuzz target: program TOML, the boundary through which a certification body's
definition enters the platform (`program check`, `program load`, CERTWRIGHT_PROGRAM).
The shipped ASE program with one key dropped, retyped, renamed or set to a huge
number, with a prerequisite cycle added, and arbitrary TOML-ish text either load or
are refused with the documented ProgramError (exit status 2 on the command line);
`program load` writes nothing when it refuses. Bounded (max_examples) so CI stays
quick.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import tempfile
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certwright import rules
from certwright.catalog.models import ProgramVersion
from certwright.program import DATA_DIR, ProgramError, catalog_rows, load
from certwright.program.listing import program_summary

ASE_FILES = {
    path.name: tomllib.loads(path.read_text("utf-8"))
    for path in sorted((DATA_DIR / "ase").glob("*.toml"))
}
ASE_TESTS = sorted(
    code for data in ASE_FILES.values() for code in data.get("tests", {})
)


def toml_key(key: str) -> str:
    return json.dumps(key)


def toml_value(value: object) -> str:
    """One TOML value on one line (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    raise TypeError(type(value))


def toml_document(data: dict[str, Any]) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


def key_paths(value: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, sub in items:
        out.append((*prefix, key))
        out.extend(key_paths(sub, (*prefix, key)))
    return out


toml_scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**31 - 10, max_value=2**64),
    st.integers(min_value=-(2**64), max_value=0),
    st.floats(),
    st.text(
        st.characters(exclude_categories=["Cs"]),  # TOML text is valid Unicode
        max_size=12,
    ),
    st.dates(),
    st.sampled_from(["A1", "L1", "standard", "initial", "recert", "certified"]),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_ase(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    """The ASE program's files, one of them changed in one place (or a cycle of
    prerequisites added), and the kind of change."""
    files = {name: _copy(data) for name, data in ASE_FILES.items()}
    mutation = draw(
        st.sampled_from(["drop", "replace", "replace", "rename", "cycle", "none"])
    )
    if mutation == "cycle":
        codes = draw(st.lists(st.sampled_from(ASE_TESTS), min_size=1, max_size=4))
        for here, there in zip(codes, [*codes[1:], codes[0]], strict=True):
            for data in files.values():
                test = data.get("tests", {}).get(here)
                if test is not None:
                    test.setdefault("prerequisites", []).append({"expr": there})
    elif mutation != "none":
        name = draw(st.sampled_from(sorted(files)))
        paths = key_paths(files[name])
        path = draw(st.sampled_from(paths))
        parent: Any = files[name]
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if mutation == "drop":
            del parent[last]
        elif mutation == "replace":
            parent[last] = draw(toml_values)
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = parent.pop(last)
    return {name: toml_document(data) for name, data in files.items()}, mutation


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


toml_texts = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "[",
                "]",
                "[[",
                "]]",
                "{",
                "}",
                " = ",
                ".",
                ",",
                "\n",
                '"',
                "'''",
                '"""',
                "#",
                "tests",
                "A1",
                "program",
                "1",
                "2026-01-01",
                "true",
                "9" * 30,
            ]
        ),
        max_size=60,
    ).map("".join),
)


def write(folder: Path, files: Mapping[str, str | bytes]) -> Path:
    root = folder / "program"
    root.mkdir()
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (root / name).write_bytes(data)
    return root


def load_or_refuse(root: Path) -> list[str]:
    """Load the program and use it as the platform does, or the problems found."""
    refused: ProgramError | None = None
    try:
        program = load(root)
    except ProgramError as error:
        refused = error
    if refused is not None:
        assert refused.issues
        return [str(issue) for issue in refused.issues]
    program_summary(program)
    catalog_rows(program, dt.date(2026, 1, 1))
    facts = rules.Facts(
        tuple(
            rules.TestResult(code, dt.date(9000, 12, 31), "initial", "pass", code)
            for code in sorted(program.tests)[:5]
        ),
        (rules.Experience("employment", dt.date(1, 1, 1), None, True, True, "job"),),
        (),
        (),
    )
    rules.evaluate(program, facts, dt.date(9000, 12, 31))
    return []


@settings(max_examples=120, deadline=None)
@given(mutated_ase())
def test_a_mutated_ase_program_loads_or_is_refused(
    change: tuple[dict[str, str], str],
) -> None:
    """One change to the shipped program: it loads and works, or a ProgramError;
    a prerequisite cycle is always refused."""
    files, mutation = change
    with tempfile.TemporaryDirectory() as folder:
        problems = load_or_refuse(write(Path(folder), files))
    if mutation == "cycle":
        assert any(
            "prerequisite cycle" in p or "cannot require" in p for p in problems
        ), problems
    if mutation == "none":
        assert problems == []


@settings(max_examples=200, deadline=None)
@given(st.one_of(toml_texts, st.binary(max_size=200)))
def test_any_toml_text_loads_or_is_refused(text: str | bytes) -> None:
    """Arbitrary text or bytes as a program file: a ProgramError, nothing else."""
    with tempfile.TemporaryDirectory() as folder:
        load_or_refuse(write(Path(folder), {"program.toml": text}))


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(mutated_ase())
def test_program_load_writes_nothing_when_it_refuses(
    change: tuple[dict[str, str], str],
) -> None:
    """`program load` either loads or exits 2, and then no catalog row is written."""
    files, _ = change
    with tempfile.TemporaryDirectory() as folder:
        root = write(Path(folder), files)
        before = ProgramVersion.objects.count()
        refused: CommandError | None = None
        try:
            call_command("program", "load", str(root), stdout=io.StringIO())
        except CommandError as error:
            refused = error
    if refused is not None:
        assert refused.returncode == 2, refused
        assert ProgramVersion.objects.count() == before
