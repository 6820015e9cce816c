"""Import and export of items: JSON ("certwright-items/1"), CSV and QTI 3.0.

docs/item-bank.md documents the three formats. Every reader turns a file into
``ItemBundle``s (one test each) and checks every field, collecting all problems with
the file, item code and field named; nothing is stored until the whole input is
good. ``items_import`` then stores bundles in one transaction: a bad file, or a bad
item anywhere in a directory, stores nothing.

Import makes the bank match the file, never deleting:
- a new code becomes an item whose version 1 has the file's status;
- a code whose content (stem, options, key, rationale, area, task, image) differs
  from its latest version gets a new version with the file's status (an unfrozen
  draft is updated in place instead);
- a code whose content is the same but whose status differs takes the file's status
  on its latest version;
- enemies named in the file are added (symmetric); none is removed;
- a code whose pool (exam or practice) differs takes the file's pool, unless
  candidates have seen the item (a version of it is frozen): then the whole import
  is refused.
A version stored as pretest or operational retires the item's older live versions.
Versions stored reviewed or further count as reviewed by "system": an import is a
staff action of bringing in an already reviewed bank (legacy or sample), recorded as
one ``items.imported`` event naming who ran it and every code it touched.
"""

from __future__ import annotations

import csv
import io
import json
import os
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.core.text import field_max_length, text_problem
from certwright.itembank.images import (
    IMAGE_SUFFIXES,
    MAX_IMAGE_BYTES,
    image_problem,
)
from certwright.itembank.models import (
    OPTION_LETTERS,
    Item,
    ItemEnemy,
    ItemPool,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import item_enemies, item_latest_versions
from certwright.itembank.services import (
    ItemBankError,
    actor_user,
    older_live_retire,
)

FORMAT = "certwright-items/1"
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
MAX_ERRORS = 30
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")  # fullmatch
IMPORTED_REVIEWER = "system"
# Nesting a JSON item file needs is 5 levels (document, items, item, stats, a list
# in stats); deeper is refused before anything reads it.
MAX_JSON_DEPTH = 32
# What an import records as the writer of its versions ("import:<file name>").
IMPORT_LABEL = "import:{source}"


class ItemFileError(ItemBankError):
    """An import file is wrong; ``problems`` lists each one (file, item, field)."""

    def __init__(self, problems: Sequence[str]) -> None:
        shown = list(problems[:MAX_ERRORS])
        more = len(problems) - len(shown)
        if more > 0:
            shown.append(_("… and %(n)d more problems.") % {"n": more})
        super().__init__("format", "\n".join(shown))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class ExchangeItem:
    """One item as the exchange formats carry it (the latest version's content)."""

    code: str
    area: str
    task: str
    stem: str
    options: tuple[str, str, str, str]
    key: str  # "A" .. "D"
    rationale: str = ""
    enemies: tuple[str, ...] = ()
    image: str | None = None  # a file name, with its bytes in the bundle's images
    status: str = ItemStatus.DRAFT
    stats: Mapping[str, Any] = field(default_factory=dict)  # JSON only
    pool: str = ItemPool.EXAM  # the item's, not the version's

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


# --- checking -------------------------------------------------------------------------


class _Problems:
    """Collects problems with one input, each naming where it is."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{self.source}: {where}: {message}")

    def raise_any(self) -> None:
        if self.items:
            raise ItemFileError(self.items)


def _where(code: object, index: int, line: int | None = None) -> str:
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
    problems: _Problems,
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
    problems: _Problems,
    line: int | None = None,
) -> ExchangeItem | None:
    """An item from its JSON-like form (the common shape all three readers build),
    or None after adding what is wrong to ``problems``. Lengths are the model
    fields' and no text holds what a database refuses, so a checked item always
    stores."""
    before = len(problems.items)
    code = raw.get("code")
    where = _where(code, index, line)
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        problems.add(
            where,
            _("field code must be 1-40 letters, digits, '.', '_' or '-', not %(v)r")
            % {"v": code},
        )
    area = _text(
        raw, "area", where, problems, max_length=field_max_length(ItemVersion, "area")
    )
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
        max_length=field_max_length(ItemVersion, "task"),
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
    status = raw.get("status", ItemStatus.DRAFT)
    if status not in ItemStatus.values:
        problems.add(
            where,
            _("field status must be one of %(all)s, not %(v)r")
            % {"all": ", ".join(ItemStatus.values), "v": status},
        )
    stats = raw.get("stats") or {}
    if not isinstance(stats, Mapping):
        problems.add(where, _("field stats must be an object"))
    elif (problem := _json_text_problem(stats)) is not None:
        problems.add(where, _("field stats: a text %(p)s") % {"p": problem})
    pool = raw.get("pool") or ItemPool.EXAM
    if pool not in ItemPool.values:
        problems.add(
            where,
            _("field pool must be one of %(all)s, not %(v)r")
            % {"all": ", ".join(ItemPool.values), "v": pool},
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


def test_areas(test: str) -> frozenset[str] | None:
    """Every content-area code any blueprint of ``test`` names (None: no such
    test)."""
    spec = current_program().tests.get(test)
    if spec is None:
        return None
    return frozenset(a.code for bp in spec.blueprints for a in bp.areas)


def bundle_check(
    *,
    test: Any,
    raws: Sequence[Mapping[str, Any]],
    problems: _Problems,
    images: Mapping[str, bytes | None],
    program: str = "",
    lines: Sequence[int] | None = None,
) -> ItemBundle | None:
    """Check a test's items (in their JSON-like form) and their images together:
    unique codes, images present and whole (an image mapped to None was refused
    already, and the reason added to ``problems``), enemies in the file or (checked
    by ``items_check``) the bank. ``lines`` gives each raw item's line (CSV)."""
    areas = test_areas(test) if isinstance(test, str) else None
    if areas is None:
        problems.add(_("test"), _("%(t)r is not a test of the program") % {"t": test})
        return None
    if program and program != current_program().id:
        problems.add(
            _("program"),
            _("the file is for program %(p)r, this installation runs %(q)r")
            % {"p": program, "q": current_program().id},
        )
    items: list[ExchangeItem] = []
    seen: set[str] = set()
    checked: dict[str, str | None] = {}  # image name -> its problem
    for index, raw in enumerate(raws, start=1):
        line = lines[index - 1] if lines is not None else None
        if not isinstance(raw, Mapping):
            problems.add(_where(None, index, line), _("must be an object"))
            continue
        item = item_from_mapping(
            raw, index=index, areas=areas, problems=problems, line=line
        )
        if item is None:
            continue
        where = _where(item.code, index, line)
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


# --- JSON -----------------------------------------------------------------------------


def _not_regular(path: Path) -> str | None:
    """Why ``path`` is not read as an input file (None: it is a regular file).
    Links are never followed: a link beside an item file could make the import
    copy any file the operator can read into the media storage."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        return _("is a symbolic link (links are not followed)")
    if not stat.S_ISREG(mode):
        return _("is not a regular file")
    return None


def _read_limited(path: Path, limit: int) -> bytes | None:
    """At most ``limit`` bytes of the regular file ``path`` (None: it holds more),
    opened without following a link put there since it was checked."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _images_beside(
    directory: Path | None, names: Iterable[Any], problems: _Problems
) -> dict[str, bytes | None]:
    """The image files named, from ``directory``. A name that cannot be read as a
    plain regular file of at most MAX_IMAGE_BYTES maps to None, its reason added to
    ``problems``; a name not there is left out (the item says "not found")."""
    images: dict[str, bytes | None] = {}
    if directory is None:
        return images
    for name in names:
        if (
            not isinstance(name, str)
            or name in images
            or text_problem(name) is not None
            or PurePosixPath(name).name != name
            or name.startswith(".")
        ):
            continue  # the item's own check names what is wrong with it
        path = directory / name
        try:
            why = _not_regular(path)
            data = _read_limited(path, MAX_IMAGE_BYTES) if why is None else None
            if why is None and data is None:
                why = _("is larger than 2 MB")
        except FileNotFoundError:
            continue
        except OSError as exc:
            data, why = None, exc.strerror or _("cannot be read")
        images[name] = data
        if why is not None:
            problems.add(name, why)
    return images


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
    text: str | bytes, *, source: str = "items.json", directory: Path | None = None
) -> ItemBundle:
    """A "certwright-items/1" document; images are read from ``directory``."""
    problems = _Problems(source)
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
        images=_images_beside(directory, names, problems),
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
    if item.pool != ItemPool.EXAM:  # the default goes unwritten
        raw["pool"] = item.pool
    if with_stats and item.stats:
        raw["stats"] = dict(item.stats)
    return raw


