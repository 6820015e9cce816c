"""Sending e-mail: render now, store, send after commit through the task queue.

``email_send`` renders ``notifications/email/<template>.subject.txt``, ``.txt`` and
``.html`` with the caller's context, stores the message as an ``OutboundEmail`` row
(with its attachments) and enqueues ``email_send_task`` once the caller's transaction
commits, so a rolled-back change never mails anyone and a slow SMTP server never holds
a request or a lock.

Delivery (``outbound_email_deliver``) makes one attempt per task run. A transient
failure (the server unreachable, a 4xx answer) is retried with exponential backoff:
django-tasks has no retry of its own, so the task re-enqueues itself with
``run_after`` (the database backend), or at once where the backend cannot defer (the
immediate backend of tests and ``make run``). A permanent failure (a 5xx answer) or
the last attempt marks the row ``failed`` with the error, where staff see it in the
admin; ``certwright email retry`` (or the admin action) sends failed mail again and
re-enqueues anything a crashed worker left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import smtplib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils.html import escape

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.core.clock import now
from certwright.core.metrics import EMAILS
from certwright.core.tasks import enqueue_with_request_id
from certwright.notifications.models import (
    EmailStatus,
    OutboundAttachment,
    OutboundEmail,
)
from certwright.notifications.selectors import emails_to

logger = logging.getLogger(__name__)

Attachment = tuple[str, bytes, str]
"""(filename, content, mimetype); the mimetype may carry parameters."""

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_SECONDS = 60
# A message claimed longer ago than this was dropped by a crashed worker.
STALE_CLAIM = dt.timedelta(minutes=15)
# Messages delivered by one task of ``email_store_many``.
SEND_MANY_BATCH = 200


def _max_attempts() -> int:
    return int(getattr(settings, "CERTWRIGHT_EMAIL_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed attempt: the base delay,
    doubled each time (60 s, 2 min, 4 min, 8 min with the defaults)."""
    base = int(
        getattr(settings, "CERTWRIGHT_EMAIL_RETRY_SECONDS", DEFAULT_RETRY_SECONDS)
    )
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


# --- rendering -----------------------------------------------------------------------


