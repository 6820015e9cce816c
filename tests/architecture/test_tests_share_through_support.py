"""Tests share builders and fixtures through tests/support, never through another
module's ``conftest.py``.

A conftest holds the fixtures of its own directory, which pytest finds by name.
Imported, it becomes a second, hidden home for shared helpers: fixtures defined
once but seen from packages that pytest would not show them to, and helpers that
move when a package's fixtures change. What more than one package uses lives in
tests/support (tests/support/__init__.py says how).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _package(path: Path) -> list[str]:
    """The dotted package of a module under tests/ (``["tests", "delivery"]``)."""
    return ["tests", *path.parent.relative_to(TESTS).parts]


def _imported_modules(
    tree: ast.Module, package: list[str]
) -> Iterator[tuple[int, str]]:
    """(line, module) for every module an import statement names, relative imports
    resolved against ``package``; for ``from a import b``, both ``a`` and ``a.b``
    (``b`` may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _conftest_imports(source: str, package: list[str]) -> list[tuple[int, str]]:
    """(line, module) for each import statement that names a conftest."""
    tree = ast.parse(source)
    found: dict[int, str] = {}
    for line, module in _imported_modules(tree, package):
        if "conftest" in module.split("."):
            found.setdefault(line, module)
    return sorted(found.items())


@pytest.mark.parametrize(
    "source",
    [
        "from tests.delivery.conftest import save",
        "from .conftest import ago",
        "from ..scheduling.conftest import NOW",
        "from tests.delivery import conftest",
        "from . import conftest",
        "import tests.conftest",
        "def f():\n    from tests.commerce.conftest import buy\n",
    ],
    ids=[
        "absolute",
        "relative",
        "from-a-sibling",
        "the-module-from-its-package",
        "the-module-from-here",
        "import",
        "in-a-function",
    ],
)
def test_every_way_of_importing_a_conftest_is_seen(source):
    """The check below recognises a conftest import however it is spelt."""
    # given a module of tests/portal holding ``source``
    package = ["tests", "portal"]
    # when
    found = _conftest_imports(source, package)
    # then
    assert found, f"not seen: {source!r}"


def test_imports_of_other_modules_are_not_taken_for_conftests():
    # given
    source = (
        "from tests.support.delivery import save\n"
        "from . import helpers\n"
        "import conftest_free\n"
    )
    # when
    found = _conftest_imports(source, ["tests", "portal"])
    # then
    assert found == []


def test_no_test_module_imports_a_conftest():
    """Shared fixtures and helpers come from tests/support; a conftest is pytest's
    alone."""
    # given
    modules = sorted(TESTS.rglob("*.py"))
    # when
    found = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in modules
        for line, module in _conftest_imports(
            path.read_text(encoding="utf-8"), _package(path)
        )
    ]
    # then
    assert not found, (
        "move what these import into tests/support (fixtures: a plugin listed in "
        "tests/conftest.py; the rest: imported from there):\n" + "\n".join(found)
    )
