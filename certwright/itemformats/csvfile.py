"""Items as CSV: a header naming ``CSV_COLUMNS``, one item a line; the ``test``
column says whose item it is, so one file can hold several tests. Image files are
read from the file's directory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from certwright.itemformats.checking import Problems, bundle_check
from certwright.itemformats.filesystem import images_beside
from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.model import (
    DRAFT,
    EXAM,
    OPTION_LETTERS,
    BankRules,
    ItemBundle,
    ItemFileError,
    ItemWriteError,
)

CSV_COLUMNS = (
    "code",
    "test",
    "area",
    "task",
    "stem",
    "option_a",
    "option_b",
    "option_c",
    "option_d",
    "key",
    "rationale",
    "enemies",
    "image",
    "status",
)
# Optional in a file read (missing: every item is an exam item); always written.
CSV_OPTIONAL_COLUMNS = ("pool",)


def _item_mapping(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row's item in the JSON-like form every reader builds."""
    return {
        "code": row["code"],
        "area": row["area"],
        "task": row["task"],
        "stem": row["stem"],
        "options": {
            letter: row[f"option_{letter.lower()}"] for letter in OPTION_LETTERS
        },
        "key": row["key"],
        "rationale": row["rationale"],
        "enemies": [e for e in row["enemies"].split(";") if e],
        "image": row["image"] or None,
        "status": row["status"] or DRAFT,
        "pool": row.get("pool") or EXAM,
    }


def read_csv(
    text: str,
    *,
    rules: BankRules,
    source: str = "items.csv",
    directory: Path | None = None,
) -> list[ItemBundle]:
    """CSV with the header ``CSV_COLUMNS``, checked against ``rules``; one bundle
    per test named in it."""
    problems = Problems(source)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    by_test: dict[str, list[dict[str, Any]]] = {}
    lines: dict[str, list[int]] = {}
    try:
        header = next(reader, [])
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise ItemFileError(
                [
                    f"{source}: "
                    + _("missing columns: %(c)s") % {"c": ", ".join(missing)}
                ]
            )
        index = {
            name: header.index(name)
            for name in (*CSV_COLUMNS, *CSV_OPTIONAL_COLUMNS)
            if name in header
        }
        line = reader.line_num
        for record in reader:
            start, line = line + 1, reader.line_num
            if not record:
                continue
            if len(record) != len(header):
                problems.add(
                    _("line %(n)d") % {"n": start},
                    _("expected %(e)d fields, found %(f)d")
                    % {"e": len(header), "f": len(record)},
                )
                continue
            row = {name: record[i] for name, i in index.items()}
            by_test.setdefault(row["test"], []).append(_item_mapping(row))
            lines.setdefault(row["test"], []).append(start)
    except csv.Error as exc:
        # A field over the csv module's size limit, or a broken quote: the reader
        # cannot go on, so this is the file's one problem.
        raise ItemFileError(
            [f"{source}: " + _("line %(n)d: %(e)s") % {"n": reader.line_num, "e": exc}]
        ) from None
    bundles = []
    for test, raws in by_test.items():
        names = [r["image"] for r in raws]
        bundle = bundle_check(
            test=test,
            raws=raws,
            problems=problems,
            images=images_beside(directory, names, problems),
            rules=rules,
            lines=lines[test],
        )
        if bundle is not None:
            bundles.append(bundle)
    problems.raise_any()
    return bundles


def write_csv(bundles: Sequence[ItemBundle]) -> str:
    """The bundles' items as CSV, ``CSV_COLUMNS`` and the pool; ItemWriteError when an
    enemy code holds the list separator."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + CSV_OPTIONAL_COLUMNS)
    for bundle in bundles:
        for item in bundle.items:
            if any(";" in e for e in item.enemies):
                raise ItemWriteError(
                    _("%(c)s: an enemy code contains ';'") % {"c": item.code}
                )
            writer.writerow(
                [
                    item.code,
                    bundle.test,
                    item.area,
                    item.task,
                    item.stem,
                    *item.options,
                    item.key,
                    item.rationale,
                    ";".join(item.enemies),
                    item.image or "",
                    item.status,
                    item.pool,
                ]
            )
    return out.getvalue()
