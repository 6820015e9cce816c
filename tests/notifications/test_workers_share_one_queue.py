"""Several task workers, as on several hosts, share one queue in PostgreSQL and never
run a job twice.

200 e-mails are queued (one task each); three ``certwright db_worker`` processes,
the command a deployment runs, each with a database connection of its own, drain
the queue while a real SMTP server on loopback takes each message. Every worker
must take part, every job must be claimed once (counted by a trigger on the queue
table, beside the queue's own bookkeeping) and every e-mail received once.

The workers are held at a table lock until all three wait on it, so they start on
the queue together however long each took to import Django. PostgreSQL only: the
queue's claim is ``SELECT ... FOR UPDATE SKIP LOCKED``, which SQLite has no form
of; one worker process per SQLite database (docs/install.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import email_send
from tests.delivery.live_server import database_url
from tests.support.cli import CERTWRIGHT

from .smtp import Handler, smtp_listener

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="several workers share a queue on PostgreSQL (row locks skipped); "
        "SQLite has none: one worker per SQLite database",
    ),
]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOBS = 200
WORKERS = ("host-a", "host-b", "host-c")
QUEUE_TABLE = DBTaskResult._meta.db_table


@pytest.fixture
def claims() -> Iterator[None]:
    """A trigger on the queue table that logs every claim (an UPDATE to RUNNING),
    whoever makes it: a job claimed twice shows twice, even if the second claim
    overwrote the first one's worker id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_claims (task_id uuid NOT NULL, worker_ids text)"
        )
        cursor.execute(
            "CREATE FUNCTION test_claim_log() RETURNS trigger AS $$ BEGIN "
            "INSERT INTO test_claims VALUES (NEW.id, NEW.worker_ids::text); "
            "RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            f"CREATE TRIGGER test_claim_log AFTER UPDATE ON {QUEUE_TABLE} "
            "FOR EACH ROW WHEN (NEW.status = 'RUNNING') "
            "EXECUTE FUNCTION test_claim_log()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_claim_log ON {QUEUE_TABLE}")
            cursor.execute("DROP FUNCTION test_claim_log()")
            cursor.execute("DROP TABLE test_claims")


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _until(
    done: Callable[[], bool], *, seconds: float, what: str, logs: list[Path]
) -> None:
    give_up = time.monotonic() + seconds
    while not done():
        if time.monotonic() > give_up:
            tails = "\n".join(log.read_text()[-1500:] for log in logs)
            raise TimeoutError(f"{what} not within {seconds} s:\n{tails}")
        time.sleep(0.1)


def test_three_workers_share_the_queue_and_run_each_job_once(
    claims: None, tmp_path: Path
) -> None:
    # given: 200 e-mails queued, one task each
    with override_settings(TASKS=DATABASE_QUEUE):
        for n in range(JOBS):
            email_send(
                to=f"tech{n:03d}@example.com", template="test_message", context={}
            )
    assert DBTaskResult.objects.ready().count() == JOBS

    relay = Handler(delay=0.02)  # a relay's few milliseconds per message
    with smtp_listener(relay) as port:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CERTWRIGHT_SECRET_KEY": settings.SECRET_KEY,
            "CERTWRIGHT_DEBUG": "0",
            "CERTWRIGHT_TASKS": "database",
            "CERTWRIGHT_EMAIL_BACKEND": "smtp",
            "CERTWRIGHT_EMAIL_HOST": "127.0.0.1",
            "CERTWRIGHT_EMAIL_PORT": str(port),
            "CERTWRIGHT_LOG_LEVEL": "warning",
            "PYTHONUNBUFFERED": "1",
        }
        logs = [tmp_path / f"{name}.log" for name in WORKERS]
        # The gate: the queue table locked, so each worker's first claim waits.
        gate = psycopg.connect(database_url())
        gate.execute(f"LOCK TABLE {QUEUE_TABLE} IN ACCESS EXCLUSIVE MODE")
        workers: list[subprocess.Popen[bytes]] = []
        try:
            for name, log in zip(WORKERS, logs, strict=True):
                with log.open("wb") as out:
                    workers.append(
                        subprocess.Popen(
                            [str(CERTWRIGHT), "db_worker", "--worker-id", name],
                            env=environment,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
            _until(
                lambda: _waiting_on_a_lock() >= len(WORKERS),
                seconds=30,
                what="three workers at the gate",
                logs=logs,
            )
            gate.rollback()  # open the gate

            # when: they drain the queue
            _until(
                lambda: DBTaskResult.objects.finished().count() == JOBS,
                seconds=30,
                what="the queue drained",
                logs=logs,
            )
            assert all(w.poll() is None for w in workers), "a worker died"
        finally:
            gate.close()
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
            exits = [worker.wait(timeout=15) for worker in workers]

    # then: each stopped cleanly on SIGTERM
    assert exits == [0] * len(WORKERS), [log.read_text()[-1500:] for log in logs]
    # every job succeeded, claimed once, and each worker took a share
    results = list(DBTaskResult.objects.values("id", "status", "worker_ids"))
    assert {r["status"] for r in results} == {"SUCCESSFUL"}
    assert all(len(r["worker_ids"]) == 1 for r in results)
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_id, count(*) FROM test_claims GROUP BY task_id")
        claimed = dict(cursor.fetchall())
    assert sorted(claimed.values()) == [1] * JOBS
    assert set(claimed) == {r["id"] for r in results}
    shares = Counter(r["worker_ids"][0] for r in results)
    assert set(shares) == set(WORKERS), shares
    # each e-mail reached the relay once, and is recorded as sent on one attempt
    received = Counter(to for env in relay.envelopes for to in env.rcpt_tos)
    assert received == Counter(f"tech{n:03d}@example.com" for n in range(JOBS))
    assert set(OutboundEmail.objects.values_list("status", "attempts").distinct()) == {
        (EmailStatus.SENT, 1)
    }