def write_json(bundle: ItemBundle) -> str:
    doc = {
        "format": FORMAT,
        "program": bundle.program or current_program().id,
        "test": bundle.test,
        "items": [_as_mapping(i, with_stats=True) for i in bundle.items],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --- CSV ------------------------------------------------------------------------------


def read_csv(
    text: str, *, source: str = "items.csv", directory: Path | None = None
) -> list[ItemBundle]:
    """CSV with the header ``CSV_COLUMNS``; one bundle per test named in it."""
    problems = _Problems(source)
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
            raw: dict[str, Any] = {
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
                "status": row["status"] or ItemStatus.DRAFT,
                "pool": row.get("pool") or ItemPool.EXAM,
            }
            by_test.setdefault(row["test"], []).append(raw)
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
            images=_images_beside(directory, names, problems),
            lines=lines[test],
        )
        if bundle is not None:
            bundles.append(bundle)
    problems.raise_any()
    return bundles


def write_csv(bundles: Sequence[ItemBundle]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + CSV_OPTIONAL_COLUMNS)
    for bundle in bundles:
        for item in bundle.items:
            if any(";" in e for e in item.enemies):
                raise ItemBankError(
                    "format", _("%(c)s: an enemy code contains ';'") % {"c": item.code}
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


# --- QTI 3.0 --------------------------------------------------------------------------

QTI_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
CW_NS = "https://certwright.org/xsd/items/1"
QTI_ITEM_TYPE = "imsqti_item_xmlv3p0"
# Limits on a package, checked against each member's header before it is read (and
# its reading stops at the header's size, which zipfile enforces with the CRC): a
# small zip can inflate to gigabytes.
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # all members, decompressed
MAX_XML_BYTES = 16 * 1024 * 1024  # one XML member (the manifest of a large bank)
MAX_PACKAGE_MEMBERS = 50_000  # an item and an image per item, 25,000 items
# Stored or deflated, as QTI packages are; anything else is refused unread.
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ET.register_namespace("cw", CW_NS)


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _cw(tag: str) -> str:
    return f"{{{CW_NS}}}{tag}"


def _sub(
    parent: ET.Element, tag: str, text: str | None = None, **attrs: str
) -> ET.Element:
    element = ET.SubElement(
        parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()}
    )
    if text is not None:
        element.text = text
    return element


