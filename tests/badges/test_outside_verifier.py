"""digitalbazaar's verifier (tools/vc-verify, node) checks our credentials against the
live test server: the DID document over did:web, the status list over http."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from certwright.badges.keys import signing_key_rotate
from certwright.badges.models import SigningKey
from certwright.badges.services import technician_credentials_issue
from tests.support.badges import certified_candidate

ROOT = Path(__file__).resolve().parents[2]
VERIFIER = ROOT / "tools" / "vc-verify"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


@pytest.fixture(autouse=True)
def _installed() -> None:
    if not (VERIFIER / "node_modules").is_dir():
        pytest.fail("tools/vc-verify has no node_modules: run `make install` (npm ci)")


@pytest.fixture
def site(live_server: LiveServer, settings: Any) -> str:
    # The issuer's DID is then did:web:localhost%3APORT, resolvable from the test.
    settings.CERTWRIGHT_SITE_URL = live_server.url
    return str(live_server.url)


def verify(document: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document))
    done = subprocess.run(
        ["node", str(VERIFIER / "verify.mjs"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_genuine_credential_verifies_and_changes_do_not(
    site: str, issuer_key: SigningKey, tmp_path: Path
) -> None:
    # Given a genuine credential issued by the live site
    technician = certified_candidate("Outside Check", ("A1",))
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    assert doc["issuer"]["id"].startswith("did:web:localhost%3A")
    # Then the outside verifier accepts it, not revoked
    result = verify(doc, tmp_path)
    assert result == {"verified": True, "revoked": False, "error": None}
    # When the name, achievement, dates or identifier change, it fails
    for change in (
        lambda d: d.__setitem__("name", "A9 Something Else"),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "X"),
        lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z"),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__(
            "identityHash", "CW-000-000-000"
        ),
    ):
        changed = copy.deepcopy(doc)
        change(changed)
        assert verify(changed, tmp_path)["verified"] is False


def test_a_revoked_certification_is_reported_revoked(
    site: str, issuer_key: SigningKey, tmp_path: Path
) -> None:
    # Given a credential, then its certification revoked
    technician = certified_candidate("Revoked Outside", ("A1",))
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    call_command("revoke", technician.certification_id, "A1", reason="misconduct")
    # Then the verifier reads the served status list and reports it revoked
    # (the proof itself still holds: "verified" is about the signature)
    assert verify(doc, tmp_path) == {"verified": True, "revoked": True, "error": None}


def test_a_key_not_listed_as_assertion_method_fails(
    site: str, issuer_key: SigningKey, tmp_path: Path
) -> None:
    # Given a credential signed by a key that then rotated out and whose record of
    # what it signed is cleared (as if all had expired): it leaves the DID document
    technician = certified_candidate("Old Key", ("A1",))
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    signing_key_rotate()
    SigningKey.objects.filter(key_id="key-1").update(signed_valid_until=None)
    # Then the verifier refuses the proof
    result = verify(doc, tmp_path)
    assert result["verified"] is False
    assert "key-1" in (result["error"] or "")
