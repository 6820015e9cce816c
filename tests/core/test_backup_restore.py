"""``certwright backup`` and ``certwright restore`` (docs/backup.md), on the database
the suite runs on: SQLite, or PostgreSQL with ``pg_dump``/``pg_restore``.

The source is the test database, populated through the services (the demo
technicians with results, certifications and titles, an item bank with two versions
of an item and its image, an experience record with its PDF, their audit events).
The restore goes into a new database made here (a file; on PostgreSQL a database
created and dropped here) by the ``certwright restore`` command in its own process,
as an operator runs it; ``certwright recompute --all`` runs there too. Then the two
databases are read through Django, a second connection, and compared row by row.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, models
from PIL import Image
from psycopg import sql

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import ExperienceDocument
from certwright.candidates.services import experience_submit, technician_create
from certwright.conf.env import database_config
from certwright.core.backup import (
    MANIFEST,
    MEDIA,
    BackupRefused,
    backup_restore,
)
from certwright.core.clock import today
from certwright.credentials.demo import demo_load
from certwright.credentials.models import Certification, TitleHolding
from certwright.itembank.models import Form, FormItem, Item, ItemEnemy, ItemVersion
from certwright.itembank.services import item_version_edit
from tests.support.candidates import pdf
from tests.support.dates import ago
from tests.support.itembank import synthetic_bank

pytestmark = pytest.mark.django_db(transaction=True)

ALIAS = "restored"
CERTWRIGHT = Path(sys.executable).with_name("certwright")
DERIVED = (Certification, TitleHolding)
ITEM_BANK = (Item, ItemVersion, ItemEnemy, Form, FormItem)


# --- a second, empty database ------------------------------------------------------


def _postgres_url(name: str) -> str:
    s = connections["default"].settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{name}"


def _postgres_admin(statement: str, name: str) -> None:
    """``statement`` with the database ``name``, run in the server's ``postgres``
    database."""
    s = connections["default"].settings_dict
    with psycopg.connect(
        dbname="postgres",
        user=s["USER"] or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    ) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


@pytest.fixture
def fresh(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """The DATABASE_URL of a new, empty database of the suite's vendor, also open in
    this process as connection ``ALIAS``; dropped afterwards."""
    created = None
    if connections["default"].vendor == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        created = (
            f"{connections['default'].settings_dict['NAME']}_r{uuid.uuid4().hex[:8]}"
        )
        _postgres_admin("CREATE DATABASE {}", created)
        url = _postgres_url(created)
    config = database_config(url)
    # configure_settings fills in Django's defaults; it insists on a "default" entry.
    configured = connections.configure_settings(
        {"default": dict(config), ALIAS: config}
    )
    connections.settings[ALIAS] = configured[ALIAS]
    with django_db_blocker.unblock():
        try:
            yield url
        finally:
            connections[ALIAS].close()
            del connections[ALIAS]
            del connections.settings[ALIAS]
            if created:
                _postgres_admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", created)


def certwright(*args: str, url: str, media: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``certwright`` command against the database at ``url``."""
    return subprocess.run(
        [str(CERTWRIGHT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url, "CERTWRIGHT_MEDIA_ROOT": str(media)},
        timeout=300,
        check=False,
    )


# --- the rows of a database, comparable --------------------------------------------


def _plain(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    return value


def rows(model: type[models.Model], using: str) -> set[tuple[object, ...]]:
    """Every row of ``model``'s table in database ``using``, every column."""
    fields = [f.attname for f in model._meta.concrete_fields]
    return {
        tuple(_plain(v) for v in row)
        for row in model._base_manager.using(using).values_list(*fields)
    }


def every_model() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy
    ]


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- the source --------------------------------------------------------------------


def png() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="gauge.png")


