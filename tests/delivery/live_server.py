"""A real gunicorn serving Certwright on loopback, and candidates signed in to it.

Used by the fault test (tests/delivery/test_fault_sigkill.py) and the save-answer
benchmark (bench/save_answer.py). The server runs the production entry point
(``gunicorn certwright.wsgi``) in its own process group, so ``kill()`` can SIGKILL
the master and every worker at once, as a crash or an OOM kill would.

Candidates are signed in the way ``client.force_login`` does it: a session row made
with the session store (no password, no test-only view). Each gets its own CSRF
secret, sent as the ``csrftoken`` cookie and the ``X-CSRFToken`` header as the
player does. A proctored exam answers only the workstation it was launched on: a
browser launched for an attempt also sends that attempt's seat cookie
(``Login.seated``, ``seat_cookie``).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
SESSION_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def free_port() -> int:
    """A TCP port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def seat_cookie(attempt_id: int, token: str) -> str:
    """``name=value`` of the seat cookie a browser holds once ``attempt_id`` was
    launched on it (the token from services.attempt_launch or the launch page)."""
    from certwright.delivery.views import SEAT_COOKIE

    return f"{SEAT_COOKIE.format(attempt_id=attempt_id)}={token}"


@dataclass(frozen=True, slots=True)
class Login:
    """What a signed-in browser sends: the session and CSRF cookies and header, and
    the seat cookies of the exams launched on it."""

    session_key: str
    csrf: str
    seats: str = ""  # "certwright_seat_<id>=<token>; ..."

    def seated(self, attempt_id: int, token: str) -> Login:
        """This browser, also holding the seat cookie of ``attempt_id``."""
        cookie = seat_cookie(attempt_id, token)
        return replace(self, seats=f"{self.seats}; {cookie}" if self.seats else cookie)

    def headers(self, *, json_body: bool = False) -> dict[str, str]:
        cookie = f"sessionid={self.session_key}; csrftoken={self.csrf}"
        if self.seats:
            cookie += f"; {self.seats}"
        headers = {"Cookie": cookie, "X-CSRFToken": self.csrf}
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers


def session_key_for(user: Any) -> str:
    """A new session row signing ``user`` in (what ``force_login`` stores)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = SESSION_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


def csrf_secret() -> str:
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    return get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)


def login(user: Any) -> Login:
    """Sign ``user`` in: a fresh session and CSRF secret (one browser tab)."""
    return Login(session_key=session_key_for(user), csrf=csrf_secret())


def database_url() -> str:
    """The URL of the database Django's default connection uses now (the test
    database inside a test), for the server to use the same one (PostgreSQL)."""
    from django.db import connection

    s = connection.settings_dict
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    host = s.get("HOST") or HOST
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@dataclass
class Gunicorn:
    """``gunicorn certwright.wsgi`` on ``HOST:port`` against ``database_url``.

    ``cpus``: pin the server (master and workers) to these cores. ``extra_env``
    overrides the environment the server inherits from this process.
    """

    database_url: str
    secret_key: str
    log: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    threads: int = 4
    worker_class: str = "gthread"
    # Load the app once in the master and fork the workers from it: a (re)start
    # costs one import of Django and the apps instead of one per worker.
    preload: bool = True
    cpus: set[int] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "certwright.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--backlog",
            "4096",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        if self.preload:
            command.append("--preload")
        return command

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "certwright.settings",
                "DATABASE_URL": self.database_url,
                # Sessions are signed with the secret key: the same one as the
                # process that made them.
                "CERTWRIGHT_SECRET_KEY": self.secret_key,
                "CERTWRIGHT_DEBUG": "0",
                # Production mode, but plain HTTP on loopback: no redirect to HTTPS,
                # and the site address (required outside debug) is this server.
                "CERTWRIGHT_SSL_REDIRECT": "0",
                "CERTWRIGHT_SITE_URL": f"http://{HOST}:{self.port}",
                "CERTWRIGHT_TASKS": "immediate",
                "CERTWRIGHT_EMAIL_BACKEND": "locmem",
                "CERTWRIGHT_LOG_LEVEL": "warning",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the server and wait until a worker answers."""
        assert self.process is None or self.process.poll() is not None
        cpus = self.cpus

        def pin() -> None:  # in the child, before exec: inherited by the workers
            if cpus:
                os.sched_setaffinity(0, cpus)

        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.environment(),
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: kill() reaches the master and the workers.
                start_new_session=True,
                preexec_fn=pin if cpus else None,
            )
        self.wait_ready(timeout=timeout)

    def wait_ready(self, *, timeout: float) -> None:
        """Until a worker answers an HTTP request (any status)."""
        assert self.process is not None
        give_up = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            try:
                conn.request("GET", "/exam/0/state/")
                conn.getresponse().read()
                return
            except (OSError, http.client.HTTPException):
                if time.monotonic() > give_up:
                    raise TimeoutError(
                        f"gunicorn did not answer in {timeout} s:\n{self.tail()}"
                    ) from None
                time.sleep(0.1)
            finally:
                conn.close()

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers), as a crash does;
        returns once nothing listens on the port any more."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        give_up = time.monotonic() + 10
        while time.monotonic() < give_up:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                break  # every process of the group is gone
            time.sleep(0.02)
        with socket.socket() as probe:
            refused = probe.connect_ex((HOST, self.port)) != 0
        if not refused:
            raise RuntimeError("something still listens after SIGKILL")

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM), killing what is left after a while."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), from /proc."""
        assert self.process is not None
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def request_json(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    who: Login,
    body: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One request on a keep-alive connection; (status, JSON body). Raises OSError
    or http.client.HTTPException when the server is not there."""
    payload = json.dumps(body).encode() if body is not None else None
    conn.request(
        method, path, body=payload, headers=who.headers(json_body=body is not None)
    )
    response = conn.getresponse()
    data = response.read()
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        parsed = {"raw": data[:200].decode(errors="replace")}
    return response.status, parsed
