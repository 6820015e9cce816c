"""A real gunicorn serving Certwright on loopback, and candidates signed in to it.

Used by the fault test (tests/delivery/test_fault_sigkill.py), the deployment
tests (tests/deploy/test_stack.py: ``Tab`` and ``Room``, the candidates answering as
the player does) and the save-answer benchmark (bench/save_answer.py). The server
runs the production entry point (``gunicorn certwright.wsgi``) in its own process
group, so ``kill()`` can SIGKILL the master and every worker at once, as a crash or
an OOM kill would.

Candidates are signed in the way ``client.force_login`` does it: a session row made
with the session store (no password, no test-only view). Each gets its own CSRF
secret, sent as the ``csrftoken`` cookie and the ``X-CSRFToken`` header as the
player does. A proctored exam answers only the workstation it was launched on: a
browser launched for an attempt also sends that attempt's seat cookie
(``Login.seated``, ``seat_cookie``).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
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
    # The page's origin, which a browser sends with a POST: Django's CSRF check
    # over HTTPS asks for it (or a Referer), so a client through nginx sets it.
    origin: str = ""

    def seated(self, attempt_id: int, token: str) -> Login:
        """This browser, also holding the seat cookie of ``attempt_id``."""
        cookie = seat_cookie(attempt_id, token)
        return replace(self, seats=f"{self.seats}; {cookie}" if self.seats else cookie)

    def headers(self, *, json_body: bool = False) -> dict[str, str]:
        cookie = f"sessionid={self.session_key}; csrftoken={self.csrf}"
        if self.seats:
            cookie += f"; {self.seats}"
        headers = {"Cookie": cookie, "X-CSRFToken": self.csrf}
        if self.origin:
            headers["Origin"] = self.origin
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


def login(user: Any, origin: str = "") -> Login:
    """Sign ``user`` in: a fresh session and CSRF secret (one browser tab), on the
    site at ``origin`` (https://host:port; empty for plain HTTP)."""
    return Login(session_key=session_key_for(user), csrf=csrf_secret(), origin=origin)


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


def group_wait_gone(pgid: int, timeout: float = 10) -> bool:
    """Wait until no process of the group ``pgid`` is left (a gunicorn master's
    workers outlive it for a moment); False if some still run after ``timeout``."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


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
        group_wait_gone(self.process.pid)
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
    extra: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    """One request on a keep-alive connection; (status, JSON body). Raises OSError
    or http.client.HTTPException when the server is not there."""
    payload = json.dumps(body).encode() if body is not None else None
    headers = who.headers(json_body=body is not None)
    conn.request(method, path, body=payload, headers={**headers, **(extra or {})})
    response = conn.getresponse()
    data = response.read()
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        parsed = {"raw": data[:200].decode(errors="replace")}
    return response.status, parsed


# --- candidates answering, as the player does -------------------------------------

SAVES_EACH = 20
GIVE_UP = 45.0  # seconds a client keeps retrying one save
POLL_S = 2.0  # the exam player's state poll, which renews its save pass


@dataclass
class Seat:
    """A candidate in a started exam, and when their time runs out. ``login`` is
    the browser of the workstation the exam was launched on (its seat token is
    ``token``)."""

    attempt_id: int
    user: Any
    token: str
    login: Login
    items: list[int]
    deadline: dt.datetime


@dataclass(frozen=True, slots=True)
class Ack:
    attempt_id: int
    item: int
    seq: int
    choice: int | None
    flagged: bool


@dataclass
class Tab:
    """One browser tab: a keep-alive connection that sends a save again (after a
    short back-off) until the server acknowledges it, as the player does, with the
    save pass of its last state poll (every POLL_S seconds, as the player polls;
    a failed poll keeps the pass it had)."""

    port: int
    who: Login
    acks: list[Ack] = field(default_factory=list)
    retries: int = 0
    conn: http.client.HTTPConnection | None = None
    save_pass: str = ""
    polled_at: float = -POLL_S

    def connect(self) -> http.client.HTTPConnection:
        """A new connection to the server (the deployment tests' tab speaks TLS)."""
        return http.client.HTTPConnection(HOST, self.port, timeout=10)

    def send(
        self, attempt_id: int, *, item: int, seq: int, choice: int | None, flagged: bool
    ) -> tuple[int, dict[str, Any]]:
        body = {"item": item, "choice": choice, "flagged": flagged, "seq": seq}
        give_up = time.monotonic() + GIVE_UP
        pause = 0.02
        while True:
            if self.conn is None:
                self.conn = self.connect()
            try:
                self._poll(attempt_id)
                status, answer = request_json(
                    self.conn,
                    "POST",
                    f"/exam/{attempt_id}/answers/",
                    self.who,
                    body,
                    {"X-Save-Pass": self.save_pass} if self.save_pass else None,
                )
            except (OSError, http.client.HTTPException):
                status, answer = 0, {}
                self.conn.close()
                self.conn = None
            if status and status < 500:
                if status == 200:
                    self.acks.append(
                        Ack(
                            attempt_id,
                            answer["item"],
                            answer["seq"],
                            answer["choice"],
                            answer["flagged"],
                        )
                    )
                return status, answer
            # No answer or a 5xx: not acknowledged, so it is sent again.
            self.retries += 1
            if time.monotonic() > give_up:
                raise TimeoutError(f"save {body} unacknowledged for {GIVE_UP} s")
            time.sleep(pause)
            pause = min(0.25, pause * 2)

    def _poll(self, attempt_id: int) -> None:
        if time.monotonic() - self.polled_at < POLL_S:
            return
        assert self.conn is not None
        status, state = request_json(
            self.conn, "GET", f"/exam/{attempt_id}/state/", self.who
        )
        self.polled_at = time.monotonic()
        if status == 200 and isinstance(state.get("save_pass"), str):
            self.save_pass = state["save_pass"]

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Room:
    """The candidates, one thread each, answering ``SAVES_EACH`` times with
    increasing sequence numbers (new answers, changed answers, flags). ``tab``
    makes each candidate's tab from the port and its login."""

    def __init__(
        self,
        port: int,
        seats: list[Seat],
        tab: Callable[[int, Login], Tab] = Tab,
        saves_each: int = SAVES_EACH,
    ) -> None:
        self.seats = seats
        self.saves_each = saves_each
        self.tabs = [tab(port, seat.login) for seat in seats]
        self.failures: list[str] = []
        self.threads = [
            threading.Thread(target=self._candidate, args=(seat, tab, n), daemon=True)
            for n, (seat, tab) in enumerate(zip(seats, self.tabs, strict=True))
        ]

    def _candidate(self, seat: Seat, tab: Tab, n: int) -> None:
        rng = random.Random(n)
        try:
            for seq in range(1, self.saves_each + 1):
                item = rng.choice(seat.items)
                choice = rng.choice([0, 1, 2, 3, 0, 1, 2, 3, None])
                flagged = rng.random() < 0.2
                status, answer = tab.send(
                    seat.attempt_id, item=item, seq=seq, choice=choice, flagged=flagged
                )
                if status != 200:
                    self.failures.append(f"{seat.attempt_id} seq {seq}: {answer}")
                    return
                # The stored state is this save's: one tab, increasing seqs.
                stored = (answer["item"], answer["seq"], answer["choice"])
                if stored != (item, seq, choice) or answer["flagged"] != flagged:
                    self.failures.append(f"{seat.attempt_id} seq {seq}: {answer}")
                    return
                time.sleep(rng.uniform(0, 0.02))  # reading the next question
        except Exception as error:  # reported by the test
            self.failures.append(f"{seat.attempt_id}: {error!r}")
        finally:
            tab.close()

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def acked(self) -> int:
        return sum(len(tab.acks) for tab in self.tabs)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=GIVE_UP + 15)
        assert not any(thread.is_alive() for thread in self.threads)

    @property
    def acks(self) -> list[Ack]:
        return [ack for tab in self.tabs for ack in tab.acks]


def sitting_moved_to_now(appointments: list[Any]) -> None:
    """The appointments (one centre's, booked alike on a frozen day) happen now on
    the real clock: from a few minutes ago for as long as they were booked. Not
    from before the centre's local midnight, though: check-in is on the
    appointment's local day, and a CI run at 00:01 in the centre's time zone had
    its sitting start the day before (refused, 409)."""
    from zoneinfo import ZoneInfo

    from certwright.scheduling.models import Appointment

    first = appointments[0]
    moment = dt.datetime.now(dt.UTC)
    midnight = moment.astimezone(ZoneInfo(first.centre.time_zone)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    began = max(moment - dt.timedelta(minutes=5), midnight)
    Appointment.objects.filter(pk__in=[a.pk for a in appointments]).update(
        starts_at=began, ends_at=began + (first.ends_at - first.starts_at)
    )


def wait_until(condition: Any, timeout: float) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "timed out"
        time.sleep(0.01)


def stored_answers(attempt_ids: list[int]) -> dict[tuple[int, int], tuple[Any, ...]]:
    """(attempt, item) -> (seq, choice, flagged) as the database holds them."""
    from certwright.delivery.models import Response

    return {
        (attempt_id, item): (seq, choice, flagged)
        for attempt_id, item, seq, choice, flagged in Response.objects.filter(
            attempt_id__in=attempt_ids
        ).values_list("attempt_id", "form_item_id", "client_seq", "choice", "flagged")
    }
