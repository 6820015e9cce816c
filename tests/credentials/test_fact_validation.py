"""Facts are checked against the current program before they are stored; an error
names the field. A result with a provider id is recorded once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from certwright.audit.models import Event, EventKind
from certwright.credentials.models import RenewalCredit, Revocation, TestResult
from certwright.credentials.services import (
    renewal_credit_record,
    result_record,
    revocation_record,
)
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def _result(technician, **kw):
    args = {
        "technician_id": technician.pk,
        "test": "A1",
        "date": ago(days=1),
        "kind": "initial",
        "outcome": "pass",
        "source": "test",
    }
    return result_record(**{**args, **kw})


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"test": "Z9"}, "test", "unknown test 'Z9' in program 'ase'"),
        ({"kind": "retake"}, "kind", "'retake' is not one of initial, recert"),
        (
            {"outcome": "passed"},
            "outcome",
            "'passed' is not one of pass, fail, no_show",
        ),
        ({"date": dt.date(1960, 1, 1)}, "date", "1960-01-01 is before 1970-01-01"),
    ],
)
def test_a_bad_result_is_refused_naming_the_field(experienced, kw, field, message):
    """Unknown tests, kinds and outcomes and absurd dates are refused by field."""
    # when a bad result is recorded
    with pytest.raises(ValidationError) as info:
        _result(experienced, **kw)
    # then the error names the field, and nothing was stored
    assert info.value.message_dict[field] == [message]
    assert not TestResult.objects.exists()


def test_a_result_for_no_technician_is_refused(db):
    """An unknown technician id is a validation error on ``technician_id``."""

    class Nobody:
        pk = 999_999

    with pytest.raises(ValidationError) as info:
        _result(Nobody())
    assert "technician_id" in info.value.message_dict


def test_recording_a_provider_result_twice_records_it_once(experienced):
    """The same ``external_id`` with the same content returns the stored result and
    writes no second event; with different content it is refused."""
    # given a result recorded with a provider id
    first = _result(experienced, external_id="PRV-1")
    events = Event.objects.filter(kind=EventKind.FACT_RECORDED).count()
    # when recorded again
    again = _result(experienced, external_id="PRV-1")
    # then it is the same row and nothing new was written
    assert again.pk == first.pk
    assert Event.objects.filter(kind=EventKind.FACT_RECORDED).count() == events
    # when recorded with a different outcome
    with pytest.raises(ValidationError) as info:
        _result(experienced, external_id="PRV-1", outcome="fail")
    # then it is refused
    assert "different content" in info.value.message_dict["external_id"][0]


def test_renewal_credits_and_revocations_are_checked_too(experienced):
    """A credit for an unknown test and a revocation without a reason are refused."""
    with pytest.raises(ValidationError) as info:
        renewal_credit_record(technician_id=experienced.pk, test="Q1", date=ago(days=1))
    assert "test" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        revocation_record(technician_id=experienced.pk, date=ago(days=1), reason="  ")
    assert info.value.message_dict["reason"] == ["a revocation needs a reason"]
    assert not RenewalCredit.objects.exists()
    assert not Revocation.objects.exists()


def test_every_fact_bumps_the_facts_version_and_leaves_an_event(experienced):
    """Each recorded fact marks the technician stale and has an event naming it."""
    # given the technician's version
    experienced.refresh_from_db()
    version = experienced.facts_version
    # when a result, a credit and a revocation are recorded
    result = _result(experienced)
    credit = renewal_credit_record(
        technician_id=experienced.pk, test="A1", date=ago(days=1)
    )
    revocation = revocation_record(
        technician_id=experienced.pk, date=ago(days=1), reason="fraud", test=None
    )
    # then the version went up by three and each fact has its event
    experienced.refresh_from_db()
    assert experienced.facts_version == version + 3
    subjects = set(
        Event.objects.filter(kind=EventKind.FACT_RECORDED).values_list(
            "subject", flat=True
        )
    )
    assert {
        f"result:{result.pk}",
        f"credit:{credit.pk}",
        f"revocation:{revocation.pk}",
    } <= subjects
