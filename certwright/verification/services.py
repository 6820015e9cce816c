"""Writing share links (made and revoked by the technician they show), the
technician's place in the public lookup, and counting lookups."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_update
from certwright.core.clock import now
from certwright.core.prepared import statement_prepared
from certwright.verification.models import LookupOptOut, LookupWindow, ShareLink
from certwright.verification.selectors import (
    lookup_rows,
    lookup_statement,
    name_key,
    prepared_lookups,
)

LABEL_MAX = 100


def share_link_create(
    *, technician_id: int, label: str, actor: Actor = None
) -> ShareLink:
    """A new link to the technician's certifications, labelled for the technician
    (say, who it was given to)."""
    label = " ".join(label.split())[:LABEL_MAX]
    if not label:
        raise ValueError("A share link needs a label.")
    with transaction.atomic():
        link = ShareLink.objects.create(
            technician_id=technician_id, label=label, created_at=now()
        )
        event_record(
            kind=EventKind.SHARE_LINK_CREATED,
            subject=f"share_link:{link.pk}",
            technician_id=technician_id,
            actor=actor,
            data={"label": label},
        )
    return link


def share_link_revoke(*, link_id: int, actor: Actor = None) -> ShareLink:
    """Stop the link answering. Revoking again changes nothing."""
    with transaction.atomic():
        link = ShareLink.objects.select_for_update().get(pk=link_id)
        if link.revoked_at is not None:
            return link
        link.revoked_at = now()
        link.save(update_fields=["revoked_at"])
        event_record(
            kind=EventKind.SHARE_LINK_REVOKED,
            subject=f"share_link:{link.pk}",
            technician_id=link.technician_id,
            actor=actor,
            data={"label": link.label},
        )
    return link


def lookup_opt_out_set(
    *, technician_id: int, opted_out: bool, actor: Actor = None
) -> bool:
    """Take the technician out of the public lookup (or back in); True when it
    changed. Whether the program allows opting out is the caller's check
    (``lookup_opt_out_allowed``): staff may still record it."""
    with transaction.atomic():
        technician = Technician.objects.select_for_update().get(pk=technician_id)
        current = LookupOptOut.objects.filter(technician_id=technician_id).exists()
        if current == opted_out:
            return False
        if opted_out:
            LookupOptOut.objects.create(technician_id=technician_id, created_at=now())
        else:
            LookupOptOut.objects.filter(technician_id=technician_id).delete()
        event_record(
            kind=EventKind.LOOKUP_OPT_OUT_SET,
            subject=f"technician:{technician.certification_id}",
            technician_id=technician_id,
            actor=actor,
            data={"opted_out": opted_out},
        )
    return True


def family_name_in(name: str, family_name: str) -> str | None:
    """The words of ``name`` that ``family_name`` names, as recorded, or None when
    it is not one or more whole words of ``name`` in a row. Compared as the lookup
    compares (case, accents, hyphens and apostrophes aside): "de la cruz" in "María
    de la Cruz Ana" is "de la Cruz"; "nguyen" in "Nguyen Van An" is "Nguyen"."""
    wanted = name_key(family_name)
    if not wanted:
        return None
    words = name.split()
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            run = " ".join(words[i:j])
            if name_key(run) == wanted:
                return run
    return None


def lookup_family_name_set(
    *, technician_id: int, family_name: str, actor: Actor = None
) -> Technician:
    """The technician says which part of their recorded name is the last name
    employers type. Only words of the recorded name: the lookup asks for the name an
    employer knows, so it cannot become a second password; a wrong name itself is
    corrected by staff. ValidationError (nothing changed) otherwise."""
    technician = Technician.objects.get(pk=technician_id)
    recorded = family_name_in(technician.name, family_name)
    if recorded is None:
        raise ValidationError(
            {
                "family_name": _(
                    "Your last name must be one or more words of your name as "
                    "recorded (“%(name)s”). If that name is wrong, ask the "
                    "program's staff to correct it."
                )
                % {"name": technician.name}
            }
        )
    return technician_update(
        technician_id=technician_id,
        name=technician.name,
        email=technician.email,
        family_name=recorded,
        actor=actor,
    )


