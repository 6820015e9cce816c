"""Title and prerequisite expressions as text a person can read."""

from __future__ import annotations

from certwright.program.model import AllOf, AnyOf, Expr, OnePerGroup, TestRef


def describe(expr: Expr) -> str:
    if isinstance(expr, TestRef):
        return expr.test
    if isinstance(expr, AnyOf):
        return "one of (" + ", ".join(describe(i) for i in expr.items) + ")"
    if isinstance(expr, AllOf):
        if all(isinstance(i, TestRef) for i in expr.items):
            return ", ".join(describe(i) for i in expr.items)
        return "all of (" + "; ".join(describe(i) for i in expr.items) + ")"
    if isinstance(expr, OnePerGroup):
        return "; ".join(
            f"{g.name}: one of ({', '.join(describe(i) for i in g.items)})"
            for g in expr.groups
        )
    raise TypeError(f"unknown expression {expr!r}")  # pragma: no cover


def holds(expr: Expr, tests: set[str] | frozenset[str]) -> bool:
    """Whether ``expr`` holds when exactly ``tests`` satisfy their condition."""
    if isinstance(expr, TestRef):
        return expr.test in tests
    if isinstance(expr, AnyOf):
        return any(holds(i, tests) for i in expr.items)
    if isinstance(expr, AllOf):
        return all(holds(i, tests) for i in expr.items)
    if isinstance(expr, OnePerGroup):
        return all(any(holds(i, tests) for i in g.items) for g in expr.groups)
    raise TypeError(f"unknown expression {expr!r}")  # pragma: no cover