def email_render(*, template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of ``template`` with ``context`` (and the site's URL)."""
    full = {
        "site_url": settings.CERTWRIGHT_SITE_URL,
        "site_name": "Certwright",
        **context,
    }
    base = f"notifications/email/{template}"
    # A header cannot hold a line break; templates end with one.
    subject = " ".join(render_to_string(f"{base}.subject.txt", full).split())
    text = render_to_string(f"{base}.txt", full).strip() + "\n"
    html = render_to_string(f"{base}.html", full)
    return subject, text, html


def email_marks_fill(
    rendered: tuple[str, str, str], values: dict[str, str]
) -> tuple[str, str, str]:
    """A message rendered once for many people (``email_render`` with a mark in
    place of each personal value), made one person's: each mark of ``values``
    replaced by its value, HTML-escaped in the HTML part. Rendering costs far more
    than replacing, and a sweep's messages share far fewer kinds than people."""
    subject, text, html = rendered
    for mark, value in values.items():
        subject = subject.replace(mark, value)
        text = text.replace(mark, value)
        html = html.replace(mark, escape(value))
    return subject, text, html


# --- sending -------------------------------------------------------------------------


def email_send(
    *,
    to: str | list[str],
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Render ``template`` and send it to ``to`` after the current transaction
    commits (at once outside one). Returns the stored message."""
    subject, text, html = email_render(template=template, context=context)
    return email_store(
        to=to,
        subject=subject,
        text=text,
        html=html,
        template=template,
        attachments=attachments,
        headers=headers,
    )


def email_store(
    *,
    to: str | list[str],
    subject: str,
    text: str,
    html: str = "",
    template: str = "",
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Store an already rendered message and send it after the current transaction
    commits: the way in for mail rendered elsewhere (allauth's account e-mails)."""
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [r.strip() for r in recipients if r and r.strip()]
    if not recipients:
        raise ValueError("an e-mail needs at least one recipient")
    with transaction.atomic():
        email = OutboundEmail.objects.create(
            to=recipients,
            subject=" ".join(subject.split())[:300],
            template=template[:100],
            text_body=text,
            html_body=html,
            headers=dict(headers or {}),
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(
                email=email, filename=name, content=bytes(content), mimetype=mimetype
            )
            for name, content, mimetype in attachments
        )
        # robust: a failure to enqueue (a busy database) must not turn the caller's
        # committed work into an error; the stored message is retried by the sweep.
        transaction.on_commit(partial(_enqueue, email.pk), robust=True)
    return email


@dataclass(frozen=True, slots=True)
class Mail:
    """One rendered message for ``email_store_many``."""

    to: str
    subject: str
    text: str
    html: str = ""
    template: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def email_store_many(messages: Sequence[Mail]) -> list[int]:
    """Store many rendered messages (no attachments) at once and send them after
    the current transaction commits, one delivery task (``email_send_many_task``)
    per ``SEND_MANY_BATCH``; returns their ids in order. The way in for periodic
    work that mails thousands at once (expiry reminders, the renewal dispatch):
    one ``email_store`` each costs an insert and a queued task per message, and a
    task row per message would cost the sweep as much as the messages themselves.

    A message without a recipient is refused before anything is stored. Each
    stored message is delivered, claimed and retried on its own, as one from
    ``email_store``."""
    rows = []
    for m in messages:
        address = m.to.strip() if m.to else ""
        if not address:
            raise ValueError("an e-mail needs at least one recipient")
        rows.append(
            (
                address,
                " ".join(m.subject.split())[:300],
                m.template[:100],
                m.text,
                m.html,
                dict(m.headers),
            )
        )
    if not rows:
        return []
    with transaction.atomic():
        ids = _insert_many(rows)
        batches = [
            ids[start : start + SEND_MANY_BATCH]
            for start in range(0, len(ids), SEND_MANY_BATCH)
        ]
        transaction.on_commit(partial(_enqueue_many, batches), robust=True)
    return ids


_Row = tuple[str, str, str, str, str, dict[str, str]]
"""(address, subject, template, text, html, headers) as stored."""

# What ``_insert_many`` writes with COPY; the others start empty.
_COPIED = (
    "id", "to", "subject", "template", "text_body", "html_body", "headers",
    "status", "attempts", "last_error", "created_at", "next_attempt_at",
)  # fmt: skip


def _insert_many(rows: list[_Row]) -> list[int]:
    """Insert ``rows`` as queued messages and return their ids, in order:
    PostgreSQL's COPY there, with ids drawn from the table's sequence first
    (quoting thousands of message bodies into one INSERT, and making a model
    instance of each, costs more than the database takes to write them), a bulk
    insert elsewhere."""
    if connection.vendor != "postgresql":
        made = OutboundEmail.objects.bulk_create(
            OutboundEmail(
                to=[to], subject=subject, template=template, text_body=text,
                html_body=html, headers=headers,
            )
            for to, subject, template, text, html, headers in rows
        )  # fmt: skip
        return [email.pk for email in made]
    meta = OutboundEmail._meta
    table = meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id'))"
            " FROM generate_series(1, %s)",
            [table, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    fields = [meta.get_field(name) for name in _COPIED]
    columns = ", ".join(
        connection.ops.quote_name(getattr(f, "column", "")) for f in fields
    )
    sql = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
    at = now()
    queued = str(EmailStatus.QUEUED)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        for pk, (to, subject, template, text, html, headers) in zip(
            ids, rows, strict=True
        ):
            copy.write_row(
                (
                    pk, json.dumps([to]), subject, template, text, html,
                    json.dumps(headers), queued, 0, "", at, at,
                )
            )  # fmt: skip
    return ids


def _enqueue_many(batches: list[list[int]]) -> None:
    """One ``email_send_many_task`` per batch, queued in one transaction: with the
    database task backend one commit for all their rows, not one each (the renewal
    dispatch queues thousands). A batch that fails to enqueue is found by the sweep,
    like any lost message."""
    from certwright.notifications.tasks import email_send_many_task

    with transaction.atomic():
        for batch in batches:
            enqueue_with_request_id(email_send_many_task, outbound_ids=batch)


def _enqueue(outbound_id: int, run_after: dt.datetime | None = None) -> None:
    from certwright.notifications.tasks import email_send_task

    task = email_send_task
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    enqueue_with_request_id(task, outbound_id=outbound_id)


def _mime_part(filename: str, content: bytes, mimetype: str) -> MIMEBase:
    """The attachment as a MIME part, keeping the parameters of its type (a calendar
    client reads ``method=REQUEST`` from the part's Content-Type)."""
    header = Message()
    header["Content-Type"] = mimetype
    maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
    params = [
        (k, v) for k, v in (header.get_params() or [])[1:] if k.lower() != "charset"
    ]
    part: MIMEBase
    if maintype == "text":
        text = content.decode("utf-8")
        part = MIMEText(text, subtype, "utf-8")
        if mimetype.startswith("text/calendar") and "method" not in dict(params):
            found = re.search(r"^METHOD:(\S+)", text, re.MULTILINE)
            if found:
                params.append(("method", found.group(1)))
    else:
        from email import encoders

        part = MIMEBase(maintype, subtype)
        part.set_payload(content)
        encoders.encode_base64(part)
    for key, value in params:
        part.set_param(key, value)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def email_message(
    email: OutboundEmail, *, connection: Any = None
) -> EmailMultiAlternatives:
    """The stored e-mail as Django builds it for the SMTP backend."""
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(email.to),
        headers=dict(email.headers),
        connection=connection,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for a in email.attachments.all():
        message.attach(_mime_part(a.filename, bytes(a.content), a.mimetype))
    return message


def _is_transient(error: Exception) -> bool:
    """Worth another try: the server unreachable, a dropped connection, a 4xx."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return any(code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, OSError)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def outbound_email_deliver(*, outbound_id: int) -> str:
    """One attempt at sending a queued e-mail; returns its status afterwards.

    The row is claimed with a conditional UPDATE, so a duplicate task (a retry that
    raced the sweep) finds nothing to do.
    """
    at = now()
    claimed = OutboundEmail.objects.filter(
        pk=outbound_id, status=EmailStatus.QUEUED
    ).update(status=EmailStatus.SENDING, claimed_at=at, attempts=F("attempts") + 1)
    email = OutboundEmail.objects.filter(pk=outbound_id).first()
    if email is None:
        return "missing"
    if not claimed:
        return str(email.status)
    try:
        email_message(email, connection=get_connection()).send()
    except Exception as error:
        transient = _is_transient(error)
        if not transient:
            logger.exception("e-mail %s failed permanently", outbound_id)
        last = email.attempts >= _max_attempts()
        if transient and not last:
            when = now() + retry_delay(email.attempts)
            OutboundEmail.objects.filter(pk=outbound_id).update(
                status=EmailStatus.QUEUED,
                last_error=_describe(error),
                next_attempt_at=when,
                claimed_at=None,
            )
            logger.warning(
                "e-mail %s attempt %s failed (%s); retrying at %s",
                outbound_id,
                email.attempts,
                error,
                when.isoformat(),
            )
            _enqueue(outbound_id, run_after=when)
            EMAILS.labels("retrying").inc()
            return EmailStatus.QUEUED
        OutboundEmail.objects.filter(pk=outbound_id).update(
            status=EmailStatus.FAILED, last_error=_describe(error), claimed_at=None
        )
        logger.error(
            "e-mail %s to %s failed after %s attempt(s): %s",
            outbound_id,
            email.to,
            email.attempts,
            error,
        )
        EMAILS.labels("failed").inc()
        return EmailStatus.FAILED
    OutboundEmail.objects.filter(pk=outbound_id).update(
        status=EmailStatus.SENT, sent_at=now(), claimed_at=None
    )
    EMAILS.labels("sent").inc()
    return EmailStatus.SENT


def outbound_email_retry(*, outbound_id: int, actor: Actor = None) -> bool:
    """Send a failed e-mail again with a fresh set of attempts (the admin action),
    with an audit event naming who asked.

    Returns False when the message was not in the failed state.
    """
    with transaction.atomic():
        updated = OutboundEmail.objects.filter(
            pk=outbound_id, status=EmailStatus.FAILED
        ).update(status=EmailStatus.QUEUED, attempts=0, next_attempt_at=now())
        if updated:
            event_record(
                kind=EventKind.EMAIL_RETRIED,
                subject=f"email:{outbound_id}",
                actor=actor,
                reason="failed e-mail queued again",
            )
            transaction.on_commit(partial(_enqueue, outbound_id), robust=True)
    return bool(updated)


def outbound_emails_sweep(*, retry_failed: bool = False) -> int:
    """Re-enqueue e-mail whose task was lost: queued and overdue, or claimed by a
    worker that never finished. With ``retry_failed``, failed mail too. Returns how
    many were enqueued."""
    at = now()
    lost = Q(status=EmailStatus.QUEUED, next_attempt_at__lte=at - STALE_CLAIM) | Q(
        status=EmailStatus.SENDING, claimed_at__lte=at - STALE_CLAIM
    )
    ids = list(OutboundEmail.objects.filter(lost).values_list("id", flat=True))
    # A dropped claim goes back to the queue; its attempt still counts.
    OutboundEmail.objects.filter(pk__in=ids, status=EmailStatus.SENDING).update(
        status=EmailStatus.QUEUED, claimed_at=None
    )
    if retry_failed:
        failed = list(
            OutboundEmail.objects.filter(status=EmailStatus.FAILED).values_list(
                "id", flat=True
            )
        )
        OutboundEmail.objects.filter(pk__in=failed).update(
            status=EmailStatus.QUEUED, attempts=0, next_attempt_at=at
        )
        ids += failed
    for outbound_id in ids:
        _enqueue(outbound_id)
    return len(ids)


def emails_to_erase(
    *,
    addresses: Collection[str],
    pseudonym: str,
    mentioning: Collection[str] | None = None,
) -> int:
    """Strip the e-mails sent to ``addresses`` of what they said and to whom: the
    recipient becomes ``pseudonym``, the subject and bodies go, attachments (an
    invoice, a calendar invitation) are deleted, and one not yet sent never
    will be. The row stays, so what refers to it (a reminder that was sent, a
    renewal question's notice) still says an e-mail went, and when.

    With ``mentioning``, only the e-mails whose subject or text names one of
    those words: the ones sent to someone else (an employer) about the person,
    not that recipient's other mail.

    Part of ``privacy.services.person_erase``, inside its transaction."""
    emails = OutboundEmail.objects.filter(emails_to(addresses))
    if mentioning is not None:
        named = Q(pk__in=[])
        for word in {w.strip() for w in mentioning if len(w.strip()) >= 2}:
            named |= Q(subject__icontains=word) | Q(text_body__icontains=word)
        emails = emails.filter(named)
    ids = list(emails.values_list("pk", flat=True))
    OutboundAttachment.objects.filter(email_id__in=ids).delete()
    OutboundEmail.objects.filter(pk__in=ids).exclude(status=EmailStatus.SENT).update(
        status=EmailStatus.FAILED, last_error="recipient erased"
    )
    OutboundEmail.objects.filter(pk__in=ids).update(
        to=[pseudonym], subject="", text_body="", html_body="", headers={}
    )
    return len(ids)
