"""Demo data for signed credentials: the issuer's signing key.

``make run`` sets a development passphrase (``CERTWRIGHT_SIGNING_PASSPHRASE``,
docs/configuration.md) so the demo can sign; without one the demo makes no key and
says so, and the credentials page says credentials are unavailable.
"""

from __future__ import annotations

from certwright.badges.keys import (
    SigningKeyError,
    signing_key_active,
    signing_key_create,
)
from certwright.badges.services import issuer_did


def demo_load() -> str:
    """A signing key unless one exists; the line the demo prints about it."""
    key = signing_key_active()
    if key is None:
        try:
            key = signing_key_create(actor="demo")
        except SigningKeyError as exc:
            return f"signed credentials: no signing key ({exc})"
    return f"signed credentials: issuer {issuer_did()}, key {key.key_id}"
