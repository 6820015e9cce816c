"""docs/configuration.md lists every environment variable Certwright reads, each with
its default, an example and what it does, and no variable that nothing reads."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from certwright import settings as project_settings
from certwright.conf.env import Env
from tests.support.docs import table_rows

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"`([A-Z][A-Z0-9_]+)`")


def documented() -> dict[str, list[str]]:
    """Each variable named in the first cell of a table row, with that row."""
    rows: dict[str, list[str]] = {}
    names: list[str] = []
    for row in table_rows("configuration.md"):
        for name in VARIABLE.findall(row[0]):
            names.append(name)
            rows[name] = row
    twice = sorted(name for name, n in Counter(names).items() if n > 1)
    assert not twice, f"documented more than once: {twice}"
    return rows


def read_directly() -> set[str]:
    """Variables the project's code reads from ``os.environ`` itself, not through
    the settings: ``os.environ.get("X")``, ``os.environ["X"]``, ``os.getenv("X")``."""
    names: set[str] = set()
    for path in (ROOT / "certwright").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            key: ast.expr | None = None
            if isinstance(node, ast.Call) and node.args:
                called = ast.unparse(node.func)
                if called in ("os.environ.get", "os.getenv"):
                    key = node.args[0]
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value) == (
                "os.environ"
            ):
                key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
    return names


def makefile_variables() -> set[str]:
    """The variables `make run` takes from the environment (``NAME ?= default``)."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z][A-Z0-9_]*) \?=", text, flags=re.MULTILINE))


def test_the_environment_reader_remembers_every_name_it_is_asked_for():
    """Set or not, and whatever the type, a name read is a name recorded."""
    # given an environment with one of three variables set
    env = Env({"B": "7"})
    # when each is read through a different parser
    env.boolean("A", False)
    env.integer("B", 0)
    env.strings("C", [])
    # then all three are recorded, and nothing else
    assert env.names == {"A", "B", "C"}


def test_every_variable_the_settings_read_is_documented():
    """Each name the settings asked the environment for has a row in
    docs/configuration.md with a default, an example and a meaning."""
    # given the variables the settings read at start-up, and the documented rows
    read = project_settings.env.names
    rows = documented()
    # then each has its row, and the row says all three things
    assert len(read) > 30  # the settings were read through Env, not os.environ
    missing = sorted(read - rows.keys())
    assert not missing, f"add to docs/configuration.md: {missing}"
    incomplete = sorted(
        name
        for name in read
        if len(rows[name]) != 4 or not all(cell for cell in rows[name][1:])
    )
    assert not incomplete, f"rows without a default, example or meaning: {incomplete}"


def test_every_variable_read_outside_the_settings_is_documented():
    """A command that reads the environment itself (``ensure_superuser`` reads the
    superuser's password) has its variable documented too."""
    missing = sorted(read_directly() - documented().keys())
    assert not missing, f"add to docs/configuration.md: {missing}"


def test_every_documented_variable_is_read():
    """No row documents a variable that nothing reads (a renamed or removed one)."""
    # given everything that reads the environment: the settings, the code that
    # reads it directly, and `make run`
    read = project_settings.env.names | read_directly() | makefile_variables()
    # then every documented name is among them
    stale = sorted(documented().keys() - read)
    assert not stale, f"documented in docs/configuration.md but never read: {stale}"
