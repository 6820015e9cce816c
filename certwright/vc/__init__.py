"""Verifiable credentials, pure: Data Integrity proofs (eddsa-rdfc-2022), multikeys,
did:web, the Bitstring Status List encoding and the JSON-LD contexts shipped with the
project. No Django, no database, no clock (times are passed in)."""
