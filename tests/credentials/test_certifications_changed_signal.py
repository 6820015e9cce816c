"""Credentials tells the apps above it (shops) which technicians' certifications a
recompute changed, after commit, and says nothing when nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.credentials.recompute import technician_recompute
from certwright.credentials.signals import certifications_changed
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_a_changing_recompute_tells_after_commit_and_a_quiet_one_does_not(
    experienced: Any, record_pass: Any, django_capture_on_commit_callbacks: Any
) -> None:
    heard: list[tuple[int, ...]] = []

    def listen(sender: Any, *, technician_ids: tuple[int, ...], **kw: Any) -> None:
        heard.append(technician_ids)

    certifications_changed.connect(listen)
    try:
        # given a pass recorded (its recompute left to this test)
        with django_capture_on_commit_callbacks(execute=False):
            record_pass(experienced, "A1", ago(months=1))
        # when recomputed, then the technician is told of after commit only
        with django_capture_on_commit_callbacks(execute=True):
            technician_recompute(technician_id=experienced.pk)
            assert heard == []
        assert heard == [(experienced.pk,)]
        # when recomputed again with nothing new, then nothing is told
        with django_capture_on_commit_callbacks(execute=True):
            technician_recompute(technician_id=experienced.pk)
        assert heard == [(experienced.pk,)]
    finally:
        certifications_changed.disconnect(listen)
