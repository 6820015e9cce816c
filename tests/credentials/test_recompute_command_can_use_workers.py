"""`certwright recompute --workers N` really shares the run out to N processes: its
progress bar starts no thread that would make the recompute refuse to fork."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command

from certwright.credentials import recompute as recompute_module
from certwright.credentials.management.commands import recompute as command_module

pytestmark = pytest.mark.django_db


def test_the_progress_bar_leaves_the_process_single_threaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the run continues with a visible progress bar, no other thread runs,
    so the fork guard lets the worker processes start."""
    # given: the run's continuation records how many threads it would fork from
    seen: dict[str, Any] = {}
    original = recompute_module.recompute_run_continue

    def spy(run: Any, **kwargs: Any) -> Any:
        seen["threads"] = threading.active_count()
        seen["workers"] = kwargs["workers"]
        return original(run, **kwargs)

    monkeypatch.setattr(command_module, "recompute_run_continue", spy)
    before = threading.active_count()

    # when
    call_command("recompute", "--all", "--workers", "2")

    # then
    assert seen == {"threads": before, "workers": 2}
