"""Reading badges: the DID document and a technician's own credentials."""

from __future__ import annotations

from typing import Any

from certwright.badges.models import IssuedCredential
from certwright.badges.services import issuer_did, signing_keys_in_document
from certwright.vc.contexts import DID_V1, MULTIKEY_V1


def did_document() -> dict[str, Any]:
    """The issuer's DID document: its keys as Multikeys, all for assertionMethod."""
    did = issuer_did()
    methods = [
        {
            "id": f"{did}#{key.key_id}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_multibase,
        }
        for key in signing_keys_in_document()
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


def credential_owned(*, technician_id: int, uuid: str) -> IssuedCredential | None:
    """A technician's own credential, or None (someone else's looks the same)."""
    return IssuedCredential.objects.filter(
        technician_id=technician_id, uuid=uuid
    ).first()


def credential_filename(cred: IssuedCredential) -> str:
    return f"{cred.code}.json"
