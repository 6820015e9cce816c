"""The production stack of deploy/ on loopback, each part its own process.

* PostgreSQL: a private cluster (``initdb`` and ``pg_ctl`` from Debian's
  postgresql-NN package) in a directory of its own, on a free port, trust auth, so
  a test may restart it without touching the machine's server;
* the schema made by ``certwright migrate``, as docs/deploy.md does it;
* two app servers, each started with the ExecStart of
  deploy/systemd/certwright-web@.service (gunicorn with certwright.conf.gunicorn);
* two task workers, each with the ExecStart of certwright-worker@.service
  (``certwright db_worker``);
* nginx from Debian's packages serving the site deploy/render_nginx.py renders,
  with a test certificate (tests/deploy/nginx.py), its upstream listing both app
  servers.

Every part reads the environment file deploy/certwright.env.example, with this
machine's addresses, ports and paths in place of the host's. As systemd does
(``Restart=always``), a part that exits is started again after ``RestartSec``,
unless a test took it down on purpose (``Process.kill``) to see the rest carry on.

Used by tests/deploy/test_stack.py; a benchmark can start the same ``Stack``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.delivery.live_server import HOST, free_port, group_wait_gone
from tests.deploy.nginx import (
    NGINX,
    TEMPLATE_ENV,
    Nginx,
    certificate_make,
    env_file_read,
    render_nginx,
)

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
# Where the units expect the virtualenv; here, the one running this process.
UNIT_VENV_BIN = "/srv/certwright/venv/bin/"
VENV_BIN = Path(sys.executable).parent
DATABASE = "certwright"
# The units' RestartSec.
RESTART_SECONDS = 2.0


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries Debian installed (initdb, pg_ctl)."""
    found = sorted(
        (p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for directory in reversed(found):
        if os.access(directory / "initdb", os.X_OK):
            return directory
    return None


def missing() -> str | None:
    """Why the stack cannot start on this machine, or None when it can."""
    if NGINX is None:
        return "nginx is not installed (apt-get install nginx-light)"
    if not Path("/etc/nginx/mime.types").exists():
        return "nginx's /etc/nginx/mime.types is missing"
    if postgres_bin() is None:
        return "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without a postgres user to run PostgreSQL as"
    return None


def wait_for(what: str, condition: Any, timeout: float, *, log: Any = None) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > give_up:
            tail = f":\n{log()}" if log is not None else ""
            raise TimeoutError(f"{what} after {timeout} s{tail}")
        time.sleep(0.05)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) == 0


@dataclass
class Postgres:
    """A private PostgreSQL cluster: ``initdb`` into ``directory``, served on
    ``HOST:port`` only (no Unix socket), trust authentication for user postgres.

    PostgreSQL refuses to run as root: then the cluster belongs to the postgres
    user and its commands run as that user."""

    directory: Path
    port: int = field(default_factory=free_port)
    bin: Path = field(default_factory=lambda: postgres_bin() or Path("/nonexistent"))

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def _run(self, *args: str, timeout: float = 120) -> str:
        user = "postgres" if os.geteuid() == 0 else None
        done = subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            user=user,
            cwd=self.directory,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed:\n{done.stdout}{done.stderr}\n"
                f"{self.log_tail()}"
            )
        return done.stdout

    def init(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--no-sync",
        )
        # Loopback TCP only; no Unix socket (its default directory belongs to the
        # machine's server). Durability settings off: nothing here outlives the
        # test, and a fast restart (a clean shutdown) loses nothing anyway.
        (self.data / "postgresql.auto.conf").write_text(
            f"listen_addresses = '{HOST}'\n"
            f"port = {self.port}\n"
            "unix_socket_directories = ''\n"
            "max_connections = 100\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "shared_buffers = 64MB\n"
        )
        if os.geteuid() == 0:
            shutil.chown(self.data / "postgresql.auto.conf", "postgres", "postgres")

    def pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", *args, "--pgdata", str(self.data), "--wait", "-t", "60")

    def start(self) -> None:
        if not self.data.exists():
            self.init()
        self.pg_ctl("start", "--log", str(self.log))
        wait_for("PostgreSQL did not listen", lambda: listening(self.port), 30)

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every session is ended, the server stops
        and starts again."""
        self.pg_ctl("restart", "-m", "fast", "--log", str(self.log))
        wait_for("PostgreSQL did not listen", lambda: listening(self.port), 30)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(RuntimeError):
                self.pg_ctl("stop", "-m", "immediate")

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{database}"

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def unit_command(unit: str, instance: str, env: dict[str, str]) -> list[str]:
    """A unit's ExecStart as systemd runs it: continuation lines joined, ``%i``,
    ``%H`` and ``${VAR}`` (from the environment file) filled in, and the units'
    virtualenv replaced by the one running this process."""
    text = (SYSTEMD / unit).read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    (line,) = re.findall(r"^ExecStart=(.*)$", text, re.MULTILINE)
    line = line.replace("%i", instance).replace("%H", socket.gethostname())

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise KeyError(f"{unit} reads ${{{name}}}, not in the environment file")
        return env[name]

    line = re.sub(r"\$\{([A-Z_][A-Z0-9_]*)\}", variable, line)
    command = shlex.split(line)
    if command[0].startswith(UNIT_VENV_BIN):
        command[0] = str(VENV_BIN / command[0].removeprefix(UNIT_VENV_BIN))
    return command


@dataclass
class Process:
    """One unit's process, in its own process group (a kill reaches its children,
    as systemd's cgroup does). ``ready`` says when it serves."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    ready: Any = None
    # A task worker's --worker-id, as DBTaskResult.worker_ids records it.
    worker_id: str = ""
    process: subprocess.Popen[bytes] | None = None
    # Taken down on purpose: the supervisor leaves it down.
    down: bool = True
    exited_at: float | None = None
    restarts: int = 0
    # The supervisor's thread and the test's both start processes: one at a time.
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, *, timeout: float = 90) -> None:
        with self._lock:
            self._start(timeout)

    def ensure_running(self) -> None:
        with self._lock:
            if not self.alive():
                self._start(90)

    def _start(self, timeout: float) -> None:
        assert not self.alive()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.log.parent,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.down = False
        self.exited_at = None
        if self.ready is not None:
            wait_for(
                f"{self.name} was not ready",
                lambda: self._check_ready(),
                timeout,
                log=self.tail,
            )

    def _check_ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.process.returncode}:\n{self.tail()}"
            )
        return bool(self.ready())

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Take it down with ``sig`` (SIGKILL: as a crash or the OOM killer does),
        and leave it down until ``start``."""
        self.down = True
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Until every process of the group is gone (gunicorn's workers too).
        group_wait_gone(self.process.pid)

    def stop(self) -> None:
        """SIGTERM, as ``systemctl stop`` sends it (the unit's KillSignal)."""
        self.kill(signal.SIGTERM)

    def supervise(self) -> None:
        """Restart=always: an exit not asked for is followed by a start after
        RestartSec."""
        if not self._lock.acquire(blocking=False):
            return  # being started
        try:
            if self.down or self.process is None or self.process.poll() is None:
                return
            now = time.monotonic()
            if self.exited_at is None:
                self.exited_at = now
            elif now - self.exited_at >= RESTART_SECONDS:
                self.restarts += 1
                with contextlib.suppress(Exception):  # tried again next round
                    self._start(90)
        finally:
            self._lock.release()

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def app_ready(port: int) -> bool:
    """The app server answers its health check."""
    conn = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


class Stack:
    """The whole deployment of deploy/ under ``directory`` (see the module
    docstring). ``secret_key`` is the one this process signs sessions with, so the
    servers accept the sessions it makes."""

    def __init__(
        self,
        directory: Path,
        *,
        secret_key: str,
        app_servers: int = 2,
        task_workers: int = 2,
        web_workers: int = 2,
        web_threads: int = 4,
    ) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        # PostgreSQL's directory must be reachable by the postgres user when this
        # runs as root (pytest's tmp_path is not): one of its own under /tmp.
        self.postgres = Postgres(Path(tempfile.mkdtemp(prefix="certwright-pg-")))
        self.app_ports = [free_port() for _ in range(app_servers)]
        cert, key = certificate_make(directory)
        self.nginx = Nginx(directory / "nginx", site="")
        self.ca = cert
        data_dir = directory / "data"
        (data_dir / "media").mkdir(parents=True, exist_ok=True)
        (data_dir / "static").mkdir(parents=True, exist_ok=True)
        passphrase = directory / "signing-passphrase"
        passphrase.write_text("certwright-deploy-test-signing\n")
        origin = f"https://{HOST}:{self.nginx.https_port}"
        template = env_file_read(TEMPLATE_ENV.read_text(encoding="utf-8"))
        # The template with this machine's values in place of the host's.
        self.env_file = {
            **template,
            "CERTWRIGHT_SECRET_KEY": secret_key,
            "CERTWRIGHT_SITE_URL": origin,
            "CERTWRIGHT_ALLOWED_HOSTS": HOST,
            "CERTWRIGHT_CSRF_TRUSTED_ORIGINS": origin,
            "DATABASE_URL": self.postgres.url(),
            "CERTWRIGHT_DATA_DIR": str(data_dir),
            "CERTWRIGHT_SIGNING_PASSPHRASE_FILE": str(passphrase),
            # No SMTP relay here: messages are kept in memory and dropped.
            "CERTWRIGHT_EMAIL_BACKEND": "locmem",
            "CERTWRIGHT_LOG_LEVEL": "warning",
            # Two cores shared with the test's 50 clients.
            "CERTWRIGHT_WEB_WORKERS": str(web_workers),
            "CERTWRIGHT_WEB_THREADS": str(web_threads),
            "CERTWRIGHT_APP_SERVERS": ",".join(f"{HOST}:{p}" for p in self.app_ports),
            "CERTWRIGHT_NGINX_HTTP_LISTEN": f"{HOST}:{self.nginx.http_port}",
            "CERTWRIGHT_NGINX_HTTPS_LISTEN": f"{HOST}:{self.nginx.https_port}",
            "CERTWRIGHT_TLS_CERTIFICATE": str(cert),
            "CERTWRIGHT_TLS_KEY": str(key),
        }
        self.nginx.site = render_nginx(
            "\n".join(f"{k}={shlex.quote(v)}" for k, v in self.env_file.items())
        )
        self.app_servers = [
            self._process(
                f"web@{port}",
                unit_command("certwright-web@.service", str(port), self.env_file),
                {
                    # What systemd sets from the unit's RuntimeDirectory= and its
                    # Environment= line: one runtime directory each.
                    "RUNTIME_DIRECTORY": str(self._dir(f"run-web-{port}")),
                    "PROMETHEUS_MULTIPROC_DIR": str(self._dir(f"run-web-{port}")),
                    # Each part's database sessions carry its name (libpq reads
                    # PGAPPNAME), for pg_stat_activity.
                    "PGAPPNAME": f"web@{port}",
                },
                ready=lambda port=port: app_ready(port),
            )
            for port in self.app_ports
        ]
        self.task_workers = [
            self._process(
                f"worker@{n}",
                unit_command("certwright-worker@.service", str(n), self.env_file),
                {"PGAPPNAME": f"worker@{n}"},
            )
            for n in range(1, task_workers + 1)
        ]
        self._supervisor: threading.Thread | None = None
        self._stopping = threading.Event()

    def _dir(self, name: str) -> Path:
        path = self.directory / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def environment(self) -> dict[str, str]:
        """What a unit's process sees: the environment file, over a bare
        environment (PATH, HOME, the locale), as systemd gives it."""
        base = {
            k: v
            for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "PYTHONPATH")
        }
        return {**base, **self.env_file, "PYTHONUNBUFFERED": "1"}

    def _process(
        self, name: str, command: list[str], extra: dict[str, str], ready: Any = None
    ) -> Process:
        worker_id = (
            command[command.index("--worker-id") + 1]
            if "--worker-id" in command
            else ""
        )
        return Process(
            name=name,
            command=command,
            env={**self.environment(), **extra},
            log=self._dir(name) / "output.log",
            ready=ready,
            worker_id=worker_id,
        )

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.nginx.https_port}"

    def tls_context(self) -> ssl.SSLContext:
        """A client's TLS context that trusts the test certificate only."""
        return ssl.create_default_context(cafile=str(self.ca))

    def cli(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``certwright ARGS`` as an operator runs it on the host (the environment
        file sourced)."""
        return subprocess.run(
            [str(VENV_BIN / "certwright"), *args],
            env=self.environment(),
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        """Everything, in the order docs/deploy.md sets a host up."""
        self.postgres.start()
        self.postgres._run(
            "createdb", "-h", HOST, "-p", str(self.postgres.port), "-U", "postgres",
            DATABASE,
        )  # fmt: skip
        migrated = self.cli("migrate", "--noinput")
        if migrated.returncode != 0:
            raise RuntimeError(f"migrate failed:\n{migrated.stdout}{migrated.stderr}")
        self.nginx.start()
        # The app servers one after the other: each imports the app once
        # (--preload), and two at once on two cores only take longer each.
        for process in [*self.app_servers, *self.task_workers]:
            process.start()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)
        self._supervisor.start()

    def _supervise(self) -> None:
        while not self._stopping.wait(0.2):
            for process in [*self.app_servers, *self.task_workers]:
                process.supervise()

    def heal(self) -> None:
        """Bring back whatever a test took down: the database, then every
        process, as an operator would after the incident."""
        if not listening(self.postgres.port):
            self.postgres.start()
        for process in [*self.app_servers, *self.task_workers]:
            process.ensure_running()

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        self.nginx.stop()
        # Nothing of the stack outlives the test run: no graceful wait.
        for process in [*self.app_servers, *self.task_workers]:
            process.kill()
        self.postgres.stop()
        shutil.rmtree(self.postgres.directory, ignore_errors=True)

    def logs(self) -> str:
        """The tail of every part's log, for a failing test's report."""
        parts = [f"--- nginx\n{self.nginx.log_tail()}"]
        parts += [f"--- {p.name}\n{p.tail()}" for p in self.app_servers]
        parts += [f"--- {p.name}\n{p.tail()}" for p in self.task_workers]
        parts.append(f"--- postgres\n{self.postgres.log_tail()}")
        return "\n".join(parts)


@contextlib.contextmanager
def default_database(url: str) -> Iterator[None]:
    """This process's default database connection on ``url`` (the stack's), so
    the suite's factories and services write where the servers read; the
    connection the run had is put back after."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    from certwright.conf.env import database_config

    old_settings = connections.settings["default"]
    old_connection = connections["default"]
    new = connections.configure_settings({"default": database_config(url)})["default"]
    connections.settings["default"] = new
    connections["default"] = connections.create_connection("default")
    # Cached by primary key, which differs from database to database.
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = old_settings
        connections["default"] = old_connection
        ContentType.objects.clear_cache()
