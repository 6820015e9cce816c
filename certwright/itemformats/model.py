"""What the item files carry: items and bundles in plain dataclasses, the item bank's
vocabulary they are written in, what a bank accepts, and the errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from certwright.itemformats.i18n import gettext as _
from certwright.program.model import Program

OPTION_LETTERS = "ABCD"
# The item bank's words for a version's status and an item's pool
# (itembank.models.ItemStatus and ItemPool; a test keeps the two lists equal).
DRAFT, PRETEST, OPERATIONAL = "draft", "pretest", "operational"
STATUSES = (DRAFT, "reviewed", PRETEST, OPERATIONAL, "retired")
EXAM, PRACTICE, RENEWAL = "exam", "practice", "renewal"
POOLS = (EXAM, PRACTICE, RENEWAL)
# How many problems an error shows; the rest are counted.
MAX_ERRORS = 30


class ItemFileError(ValueError):
    """An item file is wrong; ``problems`` lists each one (file, item, field), and
    ``message`` shows the first ``MAX_ERRORS`` of them, one a line."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_ERRORS])
        more = len(problems) - len(shown)
        if more > 0:
            shown.append(_("… and %(n)d more problems.") % {"n": more})
        self.message = "\n".join(shown)
        super().__init__(self.message)
        self.problems = list(problems)


class ItemWriteError(ValueError):
    """An item cannot be written in the format asked for."""


@dataclass(frozen=True, slots=True)
class BankRules:
    """What the bank a file is read for accepts: its program's tests and their
    content areas, and the longest content-area code and task its fields hold."""

    program: Program
    area_max_length: int
    task_max_length: int

    def test_areas(self, test: str) -> frozenset[str] | None:
        """Every content-area code any blueprint of ``test`` names (None: no such
        test)."""
        spec = self.program.tests.get(test)
        if spec is None:
            return None
        return frozenset(a.code for bp in spec.blueprints for a in bp.areas)


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """One item as the item files carry it (the latest version's content)."""

    code: str
    area: str
    task: str
    stem: str
    options: tuple[str, str, str, str]
    key: str  # "A" .. "D"
    rationale: str = ""
    enemies: tuple[str, ...] = ()
    image: str | None = None  # a file name, with its bytes in the bundle's images
    status: str = DRAFT
    stats: Mapping[str, Any] = field(default_factory=dict)  # JSON only
    pool: str = EXAM  # the item's, not the version's

    @property
    def key_index(self) -> int:
        return OPTION_LETTERS.index(self.key)


@dataclass(slots=True)
class ItemBundle:
    """The items of one test, with the image files they name."""

    test: str
    items: list[ExchangeItem]
    images: dict[str, bytes] = field(default_factory=dict)
    program: str = ""
    source: str = ""
