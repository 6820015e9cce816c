"""The issuer's signing keys: created and rotated, stored encrypted.

The passphrase comes from ``CERTWRIGHT_SIGNING_PASSPHRASE`` or the file named by
``CERTWRIGHT_SIGNING_PASSPHRASE_FILE`` (docs/configuration.md), read when a key is
used, so it is never in the database and never kept in settings.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.db.models import QuerySet

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.badges.models import SigningKey
from certwright.core.clock import now
from certwright.vc.multibase import ed25519_public_multikey


class SigningKeyError(Exception):
    """No usable signing key: no passphrase, a wrong one, or no key yet."""


def signing_passphrase() -> bytes:
    value = os.environ.get("CERTWRIGHT_SIGNING_PASSPHRASE", "")
    if not value:
        path = os.environ.get("CERTWRIGHT_SIGNING_PASSPHRASE_FILE", "")
        if path:
            try:
                value = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SigningKeyError(
                    f"CERTWRIGHT_SIGNING_PASSPHRASE_FILE: cannot read {path}: {exc}"
                ) from exc
    if not value:
        raise SigningKeyError(
            "no signing passphrase: set CERTWRIGHT_SIGNING_PASSPHRASE or "
            "CERTWRIGHT_SIGNING_PASSPHRASE_FILE"
        )
    return value.encode("utf-8")


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    try:
        loaded = serialization.load_pem_private_key(
            key.private_pem.encode("ascii"), password=signing_passphrase()
        )
    except ValueError as exc:
        raise SigningKeyError(
            f"cannot decrypt signing key {key.key_id}: wrong passphrase?"
        ) from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {key.key_id} is not an Ed25519 key")
    return loaded


def _new_key(actor: Actor) -> SigningKey:
    secret = Ed25519PrivateKey.generate()
    public = secret.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = secret.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(signing_passphrase()),
    ).decode("ascii")
    # Numbered after the keys there are (never deleted), not the row id, which a
    # database sequence may have moved past.
    taken = SigningKey.objects.values_list("key_id", flat=True)
    number = 1 + max((int(k.rsplit("-", 1)[1]) for k in taken), default=0)
    key = SigningKey.objects.create(
        key_id=f"key-{number}",
        public_multibase=ed25519_public_multikey(public),
        private_pem=pem,
        created_at=now(),
    )
    event_record(
        kind=EventKind.SIGNING_KEY_CREATED,
        subject=f"signing_key:{key.key_id}",
        actor=actor,
        data={"publicKeyMultibase": key.public_multibase},
    )
    return key


def signing_keys_active() -> QuerySet[SigningKey]:
    """The keys not retired, newest first: the first signs (one definition, also
    used as a subquery by the status list's ETag)."""
    return SigningKey.objects.filter(retired_at__isnull=True).order_by("-id")


def signing_key_active() -> SigningKey | None:
    return signing_keys_active().first()


def signing_key_create(*, actor: Actor = None) -> SigningKey:
    """The first key; refuses when one is active (rotate instead)."""
    with transaction.atomic():
        if (
            SigningKey.objects.select_for_update()
            .filter(retired_at__isnull=True)
            .exists()
        ):
            raise SigningKeyError("a signing key exists already: rotate it instead")
        return _new_key(actor)


def signing_key_rotate(*, actor: Actor = None) -> SigningKey:
    """Retire the active key and make a new one. The retired key stays in the DID
    document while anything it signed is still valid."""
    with transaction.atomic():
        old = list(
            SigningKey.objects.select_for_update().filter(retired_at__isnull=True)
        )
        signing_passphrase()  # fail before retiring anything
        for key in old:
            key.retired_at = now()
            key.save(update_fields=["retired_at"])
            event_record(
                kind=EventKind.SIGNING_KEY_ROTATED,
                subject=f"signing_key:{key.key_id}",
                actor=actor,
                data={"signed_valid_until": key.signed_valid_until},
            )
        return _new_key(actor)
