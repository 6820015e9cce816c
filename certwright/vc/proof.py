"""The ``eddsa-rdfc-2022`` Data Integrity proof (W3C VC Data Integrity EdDSA
Cryptosuites v1.0): create and verify, on RDFC-1.0 canonical N-Quads.

Checked against the test vectors in the specification's appendix (tests/vc).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from pyld import jsonld

from certwright.vc.contexts import UnknownContextError, document_loader
from certwright.vc.multibase import MultibaseError, base58btc_decode, base58btc_encode

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """A proof cannot be made or does not verify; the message says why."""


def canonicalize(
    document: Mapping[str, Any],
    extra_contexts: Mapping[str, dict[str, Any]] | None = None,
) -> str:
    """RDFC-1.0 (PyLD's ``URDNA2015``) canonical N-Quads of a JSON-LD document."""
    try:
        result: str = jsonld.normalize(
            dict(document),
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": document_loader(extra_contexts),
            },
        )
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, UnknownContextError):
                raise cause from exc
            cause = getattr(cause, "cause", None) or cause.__cause__
        raise ProofError(f"JSON-LD processing failed: {exc}") from exc
    return result


def hash_data(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    extra_contexts: Mapping[str, dict[str, Any]] | None = None,
) -> bytes:
    """The 64 bytes signed: SHA-256 of canonical proof options, then of the document."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof_options.items() if k != "proofValue"}
    options["@context"] = document["@context"]
    proof_hash = hashlib.sha256(
        canonicalize(options, extra_contexts).encode("utf-8")
    ).digest()
    doc_hash = hashlib.sha256(
        canonicalize(unsigned, extra_contexts).encode("utf-8")
    ).digest()
    return proof_hash + doc_hash


def proof_options(
    verification_method: str, created: str, proof_purpose: str = "assertionMethod"
) -> dict[str, Any]:
    return {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    extra_contexts: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The document with an ``eddsa-rdfc-2022`` proof added (the input is not changed).

    ``created`` is an XML Schema dateTime in UTC, e.g. ``2026-03-01T00:00:00Z``.
    """
    if "@context" not in document:
        raise ProofError("the document has no @context")
    options = proof_options(verification_method, created)
    signature = private_key.sign(hash_data(document, options, extra_contexts))
    signed = {k: v for k, v in document.items() if k != "proof"}
    signed["proof"] = {**options, "proofValue": base58btc_encode(signature)}
    return signed


def single_proof(document: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document's one proof: an object, or an array of one (Open Badges 3.0's
    schema wants an array)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, Mapping):
        raise ProofError("the document has no proof, or more than one")
    return proof


def verify(
    document: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    extra_contexts: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Check the document's proof with the key; return the proof, or raise ProofError.

    Resolving ``verificationMethod`` to the key (and checking that the issuer's DID
    document lists it under ``assertionMethod``) is the caller's part.
    """
    proof = single_proof(document)
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(f"not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofError("the proof has no proofValue")
    try:
        signature = base58btc_decode(value)
    except MultibaseError as exc:
        raise ProofError(f"proofValue: {exc}") from exc
    try:
        public_key.verify(signature, hash_data(document, proof, extra_contexts))
    except InvalidSignature as exc:
        raise ProofError("the signature does not match the document") from exc
    return dict(proof)
