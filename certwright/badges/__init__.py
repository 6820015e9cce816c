"""Signed Open Badges 3.0 credentials: the issuer's keys and DID document, issuing,
and the revocation status list."""
