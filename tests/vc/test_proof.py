"""The eddsa-rdfc-2022 proof against the W3C specification's test vectors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certwright.vc import proof
from certwright.vc.contexts import UnknownContextError
from certwright.vc.multibase import (
    base58btc_decode,
    ed25519_private_from_multikey,
    ed25519_public_from_multikey,
    ed25519_public_multikey,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "eddsa_rdfc_2022_vectors.json").read_text()
)
EXTRA = VECTORS["exampleContexts"]


def _key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(
        ed25519_private_from_multikey(VECTORS["keyPair"]["privateKeyMultibase"])
    )


def _unsigned() -> dict[str, Any]:
    return {k: v for k, v in VECTORS["signed"].items() if k != "proof"}


def test_the_key_pair_round_trips_through_multikey() -> None:
    # Given the spec's private key
    public = (
        _key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    # Then its public multikey is the spec's, and decodes back
    assert ed25519_public_multikey(public) == VECTORS["keyPair"]["publicKeyMultibase"]
    assert (
        ed25519_public_from_multikey(VECTORS["keyPair"]["publicKeyMultibase"]) == public
    )


def test_canonical_forms_and_hashes_match_the_spec() -> None:
    # Given the spec's unsigned credential and proof options
    options = {k: v for k, v in VECTORS["signed"]["proof"].items() if k != "proofValue"}
    options["@context"] = VECTORS["signed"]["@context"]
    # When canonicalized
    doc = proof.canonicalize(_unsigned(), EXTRA)
    opts = proof.canonicalize(options, EXTRA)
    # Then the N-Quads and their hashes are the spec's
    assert doc == VECTORS["canonicalDocument"]
    assert opts == VECTORS["canonicalProofOptions"]
    combined = proof.hash_data(_unsigned(), VECTORS["signed"]["proof"], EXTRA)
    assert combined.hex() == VECTORS["proofOptionsHash"] + VECTORS["documentHash"]
    assert hashlib.sha256(doc.encode()).hexdigest() == VECTORS["documentHash"]


def test_signing_gives_the_specs_proof_value() -> None:
    # Given the spec's key, document, method and creation time
    p = VECTORS["signed"]["proof"]
    # When signed
    signed = proof.sign(
        _unsigned(), _key(), p["verificationMethod"], p["created"], EXTRA
    )
    # Then the proof is exactly the spec's (Ed25519 is deterministic)
    assert signed["proof"] == p
    assert base58btc_decode(p["proofValue"]) == bytes.fromhex(VECTORS["signatureHex"])


def test_the_specs_credential_verifies_and_a_changed_one_does_not() -> None:
    # Given the spec's signed credential
    public = _key().public_key()
    # Then it verifies
    proof.verify(VECTORS["signed"], public, EXTRA)
    # When a claim changes, it no longer does
    changed = json.loads(json.dumps(VECTORS["signed"]))
    changed["credentialSubject"]["alumniOf"] = "Another School"
    with pytest.raises(proof.ProofError, match="does not match"):
        proof.verify(changed, public, EXTRA)
    # Nor with another key
    with pytest.raises(proof.ProofError):
        proof.verify(
            VECTORS["signed"], Ed25519PrivateKey.generate().public_key(), EXTRA
        )


def test_an_unknown_context_is_refused_not_fetched() -> None:
    # Given a document naming a context the project does not ship
    doc = {
        **_unsigned(),
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://evil.example/ctx",
        ],
    }
    # Then canonicalizing it is an error naming the URL
    with pytest.raises(UnknownContextError, match=r"evil\.example"):
        proof.canonicalize(doc)


def test_a_context_given_by_the_caller_is_not_kept_for_the_next_call() -> None:
    # Shipped contexts stay resolved in PyLD's per-process cache (tagged static); one a
    # caller passes in must not, or the next call with another document under the same
    # URL would canonicalize against the first.
    url = "https://example.org/contexts/changing.jsonld"
    doc = {"@context": url, "@id": "urn:x:1", "term": "value"}
    first = {url: {"@context": {"term": "https://example.org/vocab#first"}}}
    second = {url: {"@context": {"term": "https://example.org/vocab#second"}}}

    # When the same document is canonicalized with each context in turn
    one = proof.canonicalize(doc, first)
    two = proof.canonicalize(doc, second)

    # Then each call used its own context
    assert "vocab#first" in one
    assert "vocab#second" not in one
    assert "vocab#second" in two
    assert "vocab#first" not in two