def _identifier(code: str) -> str:
    """A QTI identifier (an XML NCName) for ``code``."""
    return code if re.match(r"^[A-Za-z_][A-Za-z0-9._-]*$", code) else f"I{code}"


def qti_item_xml(item: ExchangeItem, *, image_href: str | None) -> bytes:
    """One qti-assessment-item: a single-choice interaction over options A-D, the
    key as the correct response, scoring by match, the rationale as modal
    feedback shown after responding."""
    root = ET.Element(
        "qti-assessment-item",
        {
            "identifier": _identifier(item.code),
            "title": item.code,
            "adaptive": "false",
            "time-dependent": "false",
            # Tags are written unqualified under this default namespace (ElementTree
            # cannot combine a default namespace with unqualified attributes).
            "xmlns": QTI_NS,
        },
    )
    declaration = _sub(
        root,
        "qti-response-declaration",
        identifier="RESPONSE",
        cardinality="single",
        base_type="identifier",
    )
    correct = _sub(declaration, "qti-correct-response")
    _sub(correct, "qti-value", item.key)
    for name, base in (("SCORE", "float"), ("FEEDBACK", "identifier")):
        _sub(
            root,
            "qti-outcome-declaration",
            identifier=name,
            cardinality="single",
            base_type=base,
        )
    body = _sub(root, "qti-item-body")
    _sub(body, "p", item.stem, **{"class": "stem"})
    if image_href is not None:
        figure = _sub(body, "p", **{"class": "figure"})
        _sub(
            figure,
            "img",
            src=image_href,
            alt=_("Figure for %(c)s") % {"c": item.code},
        )
    interaction = _sub(
        body,
        "qti-choice-interaction",
        response_identifier="RESPONSE",
        shuffle="false",
        max_choices="1",
    )
    for letter, text in zip(OPTION_LETTERS, item.options, strict=True):
        _sub(interaction, "qti-simple-choice", text, identifier=letter)
    processing = _sub(root, "qti-response-processing")
    condition = _sub(processing, "qti-response-condition")
    branch = _sub(condition, "qti-response-if")
    match = _sub(branch, "qti-match")
    _sub(match, "qti-variable", identifier="RESPONSE")
    _sub(match, "qti-correct", identifier="RESPONSE")
    for parent, score in (
        (branch, "1"),
        (_sub(condition, "qti-response-else"), "0"),
    ):
        setter = _sub(parent, "qti-set-outcome-value", identifier="SCORE")
        _sub(setter, "qti-base-value", score, base_type="float")
    setter = _sub(processing, "qti-set-outcome-value", identifier="FEEDBACK")
    _sub(setter, "qti-base-value", "RATIONALE", base_type="identifier")
    feedback = _sub(
        root,
        "qti-modal-feedback",
        outcome_identifier="FEEDBACK",
        identifier="RATIONALE",
        show_hide="show",
        title=_("Rationale"),
    )
    content = _sub(feedback, "qti-content-body")
    _sub(content, "p", item.rationale)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def write_qti(bundles: Sequence[ItemBundle]) -> bytes:
    """A zip: ``imsmanifest.xml``, ``items/<code>.xml`` and ``images/<file>``. The
    manifest's resource metadata carries what QTI has no place for: code, test,
    content area, task, status, pool and enemies (namespace ``CW_NS``)."""
    manifest = ET.Element(
        "manifest", {"identifier": "certwright-items", "xmlns": CP_NS}
    )
    meta = _sub(manifest, "metadata")
    _sub(meta, "schema", "QTI Package")
    _sub(meta, "schemaversion", "3.0.0")
    _sub(manifest, "organizations")
    resources = _sub(manifest, "resources")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for bundle in bundles:
            for item in bundle.items:
                href = f"items/{bundle.test}/{item.code}.xml"
                image_href = (
                    f"images/{bundle.test}/{item.image}" if item.image else None
                )
                package.writestr(
                    href,
                    qti_item_xml(
                        item,
                        image_href=posixpath.relpath(
                            image_href, posixpath.dirname(href)
                        )
                        if image_href
                        else None,
                    ),
                )
                resource = _sub(
                    resources,
                    "resource",
                    identifier=_identifier(f"{bundle.test}.{item.code}"),
                    type=QTI_ITEM_TYPE,
                    href=href,
                )
                described = _sub(_sub(resource, "metadata"), _cw("item"))
                described.set("program", bundle.program or current_program().id)
                described.set("test", bundle.test)
                described.set("code", item.code)
                described.set("area", item.area)
                described.set("status", item.status)
                described.set("pool", item.pool)
                _sub(described, _cw("task"), item.task)
                for enemy in item.enemies:
                    _sub(described, _cw("enemy"), enemy)
                _sub(resource, "file", href=href)
                if image_href is not None and item.image is not None:
                    package.writestr(image_href, bundle.images[item.image])
                    _sub(resource, "file", href=image_href)
        ET.indent(manifest)
        package.writestr(
            "imsmanifest.xml",
            ET.tostring(manifest, encoding="utf-8", xml_declaration=True),
        )
    return buffer.getvalue()


