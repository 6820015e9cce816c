"""The demo candidate's e-mails go to candidate@example.com, the address she signs
in with, not to a demo-only address nobody reads (issue 8, item 5)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from certwright.accounts.demo import demo_load as accounts_demo_load
from certwright.audit.models import Event
from certwright.candidates.models import Technician
from certwright.candidates.services import technician_create
from certwright.credentials.demo import demo_load as credentials_demo_load
from certwright.notifications.models import OutboundEmail
from certwright.scheduling.demo import demo_load as scheduling_demo_load

pytestmark = pytest.mark.django_db

SIGN_IN = "candidate@example.com"


def test_her_booking_confirmation_goes_to_the_address_she_signs_in_with(
    django_capture_on_commit_callbacks,
):
    """The demo books Priya's A5: its confirmation (with the calendar file) is
    addressed to candidate@example.com, her technician record has that address,
    and no demo mail goes to exam-day@demo.certwright.example."""
    # when the demo loads
    with django_capture_on_commit_callbacks(execute=True):
        accounts_demo_load()
        scheduling_demo_load()
    # then her sign-in and her technician record share one address
    user = get_user_model().objects.get(email=SIGN_IN)
    priya = Technician.objects.get(user=user)
    assert (priya.name, priya.email) == ("Priya Raman", SIGN_IN)
    # then the A5 booking confirmation was written to that address
    booked = [m for m in OutboundEmail.objects.all() if "A5" in m.subject]
    assert booked, [m.subject for m in OutboundEmail.objects.all()]
    assert all(m.to == [SIGN_IN] for m in booked), [m.to for m in booked]
    assert not any(
        "exam-day@" in address for m in OutboundEmail.objects.all() for address in m.to
    )


def test_an_older_demo_candidate_takes_her_sign_in_address():
    """A database loaded by an older demo (Priya at exam-day@demo...) is updated
    through the service, with an audit event: one Priya, at candidate@example.com."""
    # given Priya as an older demo recorded her
    old = technician_create(
        name="Priya Raman", email="exam-day@demo.certwright.example", actor="test"
    )
    # when the demo loads again
    credentials_demo_load()
    # then she is the one Priya, at the address she signs in with
    (priya,) = Technician.objects.filter(name="Priya Raman")
    assert (priya.pk, priya.email) == (old.pk, SIGN_IN)
    assert Event.objects.filter(
        kind="technician.updated", technician_id=old.pk
    ).exists()
