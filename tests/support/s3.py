"""A real S3-compatible server on loopback (moto in server mode, its own process)
and the app's uploads pointed at a bucket on it.

``s3_storage`` starts ``python -m moto.server`` on a free port, creates a bucket
with boto3 and switches ``STORAGES["default"]`` to what ``CERTWRIGHT_STORAGE=s3``
with these variables configures (``certwright.conf.env.media_storage``), so the
test runs the settings an operator writes. The yielded ``S3Server`` reads the
bucket directly (what is stored, and who may read it) and can be stopped, as a
storage outage.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.test import override_settings

from certwright.conf.env import Env, media_storage

HOST = "127.0.0.1"
BUCKET = "certwright-media"
# moto accepts any credentials; these are what the app is configured with.
KEY_ID = "certwright-test"
SECRET = "certwright-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class S3Server:
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def client(self) -> Any:
        """A boto3 client of the server (a second reader, not the app)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
        )

    def start(self, *, timeout: float = 30.0) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        give_up = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"moto exited: {self.log.read_text()[-2000:]}")
            try:
                self.client().list_buckets()
                return
            except Exception:
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server; returns once nothing listens on its port."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        body: bytes = self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return body


def s3_environment(server: S3Server, **extra: str) -> dict[str, str]:
    """The variables an operator sets for this server (docs/storage.md)."""
    return {
        "CERTWRIGHT_STORAGE": "s3",
        "CERTWRIGHT_S3_BUCKET": BUCKET,
        "CERTWRIGHT_S3_ENDPOINT_URL": server.endpoint,
        "CERTWRIGHT_S3_REGION": "us-east-1",
        "CERTWRIGHT_S3_ADDRESSING_STYLE": "path",
        "CERTWRIGHT_S3_ACCESS_KEY_ID": KEY_ID,
        "CERTWRIGHT_S3_SECRET_ACCESS_KEY": SECRET,
        **extra,
    }


@pytest.fixture
def s3_storage(tmp_path: Path, settings: Any) -> Iterator[S3Server]:
    """Uploads go to a bucket on a moto server; ``MEDIA_ROOT`` is an empty
    directory that must stay empty."""
    server = S3Server(log=tmp_path / "moto.log")
    server.start()
    try:
        server.client().create_bucket(Bucket=BUCKET)
        settings.MEDIA_ROOT = tmp_path / "media"
        storages = {
            **settings.STORAGES,
            "default": media_storage(Env(s3_environment(server))),
        }
        with override_settings(STORAGES=storages):
            yield server
    finally:
        server.stop()
