"""The "certwright-items/1" JSON document: one test's items, each as an object.

``json_load`` is strict (no key twice in an object, no NaN, bounded nesting), so a
file cannot hide a second ``key`` after the one a reader sees, nor hold what a
database's JSON refuses. Image files are read from the document's directory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from certwright.itemformats.checking import Problems, bundle_check
from certwright.itemformats.filesystem import images_beside
from certwright.itemformats.i18n import gettext as _
from certwright.itemformats.model import (
    EXAM,
    OPTION_LETTERS,
    BankRules,
    ExchangeItem,
    ItemBundle,
    ItemFileError,
)

FORMAT = "certwright-items/1"
# Nesting a JSON item file needs is 5 levels (document, items, item, stats, a list
# in stats); deeper is refused before anything reads it.
MAX_JSON_DEPTH = 32


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members, refusing a key given twice (json keeps the last one
    silently, so a file could hide a second ``key`` after the one a reader sees)."""
    members: dict[str, Any] = {}
    for name, value in pairs:
        if name in members:
            raise _DuplicateKey(name)
        members[name] = value
    return members


def _no_constant(name: str) -> Any:
    raise ValueError(_("%(c)s is not a JSON number") % {"c": name})


def _json_depth(value: Any) -> int:
    deepest = 0
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break
            members = node.values() if isinstance(node, dict) else node
            pending += [(m, depth + 1) for m in members]
    return deepest


def json_load(text: str | bytes, source: str) -> Any:
    """Strict JSON: no duplicate keys, no NaN or Infinity (databases store neither
    in JSON), nested at most MAX_JSON_DEPTH deep. Raises ItemFileError."""
    try:
        doc = json.loads(
            text, object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except _DuplicateKey as exc:
        raise ItemFileError(
            [
                f"{source}: "
                + _("the key %(k)r appears twice in one object") % {"k": exc.args[0]}
            ]
        ) from None
    except RecursionError:
        raise ItemFileError(
            [
                f"{source}: "
                + _("JSON nested too deeply (at most %(n)d levels)")
                % {"n": MAX_JSON_DEPTH}
            ]
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ItemFileError([f"{source}: {_('not valid JSON')}: {exc}"]) from None
    if _json_depth(doc) > MAX_JSON_DEPTH:
        raise ItemFileError(
            [
                f"{source}: "
                + _("JSON nested too deeply (at most %(n)d levels)")
                % {"n": MAX_JSON_DEPTH}
            ]
        )
    return doc


def read_json(
    text: str | bytes,
    *,
    rules: BankRules,
    source: str = "items.json",
    directory: Path | None = None,
) -> ItemBundle:
    """A "certwright-items/1" document, checked against ``rules``; images are read
    from ``directory``."""
    problems = Problems(source)
    doc = json_load(text, source)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ItemFileError(
            [f"{source}: " + _("field format must be %(f)r") % {"f": FORMAT}]
        )
    raws = doc.get("items")
    if not isinstance(raws, list):
        raise ItemFileError([f"{source}: " + _("field items must be a list")])
    names = [r.get("image") for r in raws if isinstance(r, dict)]
    bundle = bundle_check(
        test=doc.get("test"),
        raws=raws,
        problems=problems,
        images=images_beside(directory, names, problems),
        rules=rules,
        program=str(doc.get("program") or ""),
    )
    problems.raise_any()
    assert bundle is not None
    return bundle


def _as_mapping(item: ExchangeItem, *, with_stats: bool) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "code": item.code,
        "area": item.area,
        "task": item.task,
        "stem": item.stem,
        "options": dict(zip(OPTION_LETTERS, item.options, strict=True)),
        "key": item.key,
        "rationale": item.rationale,
        "enemies": list(item.enemies),
        "image": item.image,
        "status": item.status,
    }
    if item.pool != EXAM:  # the default goes unwritten
        raw["pool"] = item.pool
    if with_stats and item.stats:
        raw["stats"] = dict(item.stats)
    return raw


def write_json(bundle: ItemBundle, *, program: str) -> str:
    """``bundle`` as a "certwright-items/1" document (``program``: the program id
    written when the bundle names none)."""
    doc = {
        "format": FORMAT,
        "program": bundle.program or program,
        "test": bundle.test,
        "items": [_as_mapping(i, with_stats=True) for i in bundle.items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