def _xml(data: bytes, where: str, problems: _Problems) -> ET.Element | None:
    # defusedxml refuses a document type declaration, entities and external
    # references while parsing, in whatever encoding the document declares (a byte
    # search for "<!DOCTYPE" misses UTF-16); QTI needs none of them.
    try:
        root = xml_fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        problems.add(where, _("XML with a document type declaration is not accepted"))
        return None
    except (ET.ParseError, ValueError, LookupError) as exc:
        problems.add(where, _("not well-formed XML: %(e)s") % {"e": exc})
        return None
    assert isinstance(root, ET.Element)
    return root


class _Package:
    """A zip read within the limits above. Problems with the package as a whole
    raise ItemFileError; a member that cannot be read adds a problem naming it."""

    def __init__(self, data: bytes, source: str, problems: _Problems) -> None:
        self.problems = problems

        def refuse(reason: str) -> ItemFileError:
            return ItemFileError([f"{source}: {reason}"])

        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        # zipfile reports a damaged directory as BadZipFile, or with the error its
        # parsing hit (a bad offset, an impossible size, a multi-disk archive).
        except (
            zipfile.BadZipFile,
            ValueError,
            OSError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise refuse(_("not a zip file (%(e)s)") % {"e": exc}) from None
        if len(infos) > MAX_PACKAGE_MEMBERS:
            raise refuse(
                _("the package has more than %(n)d files") % {"n": MAX_PACKAGE_MEMBERS}
            )
        if sum(i.file_size for i in infos) > MAX_PACKAGE_BYTES:
            raise refuse(
                _("the package is larger than %(n)d MB unpacked")
                % {"n": MAX_PACKAGE_BYTES // (1024 * 1024)}
            )
        self.infos = {i.filename: i for i in infos}

    def read(self, name: str, limit: int) -> bytes | None:
        """Member ``name``, or None after adding why it cannot be read."""
        info = self.infos[name]
        problem: str | None = None
        if info.flag_bits & 0x1:
            problem = _("is encrypted")
        elif info.compress_type not in ZIP_METHODS:
            problem = _("uses an unsupported compression method (%(m)d)") % {
                "m": info.compress_type
            }
        elif info.file_size > limit:
            problem = _("is larger than %(n)d bytes unpacked") % {"n": limit}
        else:
            try:
                with self.zip.open(info) as member:
                    data = member.read(limit + 1)
                if len(data) <= limit:
                    return data
                problem = _("is larger than %(n)d bytes unpacked") % {"n": limit}
            # A bad CRC, a truncated or corrupt deflate stream, a bad local header.
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                problem = _("is damaged (%(e)s)") % {"e": exc}
        self.problems.add(name, problem)
        return None


def _qti_item(root: ET.Element) -> dict[str, Any]:
    """The JSON-like form of a qti-assessment-item (code from its identifier; the
    manifest's metadata fills in the rest)."""
    raw: dict[str, Any] = {"code": root.get("title") or root.get("identifier")}
    correct = root.find(
        f"{_q('qti-response-declaration')}/{_q('qti-correct-response')}"
    )
    key_id = correct.findtext(_q("qti-value")) if correct is not None else None
    body = root.find(_q("qti-item-body"))
    choices: list[ET.Element] = []
    if body is not None:
        stem = body.find(f"{_q('p')}[@class='stem']")
        if stem is None:
            stem = body.find(_q("p"))
        raw["stem"] = (stem.text or "") if stem is not None else ""
        interaction = body.find(_q("qti-choice-interaction"))
        if interaction is not None:
            choices = interaction.findall(_q("qti-simple-choice"))
    if len(choices) == len(OPTION_LETTERS):
        raw["options"] = {
            letter: "".join(choice.itertext())
            for letter, choice in zip(OPTION_LETTERS, choices, strict=True)
        }
        ids = [c.get("identifier") for c in choices]
        raw["key"] = OPTION_LETTERS[ids.index(key_id)] if key_id in ids else key_id
    feedback = root.find(f"{_q('qti-modal-feedback')}/{_q('qti-content-body')}")
    if feedback is None:
        feedback = root.find(_q("qti-modal-feedback"))
    raw["rationale"] = (
        "".join(feedback.itertext()).strip() if feedback is not None else ""
    )
    if feedback is not None:
        paragraph = feedback.find(_q("p"))
        if paragraph is not None:
            raw["rationale"] = paragraph.text or ""
    return raw


def read_qti(data: bytes, *, source: str = "items.zip") -> list[ItemBundle]:
    """A QTI 3.0 package as ``write_qti`` makes it; items of other tools need the
    manifest's ``cw:item`` metadata for their test and content area."""
    problems = _Problems(source)
    package = _Package(data, source, problems)
    with package.zip:
        infos = package.infos
        if "imsmanifest.xml" not in infos:
            raise ItemFileError([f"{source}: " + _("imsmanifest.xml is missing")])
        text = package.read("imsmanifest.xml", MAX_XML_BYTES)
        manifest = _xml(text, "imsmanifest.xml", problems) if text is not None else None
        problems.raise_any()
        assert manifest is not None
        by_test: dict[str, list[dict[str, Any]]] = {}
        images: dict[str, dict[str, bytes | None]] = {}
        programs: dict[str, str] = {}
        for resource in manifest.iter(_cp("resource")):
            if resource.get("type") != QTI_ITEM_TYPE:
                continue
            href = resource.get("href") or ""
            if href not in infos:
                problems.add(href or "?", _("file named in the manifest is missing"))
                continue
            text = package.read(href, MAX_XML_BYTES)
            root = _xml(text, href, problems) if text is not None else None
            if root is None:
                continue
            raw = _qti_item(root)
            described = resource.find(f"{_cp('metadata')}/{_cw('item')}")
            test = ""
            if described is not None:
                test = described.get("test", "")
                programs[test] = described.get("program", "")
                raw["code"] = described.get("code", raw["code"])
                raw["area"] = described.get("area")
                raw["status"] = described.get("status", ItemStatus.DRAFT)
                raw["pool"] = described.get("pool", ItemPool.EXAM)
                raw["task"] = described.findtext(_cw("task")) or ""
                raw["enemies"] = [e.text or "" for e in described.findall(_cw("enemy"))]
            for img in root.iter(_q("img")):
                target = posixpath.normpath(
                    posixpath.join(posixpath.dirname(href), img.get("src", ""))
                )
                name = posixpath.basename(target)
                raw["image"] = name
                known = images.setdefault(test, {})
                if target in infos and name not in known:
                    known[name] = package.read(target, MAX_IMAGE_BYTES)
            by_test.setdefault(test, []).append(raw)
    bundles = []
    for test, raws in by_test.items():
        bundle = bundle_check(
            test=test,
            raws=raws,
            problems=problems,
            images=images.get(test, {}),
            program=programs.get(test, ""),
        )
        if bundle is not None:
            bundles.append(bundle)
    problems.raise_any()
    return bundles


# --- files ----------------------------------------------------------------------------


def read_path(path: Path) -> list[ItemBundle]:
    """Bundles from a .json, .csv or .zip (QTI) file, or every such file in a
    directory (sorted by name). All of it is checked before anything is returned."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in (".json", ".csv", ".zip")
        )
        if not files:
            raise ItemFileError([f"{path}: " + _("no .json, .csv or .zip files")])
    elif path.is_file():
        files = [path]
    else:
        raise ItemFileError([f"{path}: " + _("no such file or directory")])
    bundles: list[ItemBundle] = []
    problems: list[str] = []
    for file in files:
        try:
            # A directory's files are listed, not named: one that is a link or not
            # a regular file is refused rather than followed.
            why = _not_regular(file) if file != path else None
            if why is not None:
                problems.append(f"{file.name}: {why}")
                continue
            suffix = file.suffix.lower()
            if suffix == ".json":
                bundles.append(
                    read_json(
                        file.read_bytes(), source=file.name, directory=file.parent
                    )
                )
            elif suffix == ".csv":
                bundles += read_csv(
                    file.read_text(encoding="utf-8"),
                    source=file.name,
                    directory=file.parent,
                )
            elif suffix == ".zip":
                bundles += read_qti(file.read_bytes(), source=file.name)
            else:
                problems.append(
                    f"{file.name}: " + _("unknown format (use .json, .csv or .zip)")
                )
        except ItemFileError as exc:
            problems += exc.problems
        except UnicodeDecodeError:
            problems.append(f"{file.name}: " + _("not UTF-8 text"))
        except OSError as exc:
            problems.append(f"{file.name}: {exc.strerror or exc}")
    if problems:
        raise ItemFileError(problems)
    return bundles


# --- storing --------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    status_changed: list[str] = field(default_factory=list)
    pool_changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    enemies_added: int = 0
    # code -> numbers of the older live versions a new live version retired
    superseded: dict[str, list[int]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return (
            len(self.created)
            + len(self.new_versions)
            + len(self.status_changed)
            + len(self.pool_changed)
        )


def _image_bytes(version: ItemVersion) -> bytes | None:
    if not version.image:
        return None
    with version.image.open("rb") as handle:
        return handle.read()


def _same_content(
    version: ItemVersion, item: ExchangeItem, image: bytes | None
) -> bool:
    return (
        version.stem == item.stem
        and list(version.options) == list(item.options)
        and version.key == item.key_index
        and version.rationale == item.rationale
        and version.area == item.area
        and version.task == item.task
        and _image_bytes(version) == image
    )


def _new_version(
    item: Item,
    number: int,
    source: ExchangeItem,
    images: Mapping[str, bytes],
    *,
    label: str,
    reviewed_at: Any,
) -> ItemVersion:
    reviewed = source.status != ItemStatus.DRAFT
    version = ItemVersion(
        item=item,
        number=number,
        status=source.status,
        stem=source.stem,
        options=list(source.options),
        key=source.key_index,
        rationale=source.rationale,
        area=source.area,
        task=source.task,
        written_by_label=label,
        reviewed_by_label=IMPORTED_REVIEWER if reviewed else "",
        reviewed_at=reviewed_at if reviewed else None,
        stats=dict(source.stats),
    )
    if source.image:
        version.image.save(source.image, ContentFile(images[source.image]), save=False)
    return version


def _enemies_check(bundles: Sequence[ItemBundle], source: str) -> None:
    """Every enemy code names an item of the same test, in the input or the bank;
    checked before anything is written (image files included)."""
    known: dict[str, set[str]] = {}
    for bundle in bundles:
        if bundle.test not in known:
            known[bundle.test] = set(
                Item.objects.filter(test=bundle.test).values_list("code", flat=True)
            )
        known[bundle.test].update(i.code for i in bundle.items)
    problems = [
        f"{bundle.source or source}: "
        + _("item %(c)s: field enemies: no item %(e)s in %(t)s")
        % {"c": item.code, "e": enemy, "t": bundle.test}
        for bundle in bundles
        for item in bundle.items
        for enemy in item.enemies
        if enemy not in known[bundle.test]
    ]
    if problems:
        raise ItemFileError(problems)


def _pools_check(bundles: Sequence[ItemBundle], source: str) -> None:
    """An item candidates have seen (a version of it is frozen: a published form
    used it) keeps its pool: a practice item has shown its key, and an exam item
    leaves the exam by retirement, not by a change of pool. Checked before anything
    is written."""
    problems: list[str] = []
    for bundle in bundles:
        wanted = {i.code: i.pool for i in bundle.items}
        seen = (
            Item.objects.filter(test=bundle.test, code__in=list(wanted))
            .filter(versions__frozen_at__isnull=False)
            .values_list("code", "pool")
            .distinct()
        )
        problems += [
            f"{bundle.source or source}: "
            + _(
                "item %(c)s: field pool: candidates have seen this %(p)s item, so it "
                "cannot become a %(q)s item (retire an exam item instead; it is then "
                "offered for practice)"
            )
            % {"c": code, "p": pool, "q": wanted[code]}
            for code, pool in seen
            if wanted[code] != pool
        ]
    if problems:
        raise ItemFileError(sorted(problems))


def _bundle_store(
    bundle: ItemBundle, *, report: ImportReport, actor: Actor, stamp: dict[str, Any]
) -> None:
    """Store one checked bundle's items, versions and enemies (see the module
    docstring), adding to ``report``."""
    existing = {i.code: i for i in Item.objects.filter(test=bundle.test)}
    latest = {v.item_id: v for v in item_latest_versions(test=bundle.test).values()}
    fresh = [i for i in bundle.items if i.code not in existing]
    created = Item.objects.bulk_create(
        Item(test=bundle.test, code=i.code, pool=i.pool, created_by=actor_user(actor))
        for i in fresh
    )
    if any(c.pk is None for c in created):  # a database without RETURNING ids
        created = list(
            Item.objects.filter(test=bundle.test, code__in=[i.code for i in fresh])
        )
    by_code = {**existing, **{c.code: c for c in created}}
    moved: set[str] = set()
    for source_item in bundle.items:
        known = existing.get(source_item.code)
        if known is not None and known.pool != source_item.pool:
            known.pool = source_item.pool
            known.save(update_fields=["pool"])
            moved.add(source_item.code)
            report.pool_changed.append(source_item.code)
    versions: list[ItemVersion] = []
    made_live: list[tuple[Item, int]] = []
    for source_item in bundle.items:
        item = by_code[source_item.code]
        current = latest.get(item.pk)
        image = bundle.images.get(source_item.image) if source_item.image else None
        if current is None:
            number = 1
            versions.append(
                _new_version(item, number, source_item, bundle.images, **stamp)
            )
            report.created.append(source_item.code)
        elif _same_content(current, source_item, image):
            if current.status == source_item.status:
                if source_item.code not in moved:
                    report.unchanged += 1
                continue
            number = current.number
            current.status = source_item.status
            if source_item.status != ItemStatus.DRAFT and not current.reviewed_at:
                current.reviewed_by_label = IMPORTED_REVIEWER
                current.reviewed_at = stamp["reviewed_at"]
            current.save(update_fields=["status", "reviewed_by_label", "reviewed_at"])
            report.status_changed.append(source_item.code)
        elif current.status == ItemStatus.DRAFT and not current.is_frozen:
            # An unfrozen draft is updated in place, as an edit would.
            number = current.number
            update = _new_version(item, number, source_item, bundle.images, **stamp)
            update.pk, update.created_at = current.pk, current.created_at
            update.save()
            report.new_versions.append(source_item.code)
        else:
            number = current.number + 1
            versions.append(
                _new_version(item, number, source_item, bundle.images, **stamp)
            )
            report.new_versions.append(source_item.code)
        if source_item.status in (ItemStatus.PRETEST, ItemStatus.OPERATIONAL):
            made_live.append((item, number))
    ItemVersion.objects.bulk_create(versions)
    for item, number in made_live:
        older = older_live_retire(item_id=item.pk, number=number)
        if older:
            report.superseded[item.code] = older
    have = item_enemies(test=bundle.test)
    pairs: set[tuple[int, int]] = set()
    for source_item in bundle.items:
        mine = by_code[source_item.code].pk
        for enemy in source_item.enemies:
            other = by_code[enemy].pk if enemy in by_code else None
            if other is not None and other not in have.get(mine, set()):
                pairs.add((min(mine, other), max(mine, other)))
    ItemEnemy.objects.bulk_create(ItemEnemy(a_id=a, b_id=b) for a, b in sorted(pairs))
    report.enemies_added += len(pairs)


def _source_check(source: str) -> None:
    """The file name fits where the import records it (the versions' writer)."""
    label = IMPORT_LABEL.format(source=source)
    longest = field_max_length(ItemVersion, "written_by_label")
    problem = text_problem(source)
    if problem is None and len(label) > longest:
        problem = _("is longer than %(n)d characters") % {
            "n": longest - len(IMPORT_LABEL.format(source=""))
        }
    if problem is not None:
        raise ItemFileError([_("the file name %(p)s") % {"p": problem}])


def items_check(bundles: Sequence[ItemBundle], *, source: str = "") -> None:
    """The checks of read bundles that need the bank (enemies, pools) or the
    source's name; raises ItemFileError. ``items_import`` runs them first, and a
    dry run runs them alone, so what a dry run passes, an import stores."""
    _source_check(source)
    _enemies_check(bundles, source)
    _pools_check(bundles, source)


@transaction.atomic
def items_import(
    bundles: Sequence[ItemBundle], *, actor: Actor = None, source: str = ""
) -> ImportReport:
    """Store checked bundles, all or nothing, as one ``items.imported`` event; see
    the module docstring for what an import does to existing items. Enemy codes must
    name an item of the same test in the input or the bank."""
    items_check(bundles, source=source)
    report = ImportReport()
    stamp: dict[str, Any] = {
        "label": IMPORT_LABEL.format(source=source)
        if source
        else actor_split(actor)[1],
        "reviewed_at": now(),
    }
    for bundle in bundles:
        _bundle_store(bundle, report=report, actor=actor, stamp=stamp)
    if report.changed or report.enemies_added:
        event_record(
            kind=EventKind.ITEMS_IMPORTED,
            subject=f"items:{','.join(sorted({b.test for b in bundles}))}",
            actor=actor,
            data={
                "source": source,
                "created": report.created,
                "new_versions": report.new_versions,
                "status_changed": report.status_changed,
                "pool_changed": report.pool_changed,
                "unchanged": report.unchanged,
                "enemies_added": report.enemies_added,
                "superseded": report.superseded,
            },
        )
    return report


def items_export(
    *, test: str, actor: Actor = None, destination: str = ""
) -> ItemBundle:
    """The latest version of every item of ``test`` as a bundle, with enemies and
    image files. Recorded as an ``items.exported`` event: the export holds keys."""
    latest = item_latest_versions(test=test)
    enemies = item_enemies(test=test)
    code_of = {v.item_id: v.item.code for v in latest.values()}
    items: list[ExchangeItem] = []
    images: dict[str, bytes] = {}
    for version in sorted(latest.values(), key=lambda v: v.item.code):
        image_name = None
        data = _image_bytes(version)
        if data is not None:
            suffix = PurePosixPath(version.image.name).suffix.lower()
            image_name = f"{version.item.code}{suffix}"
            images[image_name] = data
        items.append(
            ExchangeItem(
                code=version.item.code,
                area=version.area,
                task=version.task,
                stem=version.stem,
                options=(
                    version.options[0],
                    version.options[1],
                    version.options[2],
                    version.options[3],
                ),
                key=version.key_letter,
                rationale=version.rationale,
                enemies=tuple(
                    sorted(code_of[e] for e in enemies.get(version.item_id, ()))
                ),
                image=image_name,
                status=version.status,
                stats=dict(version.stats or {}),
                pool=version.item.pool,
            )
        )
    event_record(
        kind=EventKind.ITEMS_EXPORTED,
        subject=f"items:{test}",
        actor=actor,
        data={"test": test, "items": len(items), "destination": destination},
    )
    return ItemBundle(
        test=test, items=items, images=images, program=current_program().id
    )
