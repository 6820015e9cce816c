"""A certificate is made once and served again while what it prints is unchanged;
a change of state (a new certification) makes it again."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.certificates.models import CertificateFile, DocumentKind
from tests.support.certificates import pass_record, pdf_text

pytestmark = pytest.mark.django_db


def _certificate(client: Any) -> bytes:
    response = client.get(reverse("certificates:download", args=["certificate"]))
    assert response.status_code == 200
    return bytes(response.content)


def _made() -> int:
    return Event.objects.filter(kind=EventKind.CERTIFICATE_MADE).count()


def test_the_stored_certificate_is_served_while_nothing_changes(
    client: Any,
    certified: tuple[Any, Technician],
    django_assert_max_num_queries: Any,
) -> None:
    """The second download is the stored file: nothing laid out, a few queries."""
    # given a certificate made once
    user, technician = certified
    client.force_login(user)
    first = _certificate(client)
    stored = CertificateFile.objects.get(
        technician=technician, kind=DocumentKind.CERTIFICATE
    )
    # when it is downloaded again
    with django_assert_max_num_queries(10):
        second = _certificate(client)
    # then the same bytes, no new file made
    assert second == first
    assert _made() == 1
    again = CertificateFile.objects.get(pk=stored.pk)
    assert again.made_at == stored.made_at


def test_a_new_certification_makes_the_certificate_again(
    client: Any, certified: tuple[Any, Technician]
) -> None:
    """A pass recorded after the first certificate shows on the next one, which
    replaces it."""
    # given a certificate made before a new pass in A5
    user, technician = certified
    client.force_login(user)
    first = _certificate(client)
    assert "A5 " not in pdf_text(first)
    digest = CertificateFile.objects.get(technician=technician).digest
    pass_record(technician, "A5")
    # when
    second = _certificate(client)
    # then a new file with A5, in place of the old one
    assert "A5 Brakes" in pdf_text(second)
    assert _made() == 2
    [stored] = CertificateFile.objects.filter(technician=technician)
    assert stored.digest != digest
    assert bytes(stored.pdf) == second
