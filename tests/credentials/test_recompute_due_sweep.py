"""The daily sweep (``recompute --due``) visits only technicians whose state changes
by the calendar on or before the day, plus any left stale."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from certwright.candidates.services import experience_record_add
from certwright.credentials.models import Certification, RecomputeRun
from certwright.credentials.recompute import (
    certifications_recompute_all,
    technician_recompute,
)
from certwright.credentials.services import result_record
from tests.support.dates import ago

pytestmark = pytest.mark.django_db


def test_the_sweep_expires_what_is_due_and_leaves_the_rest(
    make_technician, record_pass
):
    """On the day a certification expires, the sweep derives the expiry; technicians
    not due are not visited."""
    # given one technician whose A8 expires on ``due`` and one far from any change
    due_tech, later_tech = make_technician(), make_technician()
    for t in (due_tech, later_tech):
        experience_record_add(
            technician_id=t.pk, kind="employment", start=ago(years=12), approved=True
        )
    record_pass(due_tech, "A8", ago(years=4, months=11))
    record_pass(later_tech, "A8", ago(months=1))
    for t in (due_tech, later_tech):
        technician_recompute(technician_id=t.pk)
    due_tech.refresh_from_db()
    due = due_tech.next_change_on
    assert due is not None
    # when the sweep runs as of that day
    run = certifications_recompute_all(as_of=due, due_only=True)
    # then only the due technician was visited, and its A8 is expired
    assert run.processed == 1
    assert Certification.objects.get(technician=due_tech).status == "expired"
    assert Certification.objects.get(technician=later_tech).status == "certified"


def test_the_sweep_also_catches_stale_technicians(experienced):
    """A technician whose recompute never ran (a lost task) is derived by the sweep."""
    # given a fact recorded without its after-commit recompute running
    result_record(
        technician_id=experienced.pk,
        test="A1",
        date=ago(months=1),
        kind="initial",
        outcome="pass",
        source="test",
    )
    experienced.refresh_from_db()
    assert experienced.is_stale
    # when the daily sweep runs through the command
    call_command("recompute", "--due", "--no-progress")
    # then the technician is derived
    assert Certification.objects.get(technician=experienced).status == "certified"
    experienced.refresh_from_db()
    assert not experienced.is_stale
    assert RecomputeRun.objects.get().scope == "due"


def test_the_sweep_handed_to_the_task_queue_does_the_same(experienced, capsys):
    """``recompute --due --enqueue`` runs the same sweep in the task worker (the
    immediate backend of tests runs it at once); ``--enqueue`` with named
    technicians is refused."""
    # given a stale technician
    result_record(
        technician_id=experienced.pk,
        test="A1",
        date=ago(months=1),
        kind="initial",
        outcome="pass",
        source="test",
    )
    # when the sweep is enqueued
    call_command("recompute", "--due", "--enqueue")
    # then it ran as a due run, and the technician is derived
    assert "enqueued" in capsys.readouterr().out
    assert Certification.objects.get(technician=experienced).status == "certified"
    assert RecomputeRun.objects.get().scope == "due"
    # and --enqueue with named technicians says so
    with pytest.raises(CommandError, match="--enqueue goes with --all, --due or"):
        call_command("recompute", str(experienced.pk), "--enqueue")


def test_named_technicians_are_recomputed_by_certification_id(experienced, capsys):
    """``certwright recompute CW-...`` recomputes the named technicians."""
    # given a stale technician
    result_record(
        technician_id=experienced.pk,
        test="A2",
        date=ago(days=10),
        kind="initial",
        outcome="pass",
        source="test",
    )
    # when named on the command line, the way a person might type the ID
    typed = experienced.certification_id.lower().replace("-", " ")
    call_command("recompute", typed)
    # then it is derived
    assert "recomputed 1 technicians, 1 changed" in capsys.readouterr().out
    assert Certification.objects.get(technician=experienced).test == "A2"


def test_an_unknown_technician_is_an_input_error(db):
    """An ID that is no technician's exits with status 2 and names it."""
    from django.core.management.base import CommandError

    # when the command names a technician that does not exist
    with pytest.raises(CommandError) as info:
        call_command("recompute", "12345")
    # then it fails as an input error naming the ID
    assert info.value.returncode == 2
    assert "12345" in str(info.value)
