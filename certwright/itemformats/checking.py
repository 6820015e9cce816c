"""Checking an item file's items, whatever format they came in.

Every reader builds each item's JSON-like form (the shape of a "certwright-items/1"
item) and hands a test's items to ``bundle_check``, which checks every field against
what the bank accepts (``BankRules``) and collects every problem, naming the file, the
item and the field, so an operator fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.images import IMAGE_SUFFIXES, image_problem
from certwright.itemformats.model import (
    DRAFT,
    EXAM,
    OPTION_LETTERS,
    POOLS,
    STATUSES,
    BankRules,
    ExchangeItem,
    ItemBundle,
    ItemFileError,
)
from certwright.itemformats.text import text_problem

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")  # fullmatch


class Problems:
    """Collects problems with one input, each naming where it is; ``raise_any``
    raises them all as one ItemFileError."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.source}: {where}: {message}")

    def raise_any(self) -> None:
        if self.items:
            raise ItemFileError(self.items)


def item_where(code: object, index: int, line: int | None = None) -> str:
    """Where an item is, for a problem with it: its code when it has a printable one,
    else its place in the file (and its line, in a CSV file)."""
    if isinstance(code, str) and code and not text_problem(code):
        item = _("item %(code)s") % {"code": code}
    else:
        item = _("item #%(n)d") % {"n": index}
    return (
        item if line is None else _("line %(n)d: %(item)s") % {"n": line, "item": item}
    )


def _json_text_problem(value: Any) -> str | None:
    """The first string (key or value) in a JSON value that cannot be stored."""
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            problem = text_problem(node)
            if problem is not None:
                return problem
        elif isinstance(node, Mapping):
            pending += list(node.keys()) + list(node.values())
        elif isinstance(node, list):
            pending += node
    return None


def _text(
    raw: Mapping[str, Any],
    name: str,
    where: str,
    problems: Problems,
    *,
    required: bool = True,
    max_length: int | None = None,
) -> str:
    value = raw.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        problems.add(
            where, _("field %(f)s must be text, not %(v)r") % {"f": name, "v": value}
        )
        return ""
    problem = text_problem(value)
    if problem is not None:
        problems.add(where, _("field %(f)s %(p)s") % {"f": name, "p": problem})
        return ""
    if required and not value.strip():
        problems.add(where, _("field %(f)s is empty") % {"f": name})
    if max_length is not None and len(value) > max_length:
        problems.add(
            where,
            _("field %(f)s is longer than %(n)d characters")
            % {"f": name, "n": max_length},
        )
    return value