@pytest.fixture
def populated(
    settings: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> Path:
    """The test database with the demo technicians derived, an item bank whose first
    item has a second version with an image, a technician's experience PDF; all
    derived as of today (each write's recompute runs inline). Returns MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
        synthetic_bank(count=12)
        first = ItemVersion.objects.order_by("item__code", "number").first()
        assert first is not None
        item_version_edit(version_id=first.pk, image=png(), actor="test")
        person = technician_create(name="Ana Souza", email="ana@example.com")
        experience_submit(
            technician_id=person.pk,
            kind="employment",
            start=ago(years=2),
            end=None,
            full_time=True,
            employer="Souza Auto",
            documents=[pdf("letter.pdf")],
        )
    return Path(settings.MEDIA_ROOT)


def test_a_restored_backup_is_the_source_and_recomputes_to_it(
    populated: Path, tmp_path: Path, fresh: str
) -> None:
    """Backed up, restored into a new database by ``certwright restore`` and
    recomputed there by ``certwright recompute --all``: every table holds the same
    rows as the source, the uploaded files are the same bytes, and after the
    recompute the derived certifications and titles, the item bank and the audit
    trail are still the source's (the recompute only adds its own run event, with
    nothing changed)."""
    # given a populated database, backed up
    day = today().isoformat()
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out), stdout=io.StringIO())
    assert ItemVersion.objects.exclude(image="").exists()
    assert ExperienceDocument.objects.exists()
    assert Certification.objects.filter(status="certified").exists()
    assert TitleHolding.objects.filter(held=True).exists()
    source = {m: rows(m, "default") for m in every_model()}
    media = tmp_path / "restored-media"
    # when it is restored into the new database
    restored = certwright("restore", str(out), url=fresh, media=media)
    # then it says so, and every table and file is the source's
    assert restored.returncode == 0, restored.stderr
    assert "restored the backup" in restored.stdout
    for model, expected in source.items():
        assert rows(model, ALIAS) == expected, model._meta.label
    assert files(media) == files(populated)
    assert len(files(media)) == 2  # the item image and the PDF
    # when everyone is recomputed there
    recomputed = certwright(
        "recompute",
        "--all",
        f"--as-of={day}",
        "--workers=1",
        "--no-progress",
        url=fresh,
        media=media,
    )
    # then nothing changed
    assert recomputed.returncode == 0, recomputed.stderr
    assert ", 0 changed" in recomputed.stdout
    for model in (*DERIVED, *ITEM_BANK):
        assert rows(model, ALIAS) == source[model], model._meta.label
    last = max(int(row[0]) for row in source[Event])  # type: ignore[call-overload]
    kept = {row for row in rows(Event, ALIAS) if int(row[0]) <= last}  # type: ignore[call-overload]
    assert kept == source[Event]
    (added,) = Event.objects.using(ALIAS).filter(pk__gt=last)
    assert added.kind == EventKind.RECOMPUTE_RUN
    assert added.data["changed"] == 0


# --- bad input ---------------------------------------------------------------------


@pytest.fixture
def backup(settings: Any, tmp_path: Path) -> Path:
    """A backup of the test database with one uploaded file; the media root is
    then moved to an empty directory (the restore's target)."""
    settings.MEDIA_ROOT = tmp_path / "source-media"
    (tmp_path / "source-media" / "itembank").mkdir(parents=True)
    (tmp_path / "source-media" / "itembank" / "a.png").write_bytes(b"png")
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out), stdout=io.StringIO())
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    return out


def manifest_edit(backup: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = backup / MANIFEST
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def refused(backup: Path, tmp_path: Path) -> str:
    """The refusal of restoring ``backup`` into the new database, after which that
    database and the media storage are still empty."""
    with pytest.raises(BackupRefused) as refusal:
        backup_restore(backup, using=ALIAS)
    assert connections[ALIAS].introspection.table_names() == []
    assert not (tmp_path / "restored-media").exists()
    return str(refusal.value)


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damaged", ["database", MEDIA])
def test_a_file_that_does_not_match_the_manifest_is_refused(
    backup: Path, tmp_path: Path, fresh: str, damaged: str
) -> None:
    """One byte changed in the dump or the media tar: refused, naming the file."""
    # given a damaged file
    vendor = connections["default"].vendor
    name = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor]
    name = MEDIA if damaged == MEDIA else name
    _flip_a_byte(backup / name)
    # when restored, then refused
    message = refused(backup, tmp_path)
    assert f"{name}: does not match the manifest" in message


