"""A recognised shop's signed Open Badges 3.0 credential: downloaded from its public
entry, checked by digitalbazaar's verifier against the live server, and reported
revoked through the status list once the recognition ends."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from certwright.badges.models import CredentialKind, IssuedCredential, SigningKey
from certwright.shops.models import Employment, EmploymentSide
from certwright.shops.services import employment_end
from tests.support.badges import verify
from tests.support.shops import employ, passes_record, shop_make, technician_make

pytestmark = pytest.mark.django_db(transaction=True)


def _recognised(name: str) -> tuple[Any, Employment]:
    shop = shop_make(name)
    technician = technician_make(f"{name} Tech")
    passes_record(technician, ["A1"])
    return shop, employ(shop, technician)


def test_a_recognised_shop_downloads_its_credential_once_per_recognition(
    client: Client, issuer_key: SigningKey
) -> None:
    # given a recognised shop
    shop, _employment = _recognised("Oak Garage")
    # when its credential is downloaded from the public entry, twice
    entry = client.get(f"/shops/{shop.code}/").content.decode()
    assert f"/shops/{shop.code}/credential.json" in entry
    first = client.get(f"/shops/{shop.code}/credential.json")
    second = client.get(f"/shops/{shop.code}/credential.json")
    # then it is one signed OpenBadgeCredential naming the shop and its level
    assert first.status_code == 200
    assert first.content == second.content
    doc = json.loads(first.content)
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["credentialSubject"]["identifier"][0]["identityHash"] == shop.code
    assert doc["credentialSubject"]["achievement"]["name"] == doc["name"]
    assert (
        "certified technician"
        in doc["credentialSubject"]["achievement"]["criteria"]["narrative"]
    )
    assert IssuedCredential.objects.filter(kind=CredentialKind.SHOP).count() == 1


def test_a_shop_without_recognition_has_no_credential(
    client: Client, issuer_key: SigningKey
) -> None:
    # given a shop nobody certified works at
    shop = shop_make("Bare Garage")
    # then there is no credential to download, and an unknown code is 404 too
    assert client.get(f"/shops/{shop.code}/credential.json").status_code == 404
    assert client.get("/shops/NOPE/credential.json").status_code == 404


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_outside_verifier_accepts_it_and_sees_it_revoked_when_recognition_ends(
    live_server: LiveServer, settings: Any, issuer_key: SigningKey, tmp_path: Path
) -> None:
    # given the live site as issuer and a recognised shop's credential
    settings.CERTWRIGHT_SITE_URL = live_server.url
    shop, employment = _recognised("Pine Garage")
    client = Client()
    doc = json.loads(client.get(f"/shops/{shop.code}/credential.json").content)
    # then a standard verifier accepts it, not revoked
    assert verify(doc, tmp_path) == {"verified": True, "revoked": False, "error": None}
    # when its only certified technician leaves, so the recognition ends
    employment_end(employment_id=employment.pk, side=EmploymentSide.SHOP)
    # then the same credential is reported revoked through the served status list
    assert verify(doc, tmp_path) == {"verified": True, "revoked": True, "error": None}
    # and the entry offers none
    assert client.get(f"/shops/{shop.code}/credential.json").status_code == 404
