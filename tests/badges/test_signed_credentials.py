"""Signed Open Badges credentials: issued for what is in force, kept while the state
holds, verified with the served DID document, revoked through the status list."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from certwright.badges.keys import (
    SigningKeyError,
    signing_key_create,
    signing_key_rotate,
)
from certwright.badges.models import IssuedCredential, SigningKey
from certwright.badges.services import technician_credentials_issue
from certwright.candidates.models import Technician
from certwright.vc import status_list
from certwright.vc.proof import ProofError
from certwright.vc.verify import credential_verify
from tests.support.badges import certified_candidate

pytestmark = pytest.mark.django_db


def _did(client: Client) -> dict[str, Any]:
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def _status_bit(client: Client, document: dict[str, Any]) -> bool:
    entry = document["credentialStatus"]
    path = entry["statusListCredential"].split("testserver", 1)[1]
    listed = client.get(path).json()
    # The list itself is signed by the issuer
    credential_verify(listed, _did(client))
    bits = status_list.decode(listed["credentialSubject"]["encodedList"])
    return status_list.get_bit(bits, int(entry["statusListIndex"]))


def test_a_certification_in_force_gets_a_credential_that_verifies(
    issuer_key: SigningKey, client: Client
) -> None:
    # Given a technician certified in A1 and A2
    technician = certified_candidate("Ada Lovelace", ("A1", "A2"))
    # When their credentials are issued
    creds = technician_credentials_issue(technician_id=technician.pk)
    # Then there is one per certification, naming the test, the technician and dates
    assert [c.code for c in creds] == ["A1", "A2"]
    doc = creds[0].document
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["name"] == "A1 Engine Repair"
    ids = {
        i["identityType"]: i["identityHash"]
        for i in doc["credentialSubject"]["identifier"]
    }
    assert ids == {"identifier": technician.certification_id, "name": "Ada Lovelace"}
    cert = technician.certifications.get(test="A1")
    assert cert.certified_on is not None
    assert cert.expires_on is not None
    assert doc["validFrom"] == f"{cert.certified_on.isoformat()}T00:00:00Z"
    assert doc["validUntil"] == f"{cert.expires_on.isoformat()}T00:00:00Z"
    # And it verifies against the served DID document, not revoked
    assert credential_verify(doc, _did(client))["verificationMethod"].endswith("#key-1")
    assert _status_bit(client, doc) is False


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("name", "A9 Something Else"),
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Master"),
        lambda d: d.__setitem__("validUntil", "2099-01-01T00:00:00Z"),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__(
            "identityHash", "CW99999999"
        ),
    ],
    ids=["name", "achievement", "dates", "identifier"],
)
def test_a_changed_claim_fails_verification(
    issuer_key: SigningKey, client: Client, change: Any
) -> None:
    # Given a genuine credential
    technician = certified_candidate("Grace Hopper")
    doc = copy.deepcopy(
        technician_credentials_issue(technician_id=technician.pk)[0].document
    )
    # When a claim in it is changed
    change(doc)
    # Then it no longer verifies
    with pytest.raises(ProofError, match="does not match"):
        credential_verify(doc, _did(client))


def test_the_same_state_keeps_its_credential_and_index(issuer_key: SigningKey) -> None:
    # Given a credential issued once
    technician = certified_candidate("Alan Turing")
    first = technician_credentials_issue(technician_id=technician.pk)
    # When asked again with nothing changed
    again = technician_credentials_issue(technician_id=technician.pk)
    # Then it is the same credential, not a new one
    assert [c.uuid for c in again] == [c.uuid for c in first]
    assert IssuedCredential.objects.count() == 1


def test_revoking_sets_the_served_status_bit(
    issuer_key: SigningKey, client: Client
) -> None:
    # Given a technician holding a signed A1 credential
    technician = certified_candidate("Edsger Dijkstra")
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    # When A1 is revoked from the command line, as the admin does
    call_command("revoke", technician.certification_id, "A1", reason="fraud found")
    # Then the served status list reports it revoked, and no new one is issued
    assert _status_bit(client, doc) is True
    assert technician_credentials_issue(technician_id=technician.pk) == []
    assert IssuedCredential.objects.get().revoked_at is not None


def test_the_status_list_answers_304_to_its_etag(
    issuer_key: SigningKey, client: Client
) -> None:
    # Given a served status list
    technician = certified_candidate("Barbara Liskov")
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    path = doc["credentialStatus"]["statusListCredential"].split("testserver", 1)[1]
    first = client.get(path)
    assert "max-age" in first["Cache-Control"]
    # When asked again with its ETag
    second = client.get(path, headers={"if-none-match": first["ETag"]})
    # Then 304, and after a revocation the ETag changes
    assert second.status_code == 304
    call_command("revoke", technician.certification_id, "A1", reason="withdrawn")
    third = client.get(path, headers={"if-none-match": first["ETag"]})
    assert third.status_code == 200
    assert third["ETag"] != first["ETag"]
    assert client.get("/credentials/status/999").status_code == 404


def test_revalidating_the_status_list_is_one_query_until_the_key_rotates(
    issuer_key: SigningKey,
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    # Given a served status list and its ETag
    technician = certified_candidate("Frances Allen")
    doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    path = doc["credentialStatus"]["statusListCredential"].split("testserver", 1)[1]
    etag = client.get(path)["ETag"]
    # When a verifier revalidates its copy, it costs one query and gets 304
    with django_assert_num_queries(1):
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304
    # When the key rotates, the same ETag gets the list signed again, with a new ETag
    signing_key_rotate()
    fresh = client.get(path, headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag
    credential_verify(fresh.json(), _did(client))
    # And the new ETag revalidates
    assert client.get(path, headers={"if-none-match": fresh["ETag"]}).status_code == 304


def test_the_key_is_stored_encrypted_and_needs_the_passphrase(
    db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given no passphrase: no key can be made
    monkeypatch.delenv("CERTWRIGHT_SIGNING_PASSPHRASE", raising=False)
    monkeypatch.delenv("CERTWRIGHT_SIGNING_PASSPHRASE_FILE", raising=False)
    with pytest.raises(SigningKeyError, match="CERTWRIGHT_SIGNING_PASSPHRASE"):
        signing_key_create()
    assert not SigningKey.objects.exists()
    # When the passphrase is given in a file
    secret = tmp_path / "passphrase"
    secret.write_text("correct horse battery staple\n")
    monkeypatch.setenv("CERTWRIGHT_SIGNING_PASSPHRASE_FILE", str(secret))
    key = signing_key_create()
    # Then the stored private key is encrypted PKCS#8, the passphrase nowhere in it
    assert key.private_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "correct horse" not in key.private_pem
    # And a wrong passphrase cannot sign
    technician = certified_candidate("Wrong Pass")
    monkeypatch.setenv("CERTWRIGHT_SIGNING_PASSPHRASE", "wrong")
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        technician_credentials_issue(technician_id=technician.pk)
    assert not IssuedCredential.objects.exists()


def test_rotation_keeps_a_key_while_what_it_signed_is_valid(
    passphrase: str, client: Client
) -> None:
    # Given a key that signed a credential, and a key that signed nothing
    call_command("badges", "key-create")
    technician = certified_candidate("Key Rotation")
    old_doc = technician_credentials_issue(technician_id=technician.pk)[0].document
    # When the key is rotated twice
    signing_key_rotate()
    signing_key_rotate()
    # Then the DID document lists the key that signed (its credential still
    # verifies) and the new key, not the middle one that signed nothing
    did = _did(client)
    assert [m["id"].split("#")[1] for m in did["verificationMethod"]] == [
        "key-1",
        "key-3",
    ]
    credential_verify(old_doc, did)
    # And with key-1 no longer an assertionMethod, its credential fails
    did["assertionMethod"] = [
        m for m in did["assertionMethod"] if not m.endswith("key-1")
    ]
    with pytest.raises(ProofError, match="assertionMethod"):
        credential_verify(old_doc, did)
    # And creating a key while one is active is refused
    with pytest.raises(CommandError, match="rotate"):
        call_command("badges", "key-create")


def test_a_technician_downloads_only_their_own(
    issuer_key: SigningKey, client: Client
) -> None:
    # Given two certified technicians, one signed in
    mine = certified_candidate("Signed In")
    theirs = certified_candidate("Someone Else")
    other = technician_credentials_issue(technician_id=theirs.pk)[0]
    assert mine.user is not None
    client.force_login(mine.user)
    # When she opens her credentials page (linked from the dashboard)
    assert "/credentials/mine/" in client.get("/me/").content.decode()
    page = client.get("/credentials/mine/")
    # Then it lists hers, and each downloads as JSON
    cred = IssuedCredential.objects.get(technician=mine)
    assert cred.document["name"] in page.content.decode()
    download = client.get(f"/credentials/mine/{cred.uuid}.json")
    assert download["Content-Disposition"] == 'attachment; filename="A1.json"'
    assert json.loads(download.content) == cred.document
    # And someone else's is not found
    assert client.get(f"/credentials/mine/{other.uuid}.json").status_code == 404


def test_export_writes_each_credential_in_force(
    issuer_key: SigningKey, tmp_path: Path
) -> None:
    # Given a technician certified in two tests
    technician = certified_candidate("Export Me", ("A1", "A4"))
    # When exported from the command line
    call_command(
        "credentials", "export", technician.certification_id, "--out", str(tmp_path)
    )
    # Then each is a file named after its test
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A1.json", "A4.json"]
    assert json.loads((tmp_path / "A4.json").read_text())["name"].startswith("A4 ")
    # And an unknown ID is a clear error
    with pytest.raises(CommandError, match="no technician"):
        call_command("credentials", "export", "CW-NOPE", "--out", str(tmp_path))


def test_revoke_refuses_an_unknown_test(issuer_key: SigningKey) -> None:
    technician: Technician = certified_candidate("Bad Input")
    with pytest.raises(CommandError, match="test"):
        call_command("revoke", technician.certification_id, "ZZ9", reason="x")
    assert not technician.revocations.exists()


def test_a_title_held_gets_its_own_credential(
    issuer_key: SigningKey, client: Client
) -> None:
    # Given a technician certified in A1-A8 (Master Automobile Technician)
    tests = tuple(f"A{n}" for n in range(1, 9))
    technician = certified_candidate("Master Tech", tests)
    # When credentials are issued
    creds = technician_credentials_issue(technician_id=technician.pk)
    # Then the title has one too, naming the tests it requires, and it verifies
    title = next(c for c in creds if c.kind == "title")
    assert title.code == "master-automobile"
    narrative = title.document["credentialSubject"]["achievement"]["criteria"][
        "narrative"
    ]
    assert "A1" in narrative
    assert "A8" in narrative
    credential_verify(title.document, _did(client))
    assert len(creds) == len(tests) + 1
