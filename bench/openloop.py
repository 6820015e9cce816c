"""Open-loop HTTP load on loopback, and what the server spent on it.

Shared by the benchmarks that drive gunicorn (bench/save_answer.py,
bench/verify.py). The load is open loop: request i is due at start + i / rate
whatever happened to the requests before it, and its latency is measured from that
due time, not from when a connection was free to send it (no coordinated omission: a
stalled server shows as a queue of late requests, not as fewer, faster ones).
Requests go over keep-alive connections on raw asyncio streams, so the generator
stays far below the server's cost per request; an idle connection the server closed
is reopened and the request sent again, as a browser does. The generator shares the
machine's two cores with the server and PostgreSQL, so its own cost is kept down and
reported (``load_cpu_ms_per_request``): uvloop's event loop when it is installed (a
dev dependency; about half the CPU of asyncio's own loop per request here) and one
timeout scope per request rather than a task (``asyncio.wait_for`` makes one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import platform
import shlex
import ssl
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

HOST = "127.0.0.1"
T = TypeVar("T")

# What a request is: its bytes, and a check of the answer ("" when it is right, else
# what was wrong, for the error samples).
Check = Callable[[int, bytes], str]
NextRequest = Callable[[], tuple[bytes, Check]]


class StaleConnection(Exception):
    """The server had closed an idle keep-alive connection: nothing was answered."""


class Connection:
    """One HTTP/1.1 keep-alive connection (raw asyncio streams: the generator must
    stay far below the server's cost per request on its one core); over TLS when
    given an ``ssl`` context (nginx in front, bench/save_answer.py --behind-nginx)."""

    def __init__(self, port: int, ssl: ssl.SSLContext | None = None) -> None:
        self.port = port
        self.ssl = ssl
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0

    async def exchange(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                HOST, self.port, ssl=self.ssl
            )
            self.used = 0
        assert self.reader is not None
        reused = self.used > 0
        self.used += 1
        try:
            self.writer.write(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.close()
            if reused and not getattr(error, "partial", b""):
                raise StaleConnection from None
            raise
        status = int(head[9:12])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _sep, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Phase:
    """What one phase sent and got back."""

    name: str
    rate: float
    duration: float
    sent: int = 0
    ok: int = 0
    errors: int = 0
    reopened: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    service_ms: list[float] = field(default_factory=list, repr=False)
    error_samples: list[str] = field(default_factory=list)
    loadavg: list[float] = field(default_factory=list)
    server_cpu_s: float = 0.0
    db_cpu_s: float = 0.0
    # CPU seconds of the generator itself (this process) during the phase.
    load_cpu_s: float = 0.0

    @staticmethod
    def quantile(values: list[float], q: float) -> float:
        if not values:
            return 0.0
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def row(self) -> dict[str, Any]:
        lat = self.latencies_ms
        return {
            "phase": self.name,
            "rate": self.rate,
            "duration_s": self.duration,
            "sent": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "reopened": self.reopened,
            "achieved_per_s": round(self.ok / self.elapsed, 1) if self.elapsed else 0,
            "p50_ms": round(self.quantile(lat, 0.50), 1),
            "p95_ms": round(self.quantile(lat, 0.95), 1),
            "p99_ms": round(self.quantile(lat, 0.99), 1),
            "max_ms": round(max(lat), 1) if lat else 0.0,
            "service_p50_ms": round(self.quantile(self.service_ms, 0.50), 1),
            "service_p99_ms": round(self.quantile(self.service_ms, 0.99), 1),
            # Cores' worth of CPU the server used: near 1 with one core means it
            # was CPU-bound (the load average, by contrast, counts its runnable
            # worker threads too).
            "server_cores": round(self.server_cpu_s / self.elapsed, 2)
            if self.elapsed
            else 0,
            "server_cpu_ms_per_request": round(1000 * self.server_cpu_s / self.ok, 2)
            if self.ok
            else 0,
            "db_cpu_ms_per_request": round(1000 * self.db_cpu_s / self.ok, 2)
            if self.ok
            else 0,
            "load_cpu_ms_per_request": round(1000 * self.load_cpu_s / self.sent, 2)
            if self.sent
            else 0,
            "loadavg": self.loadavg,
            "error_samples": self.error_samples,
        }


async def run(
    phase: Phase,
    port: int,
    next_request: NextRequest,
    *,
    connections: int,
    timeout: float,
    ssl: ssl.SSLContext | None = None,
) -> None:
    """Send ``phase.rate`` requests a second for ``phase.duration`` seconds, each
    due at its own time, over ``connections`` keep-alive connections (TLS ones with
    an ``ssl`` context); wait for the last answer."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[float | None] = asyncio.Queue()
    total = int(phase.rate * phase.duration)
    start = loop.time() + 0.05

    async def produce() -> None:
        for i in range(total):
            due = start + i / phase.rate
            delay = due - loop.time()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            queue.put_nowait(due)
        for _ in range(connections):
            queue.put_nowait(None)

    async def consume() -> None:
        conn = Connection(port, ssl)
        while True:
            due = await queue.get()
            if due is None:
                conn.close()
                return
            data, check = next_request()
            phase.sent += 1
            sent = loop.time()
            try:
                async with asyncio.timeout(timeout):
                    try:
                        status, body = await conn.exchange(data)
                    except StaleConnection:
                        phase.reopened += 1
                        status, body = await conn.exchange(data)
            except Exception as error:
                conn.close()
                outcome = f"{type(error).__name__}: {error}"[:200]
            else:
                outcome = check(status, body)
            done = loop.time()
            if outcome:
                phase.errors += 1
                if len(phase.error_samples) < 5:
                    phase.error_samples.append(outcome)
            else:
                phase.ok += 1
            phase.latencies_ms.append((done - due) * 1000)
            phase.service_ms.append((done - sent) * 1000)

    began = time.perf_counter()
    cpu = time.process_time()
    await asyncio.gather(produce(), *(consume() for _ in range(connections)))
    phase.elapsed = time.perf_counter() - began
    phase.load_cpu_s = time.process_time() - cpu


def drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run the load's coroutine to its end on uvloop's event loop when installed
    (cheaper per request, so more of the shared cores go to the server), else on
    asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# =====================================================================================
# Measuring the server's side
# =====================================================================================


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each of these processes (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


class CpuMeter:
    """CPU seconds used by a changing set of processes (``pids()``), read from
    /proc every ``every`` seconds in a thread: a process that starts meanwhile
    counts whole, one that ends (a recycled database connection) counts up to its
    last reading."""

    def __init__(self, pids: Callable[[], list[int]], every: float = 0.5) -> None:
        self.pids = pids
        self.every = every
        self.start = cpu_seconds(pids())
        self.last = dict(self.start)
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(self.every):
            self.last.update(cpu_seconds(self.pids()))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        self.last.update(cpu_seconds(self.pids()))
        return sum(s - self.start.get(pid, 0.0) for pid, s in self.last.items())


def postgres_pids(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` (their titles name it; other
    engineers' databases on the same server are left out)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if title.startswith("postgres:") and f" {database} " in title:
                pids.append(int(entry.name))
    return pids


def cpus_parse(text: str) -> set[int] | None:
    """'0,1' -> {0, 1}; 'all' -> None (not pinned). Cores this machine lacks are
    dropped (a one-core machine runs both sides on its one core)."""
    if text == "all":
        return None
    have = os.sched_getaffinity(0)
    wanted = {int(c) for c in text.split(",") if c.strip()} & have
    return wanted or None


def server_pids(server: Any) -> list[int]:
    return [server.process.pid, *server.worker_pids()]


def machine(root: Path) -> dict[str, Any]:
    """The machine and software a gunicorn benchmark ran on, its load average at the
    start and the command (relative to ``root``), for BENCHMARKS.md."""
    import django
    import gunicorn

    cpu, memory = "?", "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
        "command": shlex.join([os.path.relpath(sys.executable, root), *sys.argv]),
    }
