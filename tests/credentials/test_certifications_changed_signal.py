"""``credentials.signals.certifications_changed``: sent after the recompute that
changed a technician's certifications commits, with the changed rows."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from certwright.credentials.signals import certifications_changed
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_the_signal_carries_the_technician_and_the_changed_rows(
    experienced: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receiver listening
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    certifications_changed.connect(listen, dispatch_uid="test-listen")
    try:
        # when a pass is recorded and the recompute commits
        with django_capture_on_commit_callbacks(execute=True):
            result_record(
                technician_id=experienced.pk,
                test="A1",
                date=ago(months=1),
                kind="initial",
                outcome="pass",
                source="test",
            )
        # and a recompute that changes nothing runs
        with django_capture_on_commit_callbacks(execute=True):
            technician_recompute(technician_id=experienced.pk)
    finally:
        certifications_changed.disconnect(dispatch_uid="test-listen")

    # then the first was announced once, with A1's before and after; the second not
    assert len(heard) == 1
    assert heard[0]["technician_id"] == experienced.pk
    (change,) = heard[0]["changes"]
    assert change["test"] == "A1"
    assert change["before"] is None
    assert change["after"]["status"] == "certified"