class LookupThrottled(Exception):
    """Too many lookups from one client in the current window; try again after
    ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _window(client: str) -> tuple[str, dt.datetime, int, int]:
    """The counting window of a lookup now: the client (as stored), the window's
    start, the limit and the seconds until the window ends."""
    window = settings.VERIFY_LOOKUP_WINDOW_SECONDS
    epoch = int(now().timestamp())
    start_s = epoch - epoch % window
    start = dt.datetime.fromtimestamp(start_s, tz=dt.UTC)
    left = max(1, start_s + window - epoch)
    return (client or "?")[:64], start, settings.VERIFY_LOOKUP_LIMIT, left


def _count_sql(client: str, start: str, limit: str) -> str:
    """The counting upsert, with these placeholders for its three parameters."""
    table = connection.ops.quote_name(LookupWindow._meta.db_table)
    return (
        f"INSERT INTO {table} (client, window_start, count)"
        f" VALUES ({client}, {start}, 1)"
        " ON CONFLICT (client, window_start) DO UPDATE"
        f" SET count = {table}.count + 1 WHERE {table}.count < {limit}"
        " RETURNING count"
    )


def lookup_count(client: str) -> None:
    """Count one public lookup from ``client``; LookupThrottled (not counted) when
    the client has used up the current window.

    A fixed window (``VERIFY_LOOKUP_WINDOW_SECONDS`` long, aligned on the epoch)
    with a row per client and window in the database, so every process counts the
    same. One statement, safe under concurrent requests: an upsert that adds one
    only while the count is under the limit, and returns the row only when it did.
    (The ORM has no conditional upsert; as get_or_create and an UPDATE in a
    transaction it took four round trips on every public lookup, bench/verify.py.)
    PostgreSQL and SQLite (3.35+) share this syntax.
    """
    client, start, limit, left = _window(client)
    with connection.cursor() as cursor:
        cursor.execute(
            _count_sql("%s", "%s", "%s"),
            [client, connection.ops.adapt_datetimefield_value(start), limit],
        )
        counted = cursor.fetchone()
    if counted is None:
        raise LookupThrottled(left)


@functools.cache
def _counted_lookup_sql() -> str:
    """The count and the lookup's read as one PostgreSQL statement: the upsert in a
    data-modifying CTE (which PostgreSQL runs exactly once, whatever the query
    reads of it), its outcome as a first row of kind -1 before the read's rows."""
    read = lookup_statement("certification_id", ordered=False).replace("%s", "$4")
    return (
        f"WITH counted AS ({_count_sql('$1', '$2', '$3')})"
        " SELECT -1, (SELECT count(*) FROM counted), NULL, NULL, NULL, NULL,"
        # Typed: a UNION of untyped NULLs would settle on text before the dates.
        f" NULL::date, NULL::date UNION ALL {read} ORDER BY 1, 3"
    )


def lookup_count_and_read(client: str, key: str) -> list[tuple[Any, ...]]:
    """Count one public lookup from ``client`` (as ``lookup_count``, raising
    LookupThrottled) and read the technician with certification ID ``key``
    (``selectors.lookup_key``): the rows of ``selectors.lookup_statement``.

    On PostgreSQL one prepared statement does both: one round trip and one commit
    per lookup instead of two of each (bench/verify.py: about a fifth of a lookup's
    CPU, the server's and the database's). A throttled lookup reads too, and the
    rows are dropped: the count decides, not the read. Elsewhere (SQLite, or
    prepared statements turned off) the two statements run one after the other."""
    if not prepared_lookups():
        lookup_count(client)
        return lookup_rows("certification_id", key)
    client, start, limit, left = _window(client)
    with connection.cursor() as cursor:
        name = statement_prepared(
            cursor, "certwright_lookup_counted", _counted_lookup_sql()
        )
        cursor.execute(
            f"EXECUTE {name}(%s, %s, %s, %s)",
            [client, connection.ops.adapt_datetimefield_value(start), limit, key],
        )
        rows = cursor.fetchall()
    if not rows or rows[0][1] == 0:
        raise LookupThrottled(left)
    return rows[1:]


def share_links_revoke_all(*, technician_id: int) -> int:
    """Revoke every active share link of the technician (an erasure: part of
    ``privacy.services.person_erase``, inside its transaction and event)."""
    return ShareLink.objects.filter(
        technician_id=technician_id, revoked_at=None
    ).update(revoked_at=now())
