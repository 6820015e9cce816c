"""Verifying a credential against its issuer's DID document (already fetched)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from certwright.vc.multibase import MultibaseError, ed25519_public_from_multikey
from certwright.vc.proof import ProofError, single_proof, verify


def assertion_key(did_document: Mapping[str, Any], method_id: str) -> Ed25519PublicKey:
    """The Ed25519 key of ``method_id``, which the DID document must list under
    ``assertionMethod`` (else a key it merely knows could sign credentials)."""
    if not method_id.startswith(f"{did_document.get('id')}#"):
        raise ProofError(f"{method_id} is not a key of {did_document.get('id')}")
    listed = did_document.get("assertionMethod", [])
    if method_id not in listed:
        raise ProofError(f"{method_id} is not listed as an assertionMethod")
    for method in did_document.get("verificationMethod", []):
        if method.get("id") == method_id and method.get("type") == "Multikey":
            try:
                raw = ed25519_public_from_multikey(method.get("publicKeyMultibase", ""))
            except MultibaseError as exc:
                raise ProofError(f"{method_id}: {exc}") from exc
            return Ed25519PublicKey.from_public_bytes(raw)
    raise ProofError(f"{method_id} is not in the DID document")


def credential_verify(
    document: Mapping[str, Any], did_document: Mapping[str, Any]
) -> dict[str, Any]:
    """Check the proof with the issuer's key; return the proof or raise ProofError."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id != did_document.get("id"):
        raise ProofError("the credential's issuer is not the DID document's subject")
    proof = single_proof(document)
    key = assertion_key(did_document, str(proof.get("verificationMethod", "")))
    return verify(document, key)
