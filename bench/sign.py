"""Signing benchmark: the median time to sign one Open Badges credential with the
eddsa-rdfc-2022 proof (certwright/vc, pure, no database), and where the time goes.

    .venv/bin/python bench/sign.py [--n 200] [--profile]

Prints the median and quartiles per credential (canonicalizing the credential and the
proof options with PyLD, hashing, Ed25519) and, with --profile, the cProfile summary
of the top functions by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certwright.vc import proof
from certwright.vc.contexts import OB_V3, VC_V2


def credential(n: int) -> dict[str, Any]:
    """A credential shaped like the ones Certwright issues."""
    return {
        "@context": [VC_V2, OB_V3],
        "id": f"urn:uuid:{uuid.UUID(int=n)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "did:web:certs.example.org",
            "type": ["Profile"],
            "name": "National Institute for Automotive Service Excellence (ASE)",
        },
        "validFrom": "2026-03-01T00:00:00Z",
        "validUntil": "2031-03-01T00:00:00Z",
        "name": "A1 Engine Repair",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "identifier",
                    "identityHash": f"CW{n:09d}",
                    "hashed": False,
                },
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "identityHash": "Ada Lovelace",
                    "hashed": False,
                },
            ],
            "achievement": {
                "id": "https://certs.example.org/achievements/certification/A1",
                "type": ["Achievement"],
                "name": "A1 Engine Repair",
                "description": "ASE Certification: A1 Engine Repair.",
                "criteria": {"narrative": "Passed the A1 test; five years."},
            },
        },
        "credentialStatus": {
            "id": f"https://certs.example.org/credentials/status/1#{n}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(n),
            "statusListCredential": "https://certs.example.org/credentials/status/1",
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="credentials to sign")
    parser.add_argument("--profile", action="store_true", help="cProfile summary")
    args = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    method = "did:web:certs.example.org#key-1"
    proof.sign(credential(0), key, method, "2026-03-01T00:00:00Z")  # warm caches
    times = []
    for i in range(1, args.n + 1):
        doc = credential(i)
        start = time.perf_counter()
        proof.sign(doc, key, method, "2026-03-01T00:00:00Z")
        times.append(time.perf_counter() - start)
    q = statistics.quantiles(times, n=4)
    median = statistics.median(times) * 1000
    print(
        f"signed {args.n} credentials: median {median:.1f} ms, "
        f"quartiles {q[0] * 1000:.1f}-{q[2] * 1000:.1f} ms"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(args.n):
            proof.sign(credential(i), key, method, "2026-03-01T00:00:00Z")
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(18)
        print(out.getvalue())


if __name__ == "__main__":
    main()
