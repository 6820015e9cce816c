"""GET /metrics: Prometheus' text format, by URL name, for the operator's networks
only; the task queue measured when scraped; several gunicorn workers added up."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from certwright.conf.env import Env

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Each sample of an exposition by (name, sorted labels)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(client: Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def test_requests_are_counted_and_timed_by_url_name_not_path(client: Client) -> None:
    """Two health checks and a made-up path: the health checks under their URL name
    with status class 2xx and two latency observations; the made-up path under one
    fixed name, so clients cannot mint series."""
    # given
    labels = {"view": "api:health", "method": "GET", "status": "2xx"}
    before = REGISTRY.get_sample_value("certwright_http_requests_total", labels) or 0
    timed = {"view": "api:health", "method": "GET"}
    timed_before = (
        REGISTRY.get_sample_value(
            "certwright_http_request_duration_seconds_count", timed
        )
        or 0
    )

    # when
    client.get("/api/health")
    client.get("/api/health")
    client.get("/no/such/page-9f3")
    seen = scrape(client)

    # then
    key = tuple(sorted(labels.items()))
    assert seen[("certwright_http_requests_total", key)] == before + 2
    timed_key = tuple(sorted(timed.items()))
    assert (
        seen[("certwright_http_request_duration_seconds_count", timed_key)]
        == timed_before + 2
    )
    views = {dict(labels)["view"] for (name, labels) in seen if "view" in dict(labels)}
    assert "<unmatched>" in views
    assert not any("page-9f3" in view for view in views)


@pytest.mark.parametrize(
    ("address", "headers"),
    [
        ("203.0.113.7", {}),  # the internet
        ("10.1.2.3", {}),  # another internal network, not listed
        # nginx on this host connects from loopback: its forwarding headers give
        # the proxied request away, whichever it sets.
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.7"}),
        ("127.0.0.1", {"X-Real-IP": "203.0.113.7"}),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.7"}),
    ],
)
def test_anyone_else_gets_the_ordinary_404(
    client: Client, address: str, headers: dict[str, str]
) -> None:
    """Refused requests cannot tell /metrics from a page that does not exist."""
    # when
    refused = client.get("/metrics", REMOTE_ADDR=address, headers=headers)
    missing = client.get("/no-such-page", REMOTE_ADDR=address, headers=headers)

    # then
    assert refused.status_code == 404
    assert refused.content == missing.content
    assert b"certwright_" not in refused.content


def test_the_proxy_ssl_header_counts_as_proxied(client: Client) -> None:
    # given: the proxy says HTTPS in X-Forwarded-Proto
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        # when
        response = client.get("/metrics", headers={"X-Forwarded-Proto": "http"})
    # then
    assert response.status_code == 404


def test_a_listed_network_and_the_token(client: Client) -> None:
    """With a network listed and a token set, both are needed."""
    import ipaddress

    # given
    with override_settings(
        CERTWRIGHT_METRICS_ALLOW=[ipaddress.ip_network("10.0.0.0/8")],
        CERTWRIGHT_METRICS_TOKEN="s3cret-token",
    ):
        # when
        loopback = client.get(
            "/metrics", headers={"Authorization": "Bearer s3cret-token"}
        )
        no_token = client.get("/metrics", REMOTE_ADDR="10.4.5.6")
        wrong = client.get(
            "/metrics", REMOTE_ADDR="10.4.5.6", headers={"Authorization": "Bearer x"}
        )
        right = client.get(
            "/metrics",
            REMOTE_ADDR="10.4.5.6",
            headers={"Authorization": "Bearer s3cret-token"},
        )
    # then
    assert [r.status_code for r in (loopback, no_token, wrong, right)] == [
        404,
        404,
        404,
        200,
    ]


def test_an_empty_allow_list_lets_nobody_in(client: Client) -> None:
    with override_settings(CERTWRIGHT_METRICS_ALLOW=[]):
        assert client.get("/metrics").status_code == 404


def test_the_allow_list_setting_refuses_what_is_not_a_network() -> None:
    # given / when / then
    env = Env({"CERTWRIGHT_METRICS_ALLOW": "10.0.0.0/8, 192.168.1.300/32"})
    with pytest.raises(ImproperlyConfigured, match="CERTWRIGHT_METRICS_ALLOW="):
        env.networks("CERTWRIGHT_METRICS_ALLOW", [])
    # a bare address is a network of one; host bits after the prefix are refused
    assert [str(n) for n in Env({"X": "10.1.2.3, ::1"}).networks("X", [])] == [
        "10.1.2.3/32",
        "::1/128",
    ]
    with pytest.raises(ImproperlyConfigured):
        Env({"X": "10.1.2.3/8"}).networks("X", [])
    assert Env({}).networks("X", ["127.0.0.0/8"])[0].num_addresses == 2**24


def test_the_task_queue_depth_and_oldest_wait_are_read_when_scraped(
    client: Client,
) -> None:
    """Two e-mails waiting in the database queue, the first for 90 seconds: the
    scrape says 2 and 90; once they ran, 0 and no wait."""
    from django_tasks_db.models import DBTaskResult

    from certwright.notifications.tasks import email_send_task

    # given
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with override_settings(TASKS=DATABASE_QUEUE), time_machine.travel(start) as t:
        email_send_task.enqueue(outbound_id=1)
        t.shift(30)
        email_send_task.enqueue(outbound_id=2)
        t.shift(60)

        # when
        seen = scrape(client)
        DBTaskResult.objects.update(status="SUCCESSFUL")
        after = scrape(client)

    # then
    queue = (("queue", "default"),)
    assert seen[("certwright_task_queue_depth", queue)] == 2
    assert seen[("certwright_task_queue_oldest_age_seconds", queue)] == pytest.approx(
        90, abs=1
    )
    assert ("certwright_task_queue_depth", queue) not in after


MULTIPROCESS_WORKER = """
import django, sys
django.setup()
from certwright.core.metrics import EMAILS
for _ in range(int(sys.argv[1])):
    EMAILS.labels("sent").inc()
"""
MULTIPROCESS_SCRAPE = """
import django
django.setup()
from certwright.core.metrics import exposition
print(exposition()[0].decode())
"""


def test_several_worker_processes_are_added_up_in_multiprocess_mode(
    tmp_path: Path,
) -> None:
    """With PROMETHEUS_MULTIPROC_DIR, two processes (as two gunicorn workers) count
    3 and 4 e-mails; a third process's scrape says 7."""
    # given
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")},
        "DJANGO_SETTINGS_MODULE": "certwright.settings",
        "CERTWRIGHT_DEBUG": "1",
        "CERTWRIGHT_TASKS": "immediate",
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "PYTHONPATH": str(ROOT),
    }

    def run(code: str, *args: str) -> str:
        child = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert child.returncode == 0, child.stderr
        return child.stdout

    # when
    run(MULTIPROCESS_WORKER, "3")
    run(MULTIPROCESS_WORKER, "4")
    text = run(MULTIPROCESS_SCRAPE)

    # then
    assert any(directory.glob("*.db"))
    seen = samples(text)
    assert seen[("certwright_emails_total", (("outcome", "sent"),))] == 7


def test_a_missing_multiprocess_directory_stops_start_up(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")},
        "DJANGO_SETTINGS_MODULE": "certwright.settings",
        "CERTWRIGHT_DEBUG": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "nowhere"),
    }
    child = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode != 0
    assert "PROMETHEUS_MULTIPROC_DIR=" in child.stderr
