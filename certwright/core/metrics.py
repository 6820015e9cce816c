"""Prometheus metrics: what the platform counts, and the page the operator scrapes.

Every metric is declared here, in the lowest app, so that the apps that count
(delivery's answer saves, notifications' e-mail, accounts' sign-ins) import it from
below and no app imports another to be measured. Labels take values from small
fixed sets (a URL name, never a raw path; a status class, never a status code), so
the number of series stays bounded whatever clients send.

Under gunicorn with several workers each worker keeps its own counts; with
``PROMETHEUS_MULTIPROC_DIR`` set before the workers start, prometheus-client writes
them to files in that directory and a scrape of any worker adds them all up
(docs/install.md#metrics-logs-and-health). The task queue is measured at scrape
time by ``TaskQueueCollector``: one indexed query, the same answer in any worker.

``GET /metrics`` answers only a client in ``CERTWRIGHT_METRICS_ALLOW`` (and, when
``CERTWRIGHT_METRICS_TOKEN`` is set, carrying it as a bearer token); anyone else,
and any request that came through a proxy, gets the site's ordinary 404.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Case, Count, F, Min, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# --- what is counted -----------------------------------------------------------------

HTTP_REQUESTS = Counter(
    "certwright_http_requests",
    "HTTP requests answered, by URL name, method and status class.",
    ["view", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "certwright_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by URL name.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ANSWER_SAVES = Counter(
    "certwright_answer_saves",
    "Exam answer saves: applied, stale (a newer answer was already stored, the "
    "stored one acknowledged) or refused (reason: the refusal's code).",
    ["outcome", "reason"],
)
EMAILS = Counter(
    "certwright_emails",
    "Attempts at sending a stored e-mail: sent, retrying (a transient failure, "
    "tried again later) or failed (given up).",
    ["outcome"],
)
LOGINS = Counter(
    "certwright_logins",
    "Sign-ins: succeeded or failed (a wrong password or unknown account).",
    ["outcome"],
)
LOCKOUTS = Counter(
    "certwright_login_lockouts",
    "Sign-ins refused by the lock-out after repeated failures (django-axes).",
)

# The methods a label may carry; anything else a client invents is "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request no URL pattern matched (a 404 for a made-up path).
UNMATCHED = "<unmatched>"


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    # The URL name ("delivery:save", "api:health"); the route pattern when the
    # pattern has no name (both are fixed by the code, never by the client).
    return match.view_name or match.route or UNMATCHED


class RequestMetricsMiddleware:
    """Counts and times every request by the name of the URL it resolved to.

    Placed right after the request-id middleware so the time covers the other
    middleware (sessions, CSRF, the lock-out) as well as the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        request_observed(
            _view_name(request),
            request.method or "",
            response.status_code,
            time.perf_counter() - started,
        )
        return response


def request_observed(view: str, method: str, status: int, seconds: float) -> None:
    """Count and time one request: this middleware's, and those a WSGI layer
    answers before Django (certwright.verification.wsgi)."""
    method = method if method in METHODS else "other"
    HTTP_LATENCY.labels(view, method).observe(seconds)
    HTTP_REQUESTS.labels(view, method, f"{status // 100}xx").inc()


# --- measured at scrape time ---------------------------------------------------------


def _uses_database_queue() -> bool:
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return str(backend).startswith("django_tasks_db.")


class TaskQueueCollector(Collector):
    """Tasks waiting in the database queue, and how long the oldest has waited, per
    queue. One grouped query over the READY rows (django-tasks-db keeps a partial
    index on them), run only when scraped; nothing with the immediate backend."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "certwright_task_queue_depth",
            "Tasks ready to run and not yet picked up by a worker, per queue.",
            labels=["queue"],
        )
        age = GaugeMetricFamily(
            "certwright_task_queue_oldest_age_seconds",
            "How long the longest-waiting ready task has waited, per queue "
            "(0 when none waits).",
            labels=["queue"],
        )
        if _uses_database_queue():
            from django_tasks_db.models import DBTaskResult, get_date_max

            now = timezone.now()
            rows = (
                DBTaskResult.objects.ready()
                .order_by()
                .values("queue_name")
                .annotate(
                    waiting=Count("id"),
                    # A deferred task waits from its run_after, others from enqueue.
                    since=Min(
                        Case(
                            When(run_after=get_date_max(), then=F("enqueued_at")),
                            default=F("run_after"),
                        )
                    ),
                )
            )
            for row in rows:
                waited = (now - row["since"]).total_seconds() if row["since"] else 0
                depth.add_metric([row["queue_name"]], row["waiting"])
                age.add_metric([row["queue_name"]], max(waited, 0.0))
        yield depth
        yield age


class _ThisProcess(Collector):
    """The default registry's metrics (one process's counts and the process and
    platform collectors), added to a scrape's registry without re-registering."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def multiprocess_dir() -> str:
    """The directory of the workers' metric files, or "" in single-process mode.

    prometheus-client reads the variable from the environment when it is imported;
    the settings read it too (``METRICS_MULTIPROC_DIR``) so a bad value stops
    start-up, and both see the same environment."""
    return str(getattr(settings, "METRICS_MULTIPROC_DIR", "") or "")


def exposition() -> tuple[bytes, str]:
    """The metrics as Prometheus' text format, and its content type."""
    registry = CollectorRegistry()
    directory = multiprocess_dir()
    if directory and os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(TaskQueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- who may read it -----------------------------------------------------------------

# Headers a proxy adds: a request carrying one came through the public entrance,
# whatever address it arrived from (nginx on the same host connects from loopback).
FORWARDED_HEADERS = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")


def metrics_allowed(request: HttpRequest) -> bool:
    """From an allowed network, directly (not through the proxy), with the token
    when one is set."""
    networks = settings.CERTWRIGHT_METRICS_ALLOW
    if not networks:
        return False
    proxied = [*FORWARDED_HEADERS]
    if settings.SECURE_PROXY_SSL_HEADER:
        proxied.append(settings.SECURE_PROXY_SSL_HEADER[0])
    if any(name in request.META for name in proxied):
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not any(address in network for network in networks):
        return False
    token = settings.CERTWRIGHT_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return True


def metrics(request: HttpRequest) -> HttpResponse:
    """``GET /metrics`` for Prometheus; the ordinary 404 for anyone not allowed."""
    if request.method not in ("GET", "HEAD") or not metrics_allowed(request):
        raise Http404
    body, content_type = exposition()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
