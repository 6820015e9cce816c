"""GET /api/ready: the database, the task queue and storage, each checked; 503 with
the failing check named when one fails (liveness stays /api/health)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_ready_when_every_check_passes(client: Client, tmp_path: Path) -> None:
    # given: the database task queue and a writable media directory
    with override_settings(TASKS=DATABASE_QUEUE, MEDIA_ROOT=tmp_path):
        # when
        response = client.get("/api/ready")
    # then
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok", "detail": ""},
            "tasks": {"status": "ok", "detail": ""},
            "storage": {"status": "ok", "detail": ""},
        },
    }
    # the probe file is gone again
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_the_immediate_backend_has_no_queue_to_check(
    client: Client, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.get("/api/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == {
        "status": "skipped",
        "detail": "ImmediateBackend",
    }


def test_not_ready_when_the_database_does_not_answer(
    client: Client, tmp_path: Path
) -> None:
    """Every query fails, as when the server is gone: 503, database and tasks
    failed, storage still ok; the body names no more than the error's class."""

    def gone(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        raise OperationalError("connection to server at 10.0.0.5 refused")

    # given
    with (
        override_settings(TASKS=DATABASE_QUEUE, MEDIA_ROOT=tmp_path),
        connection.execute_wrapper(gone),
    ):
        # when
        response = client.get("/api/ready")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "status": "failed",
        "detail": "OperationalError",
    }
    assert body["checks"]["tasks"]["status"] == "failed"
    assert body["checks"]["storage"]["status"] == "ok"
    assert "10.0.0.5" not in response.content.decode()


def test_not_ready_when_storage_cannot_be_written(
    client: Client, tmp_path: Path
) -> None:
    # given: the media "directory" is a file
    blocked = tmp_path / "media"
    blocked.write_text("not a directory")
    with override_settings(MEDIA_ROOT=blocked):
        # when
        response = client.get("/api/ready")
    # then
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"]["status"] == "failed"
    assert checks["database"]["status"] == "ok"


def test_the_openapi_document_describes_both_answers(client: Client) -> None:
    document = client.get("/api/openapi.json").json()
    answers = document["paths"]["/api/ready"]["get"]["responses"]
    assert set(answers) == {"200", "503"}
