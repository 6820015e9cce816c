"""The demo makes the issuer's key with the passphrase `make run` sets, once."""

from __future__ import annotations

import pytest

from certwright.badges.demo import demo_load
from certwright.badges.models import SigningKey

pytestmark = pytest.mark.django_db


def test_the_demo_makes_one_key_with_a_passphrase(passphrase: str) -> None:
    # When the demo loads twice
    first = demo_load()
    second = demo_load()
    # Then there is one key, named in both lines
    assert SigningKey.objects.count() == 1
    assert first == second
    assert "key-1" in first


def test_without_a_passphrase_the_demo_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CERTWRIGHT_SIGNING_PASSPHRASE", raising=False)
    monkeypatch.delenv("CERTWRIGHT_SIGNING_PASSPHRASE_FILE", raising=False)
    assert "no signing key" in demo_load()
    assert not SigningKey.objects.exists()
