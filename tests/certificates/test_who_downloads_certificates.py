"""A technician downloads only their own certificate, from a page the portal links
to; nothing in force gets a clear message instead of an empty PDF; program staff
download any technician's from the technician's admin page; others are refused and
the signed-out are sent to sign in."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from certwright.candidates.models import Technician
from certwright.certificates.models import CertificateFile
from tests.support.certificates import account_technician, pdf_text

pytestmark = pytest.mark.django_db


def test_the_dashboard_links_to_the_certificates_page(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """The portal dashboard links to the page, which links to both downloads."""
    # given
    user, _technician = certified
    client.force_login(user)
    # when
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    page = client.get(reverse("certificates:mine")).content.decode()
    # then
    assert f'href="{reverse("certificates:mine")}"' in dashboard
    assert f'href="{reverse("certificates:download", args=["certificate"])}"' in page
    assert f'href="{reverse("certificates:download", args=["wallet-card"])}"' in page


def test_nothing_in_force_gets_a_message_not_a_pdf(client: Any) -> None:
    """A technician without a certification sees why there is nothing to print; a
    download link leads back to that page."""
    # given a technician who passed nothing
    user, technician = account_technician("Nolan None", "nolan@example.com")
    client.force_login(user)
    # when
    page = client.get(reverse("certificates:mine"))
    download = client.get(reverse("certificates:download", args=["certificate"]))
    # then
    message = "You have no certification in force"
    assert message in page.content.decode()
    assert "certificate.pdf" not in page.content.decode()
    assert download.status_code == 302
    assert download["Location"] == reverse("certificates:mine")
    assert not CertificateFile.objects.filter(technician=technician).exists()


def test_the_signed_out_are_sent_to_sign_in(client: Any) -> None:
    """Every certificates URL asks an anonymous visitor to sign in."""
    for url in (
        reverse("certificates:mine"),
        reverse("certificates:download", args=["certificate"]),
        reverse("certificates:download", args=["wallet-card"]),
        reverse("certificates:staff_download", args=[1, "certificate"]),
    ):
        # when
        response = client.get(url)
        # then
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


def test_a_technician_gets_only_their_own(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """Another technician's own download gives their own certificate, and the
    staff URL naming Casey is refused to them."""
    # given Casey, and Dana signed in
    _casey_user, casey = certified
    dana_user, _dana = account_technician(
        "Dana Other", "dana@example.com", passed=("A1",)
    )
    client.force_login(dana_user)
    # when
    own = client.get(reverse("certificates:download", args=["certificate"]))
    other = client.get(
        reverse("certificates:staff_download", args=[casey.pk, "certificate"])
    )
    # then
    assert "Dana Other" in pdf_text(own.content)
    assert "Casey Certified" not in pdf_text(own.content)
    assert other.status_code == 403
    assert not CertificateFile.objects.filter(technician=casey).exists()


def test_an_unknown_document_kind_is_not_found(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    # given
    user, _technician = certified
    client.force_login(user)
    # when
    response = client.get(reverse("certificates:download", args=["diploma"]))
    # then
    assert response.status_code == 404


def test_an_account_without_a_technician_record_is_told_so(client: Any) -> None:
    # given
    user = get_user_model().objects.create_user(
        username="x", email="x@example.com", password=None
    )
    client.force_login(user)
    # when
    response = client.get(reverse("certificates:mine"))
    # then
    assert response.status_code == 403
    assert "no technician record" in response.content.decode()


def test_program_staff_download_any_technicians_from_the_admin_page(
    client: Any, certified: tuple[Any, Technician], admin_user: Any
) -> None:
    """The technician's admin page links to the certificate and wallet card."""
    # given program staff signed in
    _user, casey = certified
    client.force_login(admin_user)
    url = reverse("certificates:staff_download", args=[casey.pk, "certificate"])
    # when
    admin_page = client.get(
        reverse("admin:candidates_technician_change", args=[casey.pk])
    ).content.decode()
    response = client.get(url)
    # then
    assert f'href="{url}"' in admin_page
    assert response.status_code == 200
    assert "Casey Certified" in pdf_text(response.content)


def test_staff_asking_for_nothing_in_force_are_told_so(
    client: Any, admin_user: Any
) -> None:
    """Program staff are sent back to the technician's admin page with a warning."""
    # given a technician with nothing in force
    _user, nolan = account_technician("Nolan None", "nolan@example.com")
    client.force_login(admin_user)
    # when
    response = client.get(
        reverse("certificates:staff_download", args=[nolan.pk, "wallet-card"]),
        follow=True,
    )
    # then
    assert response.redirect_chain[-1][0] == reverse(
        "admin:candidates_technician_change", args=[nolan.pk]
    )
    assert "Nolan None has no certification in force" in response.content.decode()
    assert not CertificateFile.objects.filter(technician=nolan).exists()
