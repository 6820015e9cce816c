"""Verifiable credentials, pure: multikey, the eddsa-rdfc-2022 proof, Bitstring Status
List and did:web. No Django; the badges app issues with it."""