def item_from_mapping(
    raw: Mapping[str, Any],
    *,
    index: int,
    areas: frozenset[str],
    rules: BankRules,
    problems: Problems,
    line: int | None = None,
) -> ExchangeItem | None:
    """An item from its JSON-like form (the common shape all three readers build),
    or None after adding what is wrong to ``problems``. Lengths are the bank's
    (``rules``) and no text holds what a database refuses, so a checked item always
    stores."""
    before = len(problems.items)
    code = raw.get("code")
    where = item_where(code, index, line)
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        problems.add(
            where,
            _("field code must be 1-40 letters, digits, '.', '_' or '-', not %(v)r")
            % {"v": code},
        )
    area = _text(raw, "area", where, problems, max_length=rules.area_max_length)
    if area and area not in areas:
        problems.add(
            where,
            _("field area: %(a)r is not a content area of the test (%(all)s)")
            % {"a": area, "all": ", ".join(sorted(areas))},
        )
    task = _text(
        raw,
        "task",
        where,
        problems,
        required=False,
        max_length=rules.task_max_length,
    )
    stem = _text(raw, "stem", where, problems)
    rationale = _text(raw, "rationale", where, problems, required=False)
    options = raw.get("options")
    letters = list(OPTION_LETTERS)
    if not isinstance(options, Mapping) or sorted(options) != letters:
        problems.add(where, _("field options must have exactly A, B, C and D"))
        texts = ["", "", "", ""]
    else:
        texts = [options[letter] for letter in letters]
        for letter, text in zip(letters, texts, strict=True):
            if not isinstance(text, str) or not text.strip():
                problems.add(where, _("option %(l)s is empty") % {"l": letter})
            elif (problem := text_problem(text)) is not None:
                problems.add(
                    where, _("option %(l)s %(p)s") % {"l": letter, "p": problem}
                )
    key = raw.get("key")
    if key not in letters:
        problems.add(
            where, _("field key must be one of A, B, C, D, not %(v)r") % {"v": key}
        )
    enemies = raw.get("enemies") or []
    if not isinstance(enemies, list) or not all(
        isinstance(e, str) and CODE_RE.fullmatch(e) for e in enemies
    ):
        problems.add(where, _("field enemies must be a list of item codes"))
        enemies = []
    if code in enemies:
        problems.add(where, _("field enemies names the item itself"))
    image = raw.get("image")
    if image is not None and (
        not isinstance(image, str)
        or text_problem(image) is not None
        or PurePosixPath(image).name != image
        or image.startswith(".")
        or not image.lower().endswith(IMAGE_SUFFIXES)
    ):
        problems.add(
            where,
            _("field image must be a plain file name ending in %(s)s, not %(v)r")
            % {"s": ", ".join(IMAGE_SUFFIXES), "v": image},
        )
    status = raw.get("status", DRAFT)
    if status not in STATUSES:
        problems.add(
            where,
            _("field status must be one of %(all)s, not %(v)r")
            % {"all": ", ".join(STATUSES), "v": status},
        )
    stats = raw.get("stats") or {}
    if not isinstance(stats, Mapping):
        problems.add(where, _("field stats must be an object"))
    elif (problem := _json_text_problem(stats)) is not None:
        problems.add(where, _("field stats: a text %(p)s") % {"p": problem})
    pool = raw.get("pool") or EXAM
    if pool not in POOLS:
        problems.add(
            where,
            _("field pool must be one of %(all)s, not %(v)r")
            % {"all": ", ".join(POOLS), "v": pool},
        )
    if len(problems.items) > before:
        return None
    return ExchangeItem(
        code=str(code),
        area=area,
        task=task,
        stem=stem,
        options=(texts[0], texts[1], texts[2], texts[3]),
        key=str(key),
        rationale=rationale,
        enemies=tuple(dict.fromkeys(enemies)),
        image=image,
        status=str(status),
        stats=dict(stats),
        pool=str(pool),
    )


def bundle_check(
    *,
    test: Any,
    raws: Sequence[Mapping[str, Any]],
    problems: Problems,
    images: Mapping[str, bytes | None],
    rules: BankRules,
    program: str = "",
    lines: Sequence[int] | None = None,
) -> ItemBundle | None:
    """Check a test's items (in their JSON-like form) and their images together:
    unique codes, images present and whole (an image mapped to None was refused
    already, and the reason added to ``problems``), enemies in the file or (checked
    by the item bank's ``items_check``) the bank. ``lines`` gives each raw item's
    line (CSV)."""
    areas = rules.test_areas(test) if isinstance(test, str) else None
    if areas is None:
        problems.add(_("test"), _("%(t)r is not a test of the program") % {"t": test})
        return None
    if program and program != rules.program.id:
        problems.add(
            _("program"),
            _("the file is for program %(p)r, this installation runs %(q)r")
            % {"p": program, "q": rules.program.id},
        )
    items: list[ExchangeItem] = []
    seen: set[str] = set()
    checked: dict[str, str | None] = {}  # image name -> its problem
    for index, raw in enumerate(raws, start=1):
        line = lines[index - 1] if lines is not None else None
        if not isinstance(raw, Mapping):
            problems.add(item_where(None, index, line), _("must be an object"))
            continue
        item = item_from_mapping(
            raw, index=index, areas=areas, rules=rules, problems=problems, line=line
        )
        if item is None:
            continue
        where = item_where(item.code, index, line)
        if item.code in seen:
            problems.add(where, _("the code appears twice"))
        seen.add(item.code)
        if item.image is not None:
            if item.image not in images:
                problems.add(
                    where, _("field image: file %(f)s not found") % {"f": item.image}
                )
            elif (data := images[item.image]) is not None:
                if item.image not in checked:
                    checked[item.image] = image_problem(item.image, data)
                if checked[item.image] is not None:
                    problems.add(
                        where, _("field image: %(p)s") % {"p": checked[item.image]}
                    )
        items.append(item)
    used = {i.image for i in items if i.image}
    return ItemBundle(
        test=test,
        items=items,
        images={k: v for k, v in images.items() if k in used and v is not None},
        program=program,
        source=problems.source,
    )
