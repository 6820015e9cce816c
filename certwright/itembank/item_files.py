"""Item files in and out of the bank: read against the running program, stored all
or nothing, exported with their keys.

The formats themselves (JSON "certwright-items/1", CSV, QTI 3.0) are the pure
``certwright.itemformats``; the readers and writers here bind them to the current
program and the model's field lengths. Every reader checks the whole input and
collects every problem; nothing is stored until all of it is good. ``items_import``
then stores bundles in one transaction: a bad file, or a bad item anywhere in a
directory, stores nothing.

Import makes the bank match the file, never deleting:
- a new code becomes an item whose version 1 has the file's status;
- a code whose content (stem, options, key, rationale, area, task, image) differs
  from its latest version gets a new version with the file's status (an unfrozen
  draft is updated in place instead);
- a code whose content is the same but whose status differs takes the file's status
  on its latest version;
- enemies named in the file are added (symmetric); none is removed;
- a code whose pool (exam, practice or renewal) differs takes the file's pool,
  unless candidates have seen the item (a version of it is frozen: a published form
  used it, or it was sent as a renewal question): then the whole import is refused.
A version stored as pretest or operational retires the item's older live versions.
Versions stored reviewed or further count as reviewed by "system": an import is a
staff action of bringing in an already reviewed bank (legacy or sample), recorded as
one ``items.imported`` event naming who ran it and every code it touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from certwright import itemformats
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, actor_split, event_record
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.core.text import field_max_length, text_problem
from certwright.itembank.models import (
    Item,
    ItemEnemy,
    ItemStatus,
    ItemVersion,
)
from certwright.itembank.selectors import item_enemies, item_latest_versions
from certwright.itembank.services import (
    ItemBankError,
    actor_user,
    older_live_retire,
)
from certwright.itemformats import (
    BankRules,
    ExchangeItem,
    ItemBundle,
    ItemFileError,
    ItemWriteError,
)

IMPORTED_REVIEWER = "system"
# What an import records as the writer of its versions ("import:<file name>").
IMPORT_LABEL = "import:{source}"


# --- reading and writing, for the running program -------------------------------------
# The formats' readers and writers (certwright.itemformats) with this bank's rules and
# program id filled in; each raises ItemFileError listing every problem.


def bank_rules() -> BankRules:
    """What this bank accepts: the current program's tests and content areas, and
    the lengths of the version's fields."""
    return BankRules(
        program=current_program(),
        area_max_length=field_max_length(ItemVersion, "area"),
        task_max_length=field_max_length(ItemVersion, "task"),
    )


def read_path(path: Path) -> list[ItemBundle]:
    """Bundles from a .json, .csv or .zip (QTI) file, or every such file in a
    directory; see ``itemformats.read_path``."""
    return itemformats.read_path(path, rules=bank_rules())


def read_json(
    text: str | bytes, *, source: str = "items.json", directory: Path | None = None
) -> ItemBundle:
    return itemformats.read_json(
        text, rules=bank_rules(), source=source, directory=directory
    )


def read_csv(
    text: str, *, source: str = "items.csv", directory: Path | None = None
) -> list[ItemBundle]:
    return itemformats.read_csv(
        text, rules=bank_rules(), source=source, directory=directory
    )


def read_qti(data: bytes, *, source: str = "items.zip") -> list[ItemBundle]:
    return itemformats.read_qti(data, rules=bank_rules(), source=source)


def write_json(bundle: ItemBundle) -> str:
    return itemformats.write_json(bundle, program=current_program().id)


def write_csv(bundles: Sequence[ItemBundle]) -> str:
    """The bundles as CSV; ItemBankError (code ``format``) for an enemy code the
    format cannot hold."""
    try:
        return itemformats.write_csv(bundles)
    except ItemWriteError as exc:
        raise ItemBankError("format", str(exc)) from None


def write_qti(bundles: Sequence[ItemBundle]) -> bytes:
    return itemformats.write_qti(bundles, program=current_program().id)


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
    used it, or it was sent as a renewal question) keeps its pool: a practice or
    renewal item has shown its key, and an exam item leaves the exam by retirement,
    not by a change of pool. Checked before anything is written."""
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
