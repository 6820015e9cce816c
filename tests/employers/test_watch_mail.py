"""The employer's watch: a weekly digest of changes among the technicians who share,
and an e-mail at once on a revocation; each change reported once; nothing unless the
organization's administrator turned it on."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase

from certwright.accounts.models import OrganizationWatch, WatchReport
from certwright.accounts.roster import NEWLY_CERTIFIED_DAYS
from certwright.accounts.watch import (
    organization_watch_set,
    watch_digest_send,
    watch_digests_send,
)
from certwright.audit.models import Event
from certwright.candidates.services import experience_record_add
from certwright.core.clock import now, today
from certwright.credentials.models import Certification, CertificationStatus
from certwright.credentials.services import result_record, revocation_record
from tests.support.employers import certification_put, employer, sharing_technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched() -> dict[str, Any]:
    """An employer with one technician per kind of change."""
    organization, boss = employer()
    expiring = sharing_technician(organization, "Ben Expiring")
    certification_put(expiring, "A2", expires_in_days=30)
    lapsed = sharing_technician(organization, "Cy Lapsed")
    certification_put(
        lapsed, "A3", status=CertificationStatus.EXPIRED, expires_in_days=-10
    )
    revoked = sharing_technician(organization, "Di Revoked")
    certification_put(revoked, "A4", status=CertificationStatus.REVOKED)
    new = sharing_technician(organization, "Ed New")
    certification_put(
        new, "A5", certified_days_ago=NEWLY_CERTIFIED_DAYS - 5, expires_in_days=1800
    )
    steady = sharing_technician(organization, "Ada Steady")
    certification_put(steady, "A1", expires_in_days=700)
    return {"organization": organization, "boss": boss}


def _watch(oid: int, *, digest: bool, revocation: bool) -> None:
    organization_watch_set(
        organization_id=oid, weekly_digest=digest, revocation_email=revocation
    )


def _digest(outbox: list[Any]) -> str:
    found = [m for m in outbox if "among your technicians" in m.subject]
    assert len(found) == 1, [m.subject for m in outbox]
    return str(found[0].body)


def test_the_digest_reports_each_kind_of_change_to_the_administrators(
    watched: dict[str, Any],
) -> None:
    # given the weekly digest turned on
    oid = watched["organization"].pk
    organization_watch_set(
        organization_id=oid, weekly_digest=True, revocation_email=False
    )

    # when the daily job runs
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = watch_digests_send()

    # then one mail, to the administrator, with a line for each change
    assert sent == 1
    assert mail.outbox[-1].to == ["boss@fleet.test"]
    body = _digest(mail.outbox)
    assert mail.outbox[-1].subject == "Fleet Motors: 4 changes among your technicians"
    for line in [
        "Ben Expiring", "A2", "Cy Lapsed", "A3", "Di Revoked", "A4", "Ed New", "A5",
    ]:  # fmt: skip
        assert line in body
    assert "Ada Steady" not in body
    for heading in [
        "Revoked:",
        "Lapsed:",
        "Expiring within 90 days:",
        "Newly certified:",
    ]:
        assert heading in body
    assert "/account/organizations/" in body
    assert WatchReport.objects.filter(organization_id=oid).count() == 4
    assert Event.objects.filter(kind="organization.watch_sent").count() == 1


def test_each_change_is_reported_once(watched: dict[str, Any]) -> None:
    # given a digest already sent
    oid = watched["organization"].pk
    organization_watch_set(
        organization_id=oid, weekly_digest=True, revocation_email=False
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        watch_digests_send()
    count = len(mail.outbox)

    # when the job runs again the same day, and a week later with nothing new
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = watch_digests_send()
        forced = watch_digest_send(organization_id=oid)
    with (
        time_machine.travel(now() + dt.timedelta(days=7)),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        next_week = watch_digests_send()

    # then nothing more is sent
    assert (again, forced, next_week) == (0, 0, 0)
    assert len(mail.outbox) == count


def test_a_new_change_is_reported_in_the_next_weeks_digest(
    watched: dict[str, Any],
) -> None:
    # given a digest sent, then a renewal that moves Ben's expiry, and a new lapse
    oid = watched["organization"].pk
    organization_watch_set(
        organization_id=oid, weekly_digest=True, revocation_email=False
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        watch_digests_send()
    Certification.objects.filter(test="A2").update(
        expires_on=today() + dt.timedelta(days=60)
    )
    mail.outbox.clear()

    # when a week has passed
    with (
        time_machine.travel(now() + dt.timedelta(days=7)),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        sent = watch_digests_send()

    # then only the news is in it
    assert sent == 1
    body = _digest(mail.outbox)
    assert "Ben Expiring" in body
    assert "Cy Lapsed" not in body


def test_digest_off_sends_nothing(watched: dict[str, Any]) -> None:
    # given the settings never turned on, then turned on and off again
    oid = watched["organization"].pk
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert watch_digests_send() == 0
    organization_watch_set(
        organization_id=oid, weekly_digest=True, revocation_email=True
    )
    organization_watch_set(
        organization_id=oid, weekly_digest=False, revocation_email=True
    )

    # when the job runs
    with TestCase.captureOnCommitCallbacks(execute=True):
        sent = watch_digests_send()

    # then no mail and nothing recorded as reported
    assert sent == 0
    assert mail.outbox == []
    assert not WatchReport.objects.exists()


def test_the_command_sends_the_due_digests(
    watched: dict[str, Any], capsys: Any
) -> None:
    # given
    organization_watch_set(
        organization_id=watched["organization"].pk,
        weekly_digest=True,
        revocation_email=False,
    )

    # when
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("watch", "digest")

    # then
    assert "1 digest(s) sent" in capsys.readouterr().out
    _digest(mail.outbox)


def _certified_in_a1(organization: Any) -> Any:
    technician = sharing_technician(organization, "Rae Revocable")
    day = today()
    with TestCase.captureOnCommitCallbacks(execute=True):
        experience_record_add(
            technician_id=technician.pk,
            kind="employment",
            start=day.replace(year=day.year - 3),
            approved=True,
        )
        result_record(
            technician_id=technician.pk,
            test="A1",
            date=day - dt.timedelta(days=200),
            kind="initial",
            outcome="pass",
            source="test",
        )
    assert Certification.objects.get(technician=technician, test="A1").status == (
        CertificationStatus.CERTIFIED
    )
    return technician


def _revoke(technician: Any) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        revocation_record(
            technician_id=technician.pk,
            test="A1",
            date=today(),
            reason="Misconduct at the test centre",
        )


def test_a_revocation_is_mailed_at_once_and_once(watched: dict[str, Any]) -> None:
    # given the revocation e-mail on (the digest too) and a certified technician
    organization = watched["organization"]
    organization_watch_set(
        organization_id=organization.pk, weekly_digest=True, revocation_email=True
    )
    technician = _certified_in_a1(organization)
    mail.outbox.clear()

    # when the body revokes the certification (the recompute runs after commit)
    _revoke(technician)

    # then the administrator is told at once, without the reason
    assert Certification.objects.get(technician=technician, test="A1").status == (
        CertificationStatus.REVOKED
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@fleet.test"]
    assert message.subject == "Certification revoked: Rae Revocable, A1"
    assert technician.certification_id in message.body
    assert "Misconduct" not in message.body

    # and neither a recompute that changes nothing nor the digest repeats it
    mail.outbox.clear()
    _revoke(technician)
    with TestCase.captureOnCommitCallbacks(execute=True):
        watch_digest_send(organization_id=organization.pk)
    assert all("Rae Revocable" not in m.body for m in mail.outbox)
    assert all("revoked" not in m.subject.lower() for m in mail.outbox)


def test_revocation_email_off_sends_nothing_and_leaves_it_for_the_digest(
    watched: dict[str, Any],
) -> None:
    # given only the digest on
    organization = watched["organization"]
    organization_watch_set(
        organization_id=organization.pk, weekly_digest=True, revocation_email=False
    )
    technician = _certified_in_a1(organization)
    mail.outbox.clear()

    # when the certification is revoked
    _revoke(technician)

    # then no mail at once; the next digest reports it
    assert mail.outbox == []
    with TestCase.captureOnCommitCallbacks(execute=True):
        watch_digest_send(organization_id=organization.pk)
    assert "Rae Revocable" in _digest(mail.outbox)


def test_a_revocation_is_not_mailed_to_an_organization_no_longer_shared_with(
    watched: dict[str, Any],
) -> None:
    # given a second organization watching, which the technician does not share with
    other, _other_boss = employer(name="Other Co", code="OTHER1", admin="x@other.test")
    organization_watch_set(
        organization_id=other.pk, weekly_digest=False, revocation_email=True
    )
    technician = _certified_in_a1(watched["organization"])
    mail.outbox.clear()

    # when
    _revoke(technician)

    # then
    assert mail.outbox == []


def test_the_administrator_chooses_on_the_organization_page(
    client: Client, watched: dict[str, Any]
) -> None:
    # given
    client.force_login(watched["boss"])
    oid = watched["organization"].pk

    # when the administrator ticks the digest only
    response = client.post(
        f"/account/organizations/{oid}/watch/", {"weekly_digest": "on"}, follow=True
    )

    # then it is saved, audited, and shown checked
    watch = OrganizationWatch.objects.get(organization_id=oid)
    assert (watch.weekly_digest, watch.revocation_email) == (True, False)
    assert Event.objects.filter(kind="organization.watch_changed").count() == 1
    page = response.content.decode()
    assert "Your e-mail settings are saved." in page
    assert 'name="weekly_digest" id="id_weekly_digest" checked' in page
