"""Evaluating title and prerequisite expressions over a set of test codes.

Their text for people is ``certwright.program.listing.expr_text``.
"""

from __future__ import annotations

from certwright.program.model import AllOf, AnyOf, Expr, OnePerGroup, TestRef


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
