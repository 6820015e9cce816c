"""The JSON-LD contexts the project signs with, shipped as files and never fetched.

A credential's canonical form depends on its contexts; loading them over the network
would let whoever serves them change what a signature means (and fail offline). An
unknown context URL is an error.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

CONTEXT_DIR = Path(__file__).parent / "contexts"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
STATUS_LIST_V1 = "https://www.w3.org/ns/credentials/status/v1"

# URL -> file, each copied verbatim from the npm package named in contexts/README.md.
CONTEXT_FILES: dict[str, str] = {
    VC_V2: "credentials-v2.jsonld",
    OB_V3: "ob-v3p0-context-3.0.3.json",
    DID_V1: "did-v1.jsonld",
    "https://w3id.org/did/v1": "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
    DATA_INTEGRITY_V2: "data-integrity-v2.jsonld",
    STATUS_LIST_V1: "vc-bitstring-status-list-v1.jsonld",
}


class UnknownContextError(ValueError):
    """A document names a JSON-LD context the project does not ship."""


@functools.cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8"))
    return data


def context_document(
    url: str, extra: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    if extra and url in extra:
        return copy.deepcopy(extra[url])
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise UnknownContextError(
            f"unknown JSON-LD context {url!r}: only shipped contexts are loaded"
        )
    # A copy: the JSON-LD processor must not be able to change the cached original.
    return copy.deepcopy(_load(name))


def document_loader(
    extra: Mapping[str, dict[str, Any]] | None = None,
) -> Callable[[str, dict[str, Any] | None], dict[str, Any]]:
    """A PyLD document loader: only shipped contexts (and ``extra``, for tests).

    Shipped contexts are tagged ``static``: PyLD then keeps each one resolved in its
    per-process cache, with the active contexts it has already processed from it,
    instead of loading and processing it again on every call (two thirds of a
    signature's time before). They are files of this release, so they cannot
    change under a running process. ``extra`` contexts are not tagged: a test may
    give another document for the same URL in its next call.
    """

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        document = context_document(url, extra)
        remote: dict[str, Any] = {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
        }
        if not (extra and url in extra):
            remote["tag"] = "static"
        return remote

    return load
