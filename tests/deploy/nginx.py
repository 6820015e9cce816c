"""nginx from Debian's packages, serving the site of deploy/nginx as
deploy/render_nginx.py renders it, on loopback, with a test-only certificate."""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from tests.delivery.live_server import HOST, free_port

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ENV = ROOT / "deploy" / "certwright.env.example"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
)
MIME_TYPES = Path("/etc/nginx/mime.types")


def _renderer() -> ModuleType:
    """deploy/render_nginx.py, a stand-alone script (no package), as a module."""
    path = ROOT / "deploy" / "render_nginx.py"
    spec = importlib.util.spec_from_file_location("render_nginx", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


renderer = _renderer()


def env_file_read(text: str) -> dict[str, str]:
    result: dict[str, str] = renderer.env_file_read(text)
    return result


def render_nginx(text: str, **overrides: str) -> str:
    """The site rendered from an environment file's ``text``, with ``overrides``."""
    site: str = renderer.render({**env_file_read(text), **overrides})
    return site


def certificate_make(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), for this test only."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Nginx:
    """nginx in the foreground of its own process, with a main configuration that
    includes the rendered site (as /etc/nginx/nginx.conf includes sites-enabled)."""

    directory: Path
    site: str
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    # "auto" (one per core) is what Debian's /etc/nginx/nginx.conf sets; a test
    # needs one.
    worker_processes: str = "1"
    process: subprocess.Popen[bytes] | None = None

    def main_config(self) -> str:
        d = self.directory
        user = "user root;" if os.geteuid() == 0 else ""
        return f"""
{user}
worker_processes {self.worker_processes};
pid {d}/nginx.pid;
error_log {d}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    include {d}/site.conf;
}}
"""

    def start(self) -> None:
        assert NGINX is not None
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "site.conf").write_text(self.site)
        (self.directory / "nginx.conf").write_text(self.main_config())
        command = [NGINX, "-p", str(self.directory), "-c", "nginx.conf"]
        check = subprocess.run(
            [*command, "-t"], capture_output=True, text=True, check=False
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the site:\n{check.stderr}")
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=(self.directory / "stderr.log").open("ab"),
            start_new_session=True,
        )
        give_up = time.monotonic() + 15
        import socket

        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.log_tail()}")
            with socket.socket() as probe:
                if probe.connect_ex((HOST, self.https_port)) == 0:
                    return
            time.sleep(0.05)
        raise TimeoutError(f"nginx did not listen: {self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGQUIT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def pids(self) -> list[int]:
        """The master and its workers (from /proc), for their CPU time."""
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [pid, *(int(child) for child in children)]

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = (self.directory / "error.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def access_log(self) -> list[str]:
        try:
            return (self.directory / "access.log").read_text().splitlines()
        except OSError:
            return []
