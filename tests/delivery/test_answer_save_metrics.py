"""Each answer save is counted by its outcome for Prometheus: applied, stale (a
replay or an older save, acknowledged with what is stored) or refused, by code."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from certwright.delivery.attempts import attempt_pause
from certwright.delivery.errors import DeliveryError
from tests.support.delivery import form_items, save

pytestmark = pytest.mark.django_db


def count(outcome: str, reason: str = "") -> float:
    return (
        REGISTRY.get_sample_value(
            "certwright_answer_saves_total", {"outcome": outcome, "reason": reason}
        )
        or 0.0
    )


def test_saves_are_counted_by_outcome(started, candidate, proctor, client):
    # given
    item = form_items(started)["A1-001"]
    before = {
        "applied": count("applied"),
        "stale": count("stale"),
        "choice": count("refused", "choice"),
        "paused": count("refused", "paused"),
    }

    # when: two applied, one replayed, one with a choice out of range, one paused
    save(started, item, seq=1, choice=2)
    save(started, item, seq=2, choice=3)
    save(started, item, seq=1, choice=2)
    with pytest.raises(DeliveryError):
        save(started, item, seq=3, choice=9)
    attempt_pause(attempt_id=started.pk, actor=proctor, reason="fire drill")
    with pytest.raises(DeliveryError):
        save(started, item, seq=4, choice=1)

    # then
    assert count("applied") == before["applied"] + 2
    assert count("stale") == before["stale"] + 1
    assert count("refused", "choice") == before["choice"] + 1
    assert count("refused", "paused") == before["paused"] + 1
    # and the scrape shows them
    text = client.get("/metrics").content.decode()
    assert 'certwright_answer_saves_total{outcome="refused",reason="paused"}' in text
