"""Reading badges: the DID document and a technician's own credentials."""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery

from certwright.audit.personal_data import export_part
from certwright.badges.keys import signing_keys_active
from certwright.badges.models import IssuedCredential, StatusList
from certwright.badges.services import issuer_did, signing_keys_in_document
from certwright.candidates.models import Technician
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


def status_list_etag_of(list_id: int, version: int, key_id: str) -> str:
    """The ETag of a status list's signed credential: its version and signing key
    name its content (a stored JSON document may come back with its keys in another
    order, PostgreSQL's jsonb, so a hash of the body would not be stable)."""
    return f'"{list_id}-{version}-{key_id}"'


def status_list_current_etag(list_id: int) -> str | None:
    """The ETag the list is served with now, read in one query without the list's
    bits or signed document; None when the list is unknown or its stored signature
    is out of date (a bit set or the key rotated since), which the full path
    handles. Verifiers revalidate the list for every credential they check, so the
    usual answer, 304, should cost no more than this."""
    row = (
        StatusList.objects.filter(pk=list_id)
        .annotate(active_key=Subquery(signing_keys_active().values("key_id")[:1]))
        .values_list("version", "signed_version", "signed_key", "active_key")
        .first()
    )
    if row is None:
        return None
    version, signed_version, signed_key, active_key = row
    if not signed_key or signed_version != version or signed_key != active_key:
        return None
    return status_list_etag_of(list_id, version, signed_key)


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """badges' part of the technician's data export: the signed credentials issued
    to them, each with its document as signed."""
    return export_part(IssuedCredential.objects.filter(technician_id=technician.pk))
