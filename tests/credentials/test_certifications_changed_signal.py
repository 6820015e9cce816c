"""``credentials.signals.certifications_changed``: sent once the recompute that
changed technicians' certifications commits, once per transaction, with each
technician's changed rows; nothing when nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.credentials.recompute import technician_recompute
from certwright.credentials.services import result_record
from certwright.credentials.signals import certifications_changed
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_the_signal_carries_each_technician_and_the_changed_rows_after_commit(
    experienced: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a receiver listening
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    certifications_changed.connect(listen, dispatch_uid="test-listen")
    try:
        # when a pass is recorded and its recompute runs, then nothing is told
        # before the commit
        with django_capture_on_commit_callbacks(execute=True):
            result_record(
                technician_id=experienced.pk,
                test="A1",
                date=ago(months=1),
                kind="initial",
                outcome="pass",
                source="test",
            )
            assert heard == []
        # and a recompute that changes nothing runs
        with django_capture_on_commit_callbacks(execute=True):
            technician_recompute(technician_id=experienced.pk)
    finally:
        certifications_changed.disconnect(dispatch_uid="test-listen")

    # then the first was told once, with A1's before and after; the second not
    assert len(heard) == 1
    assert list(heard[0]["changes"]) == [experienced.pk]
    (change,) = heard[0]["changes"][experienced.pk]
    assert change["test"] == "A1"
    assert change["before"] is None
    assert change["after"]["status"] == "certified"
