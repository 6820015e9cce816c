"""did:web identifiers from a site URL, and back (the did:web method specification)."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit


class DidWebError(ValueError):
    pass


def did_from_url(site_url: str) -> str:
    """The site's DID: a port percent-encoded, a path as colons.

    ``https://certs.example.org:8443/issuers/ase`` →
    ``did:web:certs.example.org%3A8443:issuers:ase``.
    """
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DidWebError(f"not an http(s) URL with a host: {site_url!r}")
    host = parts.hostname
    if parts.port is not None:
        host += quote(f":{parts.port}", safe="")
    path = [quote(p, safe="") for p in parts.path.split("/") if p]
    return ":".join(["did:web", host, *path])


def url_from_did(did: str, scheme: str = "https") -> str:
    """The DID document's URL: ``/.well-known/did.json``, or ``/path/did.json``."""
    if not did.startswith("did:web:"):
        raise DidWebError(f"not a did:web identifier: {did!r}")
    segments = did[len("did:web:") :].split("#", 1)[0].split(":")
    if not segments[0]:
        raise DidWebError(f"did:web without a host: {did!r}")
    host = unquote(segments[0])
    path = "/".join(unquote(s) for s in segments[1:])
    return (
        f"{scheme}://{host}/{path}/did.json"
        if path
        else f"{scheme}://{host}/.well-known/did.json"
    )
