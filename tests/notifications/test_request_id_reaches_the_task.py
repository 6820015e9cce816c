"""The request id follows a request into the tasks it enqueues: the worker's log
lines about the e-mail a page queued carry the id the page answered with, as JSON
lines with the traceback of the failure."""

from __future__ import annotations

import io
import json
import logging
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from certwright.conf.logs import JsonFormatter, RequestIdFilter

from .smtp import smtp_server

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _signals_kept() -> Iterator[None]:
    """db_worker installs its own SIGINT/SIGTERM/SIGQUIT handlers and leaves them
    in place when it returns; in the pytest process a CI timeout's SIGTERM then
    became SystemExit(0) inside whatever test ran next, instead of ending pytest.
    Put back what was there."""
    kept = {number: signal.getsignal(number) for number in _WORKER_SIGNALS}
    try:
        yield
    finally:
        for number, handler in kept.items():
            signal.signal(number, handler)


_WORKER_SIGNALS = tuple(
    getattr(signal, name)
    for name in ("SIGINT", "SIGTERM", "SIGQUIT")
    if hasattr(signal, name)
)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The certwright logger written as production writes it (the formatter and
    filter of settings.LOGGING's json handler), into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("certwright")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


# Real commits, as in production: the mail is queued when the request's
# transaction commits, while the request is still being served.
@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_the_mail_failure_with_the_requests_id(
    client: Client, json_log: io.StringIO
) -> None:
    # given: a password reset asked for with the proxy's request id; its e-mail is
    # queued in the database, not sent
    with override_settings(TASKS=DATABASE_QUEUE):
        response = client.post(
            "/accounts/password/reset/",
            {"email": "pat@example.com"},
            headers={"X-Request-ID": "proxy-7f3a9c"},
        )
        assert response["X-Request-ID"] == "proxy-7f3a9c"
        assert json_log.getvalue() == ""

        # when: the worker, later, finds the mail server refusing the address
        with smtp_server(refuse="550 5.1.1 No such user"):
            call_command("db_worker", batch=True, no_startup_delay=True)

    # then: its error line carries the request's id and the traceback
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failures = [
        line for line in lines if line["logger"] == "certwright.notifications.services"
    ]
    assert failures, lines
    assert {line["request_id"] for line in failures} == {"proxy-7f3a9c"}
    permanent = next(line for line in failures if "permanently" in line["message"])
    assert permanent["level"] == "ERROR"
    assert permanent["exception"].startswith("Traceback (most recent call last)")
    assert "SMTPRecipientsRefused" in permanent["exception"]


# The worker closes its connection between tasks, which PostgreSQL would not survive
# inside the test's transaction: real commits here too.
@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_outside_a_request_logs_without_an_id(
    json_log: io.StringIO,
) -> None:
    from certwright.notifications.services import email_send

    # given: a command (no request) queues a mail
    with override_settings(TASKS=DATABASE_QUEUE):
        email_send(to="pat@example.com", template="test_message", context={})
        # when
        with smtp_server(refuse="550 5.1.1 No such user"):
            call_command("db_worker", batch=True, no_startup_delay=True)
    # then
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines
    assert {line["request_id"] for line in lines} == {"-"}


def test_a_forged_id_in_the_queue_is_not_logged() -> None:
    """The queue row is data: an id that is not sane is replaced by "-"."""
    from certwright.conf.logs import current_request_id
    from certwright.core.tasks import carries_request_id

    seen: list[str] = []

    @carries_request_id
    def job() -> None:
        seen.append(current_request_id())

    run: Any = job  # the wrapper takes the keyword the task function does not
    run(request_id="ok-1")
    run(request_id='x"\n{"level": "ERROR"}')
    run()
    assert seen == ["ok-1", "-", "-"]
