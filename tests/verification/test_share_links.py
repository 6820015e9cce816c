"""Share links: the technician makes them (several, labelled), each opens the
lookup's page without the name and with a QR code; a revoked link answers as an
unknown one. The technician's page: LinkedIn links, the opt-out, query counts."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.verification.models import ShareLink
from certwright.verification.selectors import technician_opted_out
from certwright.verification.services import share_link_create
from tests.support.scheduling import user_create
from tests.support.verification import certified_technician

pytestmark = pytest.mark.django_db

PAGE = "/me/share-links/"


@pytest.fixture
def tech_client(client: Client) -> tuple[Client, Technician]:
    user = user_create("ana@example.com")
    technician = certified_technician(
        "Ana García", tests=("A1", "A4"), user_id=user.pk, email=user.email
    )
    client.force_login(user)
    return client, technician


def test_the_technician_makes_two_labelled_links_and_each_opens_the_page(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    # When Ana makes two links
    for label in ("Main Street Garage", "Wallet card"):
        response = client.post(PAGE, {"action": "create", "label": label})
        assert response.status_code == 302
    links = list(ShareLink.objects.filter(technician=technician))
    # Then both are listed with their labels, each with its QR code
    page = client.get(PAGE).content.decode()
    assert "Main Street Garage" in page
    assert "Wallet card" in page
    assert page.count("<svg") == 2
    # And each opens her certifications for an anonymous visitor, with a QR code
    visitor = Client()
    for link in links:
        shown = visitor.get(f"/v/{link.token}")
        assert shown.status_code == 200
        html = shown.content.decode()
        assert "Ana García" in html
        assert "In force" in html
        assert "<svg" in html
    assert len({link.token for link in links}) == 2
    assert Event.objects.filter(kind=EventKind.SHARE_LINK_CREATED).count() == 2


def test_a_link_without_a_label_is_refused_and_nothing_is_made(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    response = client.post(PAGE, {"action": "create", "label": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ShareLink.objects.filter(technician=technician).exists()


def test_a_revoked_link_answers_like_an_unknown_one(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    link = share_link_create(technician_id=technician.pk, label="Old employer")
    visitor = Client()
    assert visitor.get(f"/v/{link.token}").status_code == 200
    # When Ana revokes it
    response = client.post(PAGE, {"action": "revoke", "link": str(link.pk)})
    assert response.status_code == 302
    # Then the link answers exactly as a token that never existed
    revoked = visitor.get(f"/v/{link.token}")
    unknown = visitor.get("/v/nosuchtoken-nosuchtoken")
    assert revoked.status_code == unknown.status_code == 404
    strip = re.compile(r'"X-CSRFToken": "[^"]*"')
    assert strip.sub("", revoked.content.decode()) == strip.sub(
        "", unknown.content.decode()
    )
    assert "Ana" not in revoked.content.decode()
    assert "no longer valid" in revoked.content.decode()


def test_nobody_revokes_another_technicians_link(
    tech_client: tuple[Client, Technician],
) -> None:
    client, _ana = tech_client
    other = certified_technician("Bo Lindqvist", tests=("A1",))
    link = share_link_create(technician_id=other.pk, label="Bo's")
    response = client.post(PAGE, {"action": "revoke", "link": str(link.pk)})
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_linkedin_links_name_each_certification_in_force(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    link = share_link_create(technician_id=technician.pk, label="LinkedIn")
    page = client.get(PAGE).content.decode()
    urls = re.findall(r'href="(https://www\.linkedin\.com/profile/add\?[^"]+)"', page)
    assert len(urls) == 2
    params = {
        k: v[0]
        for k, v in parse_qs(urlsplit(urls[0].replace("&amp;", "&")).query).items()
    }
    assert params["startTask"] == "CERTIFICATION_NAME"
    assert params["name"].startswith("A1 ")
    assert params["certId"] == technician.certification_id
    assert params["certUrl"].endswith(f"/v/{link.token}")
    assert params["organizationName"]
    assert params["issueYear"].isdigit()
    assert params["expirationYear"].isdigit()
    assert 1 <= int(params["issueMonth"]) <= 12


def test_the_technician_leaves_and_rejoins_the_lookup(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    link = share_link_create(technician_id=technician.pk, label="Still works")
    client.post(PAGE, {"action": "opt_out"})
    assert technician_opted_out(technician.pk)
    # the lookup says no match, the share link still answers
    looked_up = Client().get(
        f"/api/verify/{technician.certification_id}", {"last_name": "García"}
    )
    assert looked_up.status_code == 404
    assert Client().get(f"/v/{link.token}").status_code == 200
    assert "You are out of the public lookup" in client.get(PAGE).content.decode()
    client.post(PAGE, {"action": "opt_in"})
    assert not technician_opted_out(technician.pk)
    assert Event.objects.filter(kind=EventKind.LOOKUP_OPT_OUT_SET).count() == 2


def test_the_dashboard_links_to_the_share_links_page(
    tech_client: tuple[Client, Technician],
) -> None:
    client, _technician = tech_client
    assert reverse("verification:share_links") in client.get("/me/").content.decode()


def test_an_account_without_a_technician_record_is_told_so(client: Client) -> None:
    client.force_login(user_create("nobody@example.com"))
    response = client.get(PAGE)
    assert response.status_code == 403


def test_the_pages_query_counts_do_not_grow_with_links(
    tech_client: tuple[Client, Technician], django_assert_max_num_queries: Any
) -> None:
    client, technician = tech_client
    for n in range(8):
        share_link_create(technician_id=technician.pk, label=f"Link {n}")
    link = ShareLink.objects.filter(technician=technician).first()
    assert link is not None
    with django_assert_max_num_queries(14):
        assert client.get(PAGE).status_code == 200
    with django_assert_max_num_queries(8):
        assert Client().get(f"/v/{link.token}").status_code == 200


def test_the_technician_corrects_the_last_name_the_lookup_asks_for(
    client: Client,
) -> None:
    # Given María, whose last name was taken as the last word of her name
    user = user_create("maria@example.com")
    maria = certified_technician(
        "María de la Cruz", tests=("A1",), user_id=user.pk, email=user.email
    )
    client.force_login(user)
    assert Technician.objects.get(pk=maria.pk).family_name == "Cruz"
    page = client.get(PAGE).content.decode()
    assert "the last name employers type is <strong>Cruz</strong>" in page

    def lookup(name: str) -> int:
        return int(
            Client()
            .get(f"/api/verify/{maria.certification_id}", {"last_name": name})
            .status_code
        )

    assert lookup("de la Cruz") == 404
    # When she says her last name is "de la Cruz"
    response = client.post(PAGE, {"action": "family_name", "family_name": "de la cruz"})
    # Then it is saved as her name spells it, audited, and employers find her by it
    assert response.status_code == 302
    assert Technician.objects.get(pk=maria.pk).family_name == "de la Cruz"
    assert lookup("DE LA CRUZ") == 200
    assert lookup("Cruz") == 404
    assert Event.objects.filter(
        kind=EventKind.TECHNICIAN_UPDATED, technician_id=maria.pk
    ).exists()


def test_a_last_name_outside_the_recorded_name_is_refused_and_nothing_changes(
    tech_client: tuple[Client, Technician],
) -> None:
    client, technician = tech_client
    before = Event.objects.count()
    # When Ana gives a last name that is not part of her recorded name
    for wrong in ("Smith", "Garc", "   "):
        response = client.post(PAGE, {"action": "family_name", "family_name": wrong})
        # Then the page says why (or that it is required), and nothing changed
        assert response.status_code == 200
        text = response.content.decode()
        assert "must be one or more words of your name" in text or (
            "This field is required" in text
        )
    assert Technician.objects.get(pk=technician.pk).family_name == "García"
    assert Event.objects.count() == before
    # And any whole words of her recorded name are accepted (the program cannot know
    # which part is the family name), kept as her name spells them
    client.post(PAGE, {"action": "family_name", "family_name": "ana GARCIA"})
    assert Technician.objects.get(pk=technician.pk).family_name == "Ana García"
