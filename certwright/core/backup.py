"""Backups of the database and the uploaded files, and their restore (docs/backup.md).

A backup is a directory: the database as its vendor's own tool writes it (SQLite's
online backup API; ``pg_dump -Fc``), the uploaded files as a tar, and
``manifest.json``: when, of which vendor, the migrations applied, and each file's
SHA-256. Nothing here re-implements a dump: the tools do the copying, this module
only makes the copy consistent, describes it and checks it.

A restore checks everything before it writes anything, and writes only into an
empty database and an empty media storage: it never merges into, nor overwrites,
data that is there.

No audit event is recorded: a backup changes nothing, and a restore writes the
source's rows, its audit trail included, exactly as they were (an event added by the
restore would make the restored trail differ from the one backed up). The commands
log what they did.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import psycopg
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError
from psycopg.conninfo import make_conninfo

import certwright
from certwright.core import clock

logger = logging.getLogger(__name__)

FORMAT = "certwright-backup/1"
MANIFEST = "manifest.json"
MEDIA = "media.tar"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# OPTIONS of a PostgreSQL DATABASES entry that are Django's or psycopg's, not libpq
# connection parameters: the command-line tools would refuse them.
NOT_LIBPQ = frozenset(
    {
        "isolation_level",
        "server_side_binding",
        "pool",
        "assume_role",
        "cursor_factory",
        "context",
        "prepare_threshold",
        "autocommit",
    }
)
Migration = tuple[str, str]


class BackupError(Exception):
    """A backup or a restore that failed: a tool, the disk. Exit status 1."""


class BackupRefused(BackupError):
    """Input that cannot be used: a damaged or foreign backup, a database that is not
    empty, an output directory in use. Raised before anything is written; exit
    status 2."""


@dataclass(frozen=True)
class FileDigest:
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says about the files beside it."""

    created_at: dt.datetime
    vendor: str
    version: str  # Certwright's, for the reader; the migrations are the contract
    migrations: tuple[Migration, ...]
    files: Mapping[str, FileDigest]
    media_files: int | None  # files in media.tar; None: media left out

    @property
    def database_file(self) -> str:
        return DATABASE_FILES[self.vendor]

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "vendor": self.vendor,
            "certwright_version": self.version,
            "migrations": [list(m) for m in self.migrations],
            "media_files": self.media_files,
            "files": {
                name: {"sha256": d.sha256, "bytes": d.bytes}
                for name, d in sorted(self.files.items())
            },
        }

    @classmethod
    def from_json(cls, data: Any, where: Path) -> Manifest:
        """The manifest ``data``, or ``BackupRefused`` saying what is wrong."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else None
            raise BackupRefused(
                f"{where}: not a Certwright backup manifest (format {found!r}, "
                f"expected {FORMAT!r})"
            )
        try:
            created_at = dt.datetime.fromisoformat(data["created_at"])
            vendor = data["vendor"]
            migrations = tuple((str(a), str(n)) for a, n in data["migrations"])
            files = {
                str(name): FileDigest(str(f["sha256"]), int(f["bytes"]))
                for name, f in data["files"].items()
            }
            media_files = data["media_files"]
            version = str(data.get("certwright_version", ""))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupRefused(f"{where}: damaged manifest ({exc!r})") from None
        if vendor not in DATABASE_FILES:
            raise BackupRefused(f"{where}: unknown database vendor {vendor!r}")
        expected = {
            DATABASE_FILES[vendor],
            *([MEDIA] if media_files is not None else []),
        }
        if set(files) != expected:
            raise BackupRefused(
                f"{where}: lists {sorted(files)}, expected {sorted(expected)}"
            )
        if media_files is not None and not isinstance(media_files, int):
            raise BackupRefused(f"{where}: media_files is not a number")
        return cls(created_at, vendor, version, migrations, files, media_files)


def backup_write(
    out: Path, *, media: bool = True, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Write a backup of the database ``using`` and of the default storage's files
    into ``out`` (created; refused when it holds anything).

    The database is copied first, then the files: an uploaded file is stored before
    the row naming it commits and is never changed after, so every file the copied
    database names is in the tar. The manifest is written last, by a rename: a
    directory without one is a backup that did not finish."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupRefused(f"cannot back up a {vendor} database")
    if "django_migrations" not in _tables(connection):
        raise BackupRefused(
            "the database has no tables: nothing to back up (run certwright migrate)"
        )
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupRefused(
            f"{out} already exists and is not an empty directory: "
            "write each backup into a new one"
        )
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    written = [
        out / DATABASE_FILES[vendor],
        out / f"{DATABASE_FILES[vendor]}-journal",
        out / MEDIA,
        out / f"{MANIFEST}.partial",
        out / MANIFEST,
    ]
    try:
        database = out / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            migrations = _sqlite_backup(connection, database)
        else:
            migrations = _postgresql_dump(connection, database)
        files = {database.name: _digest(database)}
        media_files = None
        if media:
            media_files = _media_tar(default_storage, out / MEDIA)
            files[MEDIA] = _digest(out / MEDIA)
        manifest = Manifest(
            created_at=clock.now(),
            vendor=vendor,
            version=certwright.__version__,
            migrations=migrations,
            files=files,
            media_files=media_files,
        )
        partial = out / f"{MANIFEST}.partial"
        partial.write_text(
            json.dumps(manifest.as_json(), indent=2) + "\n", encoding="utf-8"
        )
        partial.replace(out / MANIFEST)
    except BaseException:
        # Only what this backup wrote: the directory was empty when it began.
        for path in written:
            path.unlink(missing_ok=True)
        if created:
            out.rmdir()
        raise
    logger.info(
        "backup written to %s (%s, %d migrations, %s media files)",
        out,
        vendor,
        len(migrations),
        media_files,
    )
    return manifest


def backup_check(source: Path) -> Manifest:
    """The manifest of the backup in ``source``, each file it lists checked against
    its size and SHA-256. Reads only."""
    path = source / MANIFEST
    if not path.is_file():
        raise BackupRefused(
            f"{source}: no {MANIFEST}: not a Certwright backup, or one that did not "
            "finish"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupRefused(f"{path}: not JSON ({exc})") from None
    manifest = Manifest.from_json(data, path)
    for name, expected in manifest.files.items():
        file = source / name
        if not file.is_file():
            raise BackupRefused(f"{source}: {name} is missing")
        found = _digest(file)
        if found != expected:
            raise BackupRefused(
                f"{file}: does not match the manifest ({found.bytes} bytes, SHA-256 "
                f"{found.sha256}; expected {expected.bytes} bytes, {expected.sha256}): "
                "the backup is damaged or was changed"
            )
    return manifest


def backup_restore(source: Path, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Restore the backup in ``source`` into the empty database ``using`` and the
    empty default storage.

    Refused, with nothing written, when the backup does not match its manifest, is
    of another vendor's database, was made by a newer Certwright (migrations this
    code does not have), or when the database or the storage holds anything."""
    manifest = backup_check(source)
    connection = connections[using]
    if manifest.vendor != connection.vendor:
        theirs = VENDOR_NAMES[manifest.vendor]
        ours = VENDOR_NAMES.get(connection.vendor, connection.vendor)
        raise BackupRefused(
            f"{source} is a backup of a {theirs} database and DATABASE_URL names a "
            f"{ours} one: restore it into a {theirs} database"
        )
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = sorted(set(manifest.migrations) - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupRefused(
            f"{source} was made by a newer Certwright ({manifest.version}): "
            f"{len(unknown)} migrations this version does not have ({listed}). "
            "Restore it with that version, then upgrade"
        )
    try:
        tables = _tables(connection)
    except OperationalError as exc:
        raise BackupRefused(
            f"cannot open the database to restore into: {exc}".strip()
        ) from None
    if tables:
        raise BackupRefused(
            f"the database {connection.settings_dict['NAME']} is not empty "
            f"({len(tables)} tables, among them {tables[0]}): a restore writes only "
            "into an empty database; create a new one and point DATABASE_URL at it"
        )
    if manifest.media_files is not None:
        if next(_storage_files(default_storage), None) is not None:
            raise BackupRefused(
                f"the media storage ({_storage_where(default_storage)}) is not "
                "empty: a restore writes only into an empty one"
            )
        _media_check(source / MEDIA)
    database = source / manifest.database_file
    if manifest.vendor == "sqlite":
        _sqlite_restore(connection, database)
    else:
        _postgresql_restore(connection, database)
    restored = tuple(sorted(MigrationRecorder(connection).applied_migrations()))
    if restored != tuple(sorted(manifest.migrations)):
        raise BackupError(
            "the restored database's migrations differ from the manifest's: "
            "the restore is incomplete; drop the database and try again"
        )
    if manifest.media_files is not None:
        _media_restore(default_storage, source / MEDIA)
    logger.info(
        "backup %s of %s restored into %s",
        source,
        manifest.created_at.isoformat(),
        connection.settings_dict["NAME"],
    )
    return manifest


def migrations_pending(manifest: Manifest) -> int:
    """How many of this code's migrations the backup's database has not had."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return len(known - set(manifest.migrations))


# --- the database ------------------------------------------------------------------


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    return sorted(connection.introspection.table_names(include_views=True))


def _sqlite_backup(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[Migration, ...]:
    """SQLite's online backup API, from a connection of its own. Copying the file
    would be wrong: in WAL mode the recent commits are in the -wal file, and a copy
    taken during a write is torn."""
    source = connection.get_new_connection(connection.get_connection_params())
    try:
        copy = sqlite3.connect(target)
        try:
            # All pages in one step (pages=-1), under one read transaction: a
            # consistent snapshot, while writers carry on in WAL mode.
            source.backup(copy)
            # One self-contained file, whatever the source's journal mode.
            copy.execute("PRAGMA journal_mode=DELETE")
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the copied database fails its check: {check}")
            rows = copy.execute("SELECT app, name FROM django_migrations").fetchall()
        finally:
            copy.close()
    finally:
        source.close()
    return tuple(sorted((str(a), str(n)) for a, n in rows))


def _sqlite_restore(connection: BaseDatabaseWrapper, backup: Path) -> None:
    """The backup API again, from the backup file into the (empty) database."""
    source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        target = connection.get_new_connection(connection.get_connection_params())
        try:
            source.backup(target)
            (check,) = target.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError(f"the restored database fails its check: {check}")
        finally:
            target.close()
    finally:
        source.close()
    connection.close()  # its next query sees the restored schema


def _postgresql_dump(
    connection: BaseDatabaseWrapper, target: Path
) -> tuple[Migration, ...]:
    """``pg_dump -Fc`` of the snapshot in which the migrations are read, so the
    manifest says exactly what the dump holds."""
    conninfo, password = _libpq_params(connection)
    with psycopg.connect(conninfo, password=password, autocommit=True) as snapshot:
        snapshot.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = snapshot.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        rows = snapshot.execute("SELECT app, name FROM django_migrations").fetchall()
        # The exporting transaction stays open until pg_dump has finished with it.
        _tool(
            "pg_dump",
            "--format=custom",
            f"--snapshot={row[0]}",
            f"--file={target}",
            f"--dbname={conninfo}",
            password=password,
        )
        snapshot.execute("ROLLBACK")
    return tuple(sorted((str(a), str(n)) for a, n in rows))


def _postgresql_restore(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """``pg_restore`` in one transaction: a failure leaves the database empty.
    Objects are owned by the restoring role (``--no-owner``), which is the role the
    platform connects as."""
    conninfo, password = _libpq_params(connection)
    _tool(
        "pg_restore",
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        f"--dbname={conninfo}",
        str(dump),
        password=password,
    )


def _libpq_params(connection: BaseDatabaseWrapper) -> tuple[str, str | None]:
    """The connection string of DATABASE_URL's database, as libpq's tools take it,
    and the password apart (passed in the environment, not on a command line that
    ``ps`` shows)."""
    settings = connection.settings_dict
    params = {
        "dbname": settings.get("NAME"),
        "user": settings.get("USER"),
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
        **{
            key: value
            for key, value in settings.get("OPTIONS", {}).items()
            if key not in NOT_LIBPQ
        },
    }
    try:
        conninfo = make_conninfo(
            **{k: str(v) for k, v in params.items() if v not in (None, "")}
        )
    except psycopg.ProgrammingError as exc:
        raise BackupRefused(f"DATABASE_URL: {exc}") from None
    return conninfo, settings.get("PASSWORD") or None


def _tool(name: str, *args: str, password: str | None) -> None:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client programs, of the server's "
            "major version or newer (Debian: apt install postgresql-client)"
        )
    environ = dict(os.environ)
    if password:
        environ["PGPASSWORD"] = password
    done = subprocess.run(
        [path, *args], env=environ, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(
            f"{name} failed (status {done.returncode}): {done.stderr.strip()}"
        )


# --- uploaded files ----------------------------------------------------------------


def _storage_files(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file's name in ``storage``, through the storage API (a directory on
    disk or a bucket alike)."""
    try:
        dirs, files = storage.listdir(top)
    except FileNotFoundError:  # MEDIA_ROOT not made yet: nothing uploaded
        return
    for name in sorted(files):
        yield posixpath.join(top, name)
    for name in sorted(dirs):
        yield from _storage_files(storage, posixpath.join(top, name))


def _storage_where(storage: Storage) -> str:
    return str(getattr(storage, "location", "") or type(storage).__name__)


def _media_tar(storage: Storage, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in _storage_files(storage):
            info = tarfile.TarInfo(name)
            info.size = storage.size(name)
            info.mode = 0o644
            try:
                info.mtime = int(storage.get_modified_time(name).timestamp())
            except NotImplementedError:
                info.mtime = int(clock.now().timestamp())
            with storage.open(name, "rb") as handle:
                tar.addfile(info, handle)
            count += 1
    return count


def _media_check(tar_path: Path) -> None:
    """Every entry a plain file or directory under a relative name."""
    try:
        with tarfile.open(tar_path) as tar:
            members = tar.getmembers()
    except tarfile.TarError as exc:
        raise BackupRefused(f"{tar_path}: not a readable tar ({exc})") from None
    for member in members:
        path = PurePosixPath(member.name)
        if not (member.isfile() or member.isdir()):
            raise BackupRefused(f"{tar_path}: {member.name} is not a plain file")
        if path.is_absolute() or ".." in path.parts:
            raise BackupRefused(f"{tar_path}: {member.name} is outside the media")


def _media_restore(storage: Storage, tar_path: Path) -> None:
    with tarfile.open(tar_path) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                continue
            saved = storage.save(member.name, File(handle, name=member.name))
            if saved != member.name:
                raise BackupError(f"the storage kept {member.name} as {saved}")


def _digest(path: Path) -> FileDigest:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
    return FileDigest(sha.hexdigest(), path.stat().st_size)
