"""Exam form assembly: choose a form's items from a pool as a 0-1 program (HiGHS).

``assemble(pool, spec)`` picks the scored items per content area and the unscored
pretest items, keeps enemies apart and exposure under its limit, prefers fresh items
and, given a target, a mean difficulty on target. ``recert_area_counts`` scales a
blueprint to a shorter (recertification) form. Nothing here imports Django; the
contract is in ``notes/issue-4.md``.
"""

from certwright.assembly.apportion import recert_area_counts
from certwright.assembly.model import (
    Assembly,
    AssemblyError,
    AssemblyInfeasible,
    AssemblyTimeout,
    FormSpec,
    PoolItem,
    Role,
)
from certwright.assembly.solver import assemble

__all__ = [
    "Assembly",
    "AssemblyError",
    "AssemblyInfeasible",
    "AssemblyTimeout",
    "FormSpec",
    "PoolItem",
    "Role",
    "assemble",
    "recert_area_counts",
]