def test_a_missing_or_unreadable_manifest_is_refused(
    backup: Path, tmp_path: Path, fresh: str
) -> None:
    """No manifest (a backup that did not finish), or one that is not JSON."""
    (backup / MANIFEST).write_text("{not json")
    assert "not JSON" in refused(backup, tmp_path)
    (backup / MANIFEST).unlink()
    assert "no manifest.json" in refused(backup, tmp_path)


def test_another_vendors_backup_is_refused(
    backup: Path, tmp_path: Path, fresh: str
) -> None:
    """A backup of a SQLite database is not restored into PostgreSQL, nor the other
    way round: the manifest's vendor is checked against DATABASE_URL's."""
    # given a backup whose manifest says it is of the other vendor's database
    ours = connections["default"].vendor
    theirs, file = (
        ("postgresql", "database.pgdump")
        if ours == "sqlite"
        else ("sqlite", "database.sqlite3")
    )
    (
        backup / {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[ours]
    ).rename(backup / file)

    def other_vendor(data: dict[str, Any]) -> None:
        data["vendor"] = theirs
        data["files"][file] = data["files"].pop(
            next(n for n in data["files"] if n != MEDIA)
        )

    manifest_edit(backup, other_vendor)
    # when restored, then refused
    message = refused(backup, tmp_path)
    assert "restore it into a" in message
    assert "is a backup of a" in message


def test_a_backup_of_a_newer_version_is_refused(
    backup: Path, tmp_path: Path, fresh: str
) -> None:
    """A migration this code does not have: the backup is of a newer Certwright."""
    manifest_edit(
        backup,
        lambda data: data["migrations"].append(["audit", "9999_from_the_future"]),
    )
    message = refused(backup, tmp_path)
    assert "newer Certwright" in message
    assert "audit.9999_from_the_future" in message


def test_a_database_that_is_not_empty_is_refused(
    backup: Path, tmp_path: Path, fresh: str
) -> None:
    """Restoring twice into the same database: the second is refused by the command
    with exit status 2, and the first restore's rows are untouched."""
    # given the backup restored once
    backup_restore(backup, using=ALIAS)
    before = rows(Event, ALIAS)
    shutil.rmtree(tmp_path / "restored-media")
    # when restored again, by the command, then refused
    result = certwright("restore", str(backup), url=fresh, media=tmp_path / "m2")
    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert "point DATABASE_URL at" in result.stderr
    assert rows(Event, ALIAS) == before
    assert not (tmp_path / "m2").exists()


def test_a_media_storage_that_is_not_empty_is_refused(
    backup: Path, tmp_path: Path, fresh: str, settings: Any
) -> None:
    """A file already in the media storage: nothing is restored, the file stays."""
    (tmp_path / "restored-media").mkdir()
    (tmp_path / "restored-media" / "keep.txt").write_text("mine")
    with pytest.raises(BackupRefused, match=r"media storage .* is not empty"):
        backup_restore(backup, using=ALIAS)
    assert connections[ALIAS].introspection.table_names() == []
    assert files(tmp_path / "restored-media") == {"keep.txt": b"mine"}


def test_the_backup_refuses_a_directory_in_use(tmp_path: Path, settings: Any) -> None:
    """``--out`` names a directory holding something: refused with status 2, its
    contents left as they were."""
    settings.MEDIA_ROOT = tmp_path / "media"
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept")
    with pytest.raises(CommandError, match="not an empty directory") as refusal:
        call_command("backup", "--out", str(out))
    assert refusal.value.returncode == 2
    assert files(out) == {"earlier.txt": b"kept"}


def test_the_manifest_says_what_the_backup_holds(backup: Path) -> None:
    """Vendor, the migrations applied, each file's SHA-256 and size, the media count;
    and the media tar holds the uploaded file under its storage name."""
    data = json.loads((backup / MANIFEST).read_text())
    assert data["vendor"] == connections["default"].vendor
    assert ["audit", "0001_initial"] in data["migrations"]
    assert data["media_files"] == 1
    assert dt.datetime.fromisoformat(data["created_at"]).tzinfo is not None
    assert set(data["files"]) == {
        {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[data["vendor"]],
        MEDIA,
    }
    assert all(len(f["sha256"]) == 64 for f in data["files"].values())
    with tarfile.open(backup / MEDIA) as tar:
        assert tar.getnames() == ["itembank/a.png"]
