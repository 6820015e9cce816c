"""One list of event kinds: the writers refuse any other, every kind is documented,
and no module spells a kind as its own string."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from certwright.audit.models import Event, EventKind, event_kind_choices
from certwright.audit.services import (
    EventDraft,
    UnknownEventKind,
    event_record,
    events_record_bulk,
)
from tests.support.docs import first_cell_names

SOURCE = Path(__file__).resolve().parents[2] / "certwright"
REGISTRY = SOURCE / "audit" / "models.py"

# Every kind stored before the kinds had one list (audit's choices and the strings
# and constants of accounts, candidates, commerce, credentials, delivery,
# notifications and scheduling). Stored rows keep these values: none may be renamed.
STORED_BEFORE_THE_REGISTRY = frozenset(
    {
        *("technician.created", "technician.updated", "fact.recorded"),
        *("fact.updated", "certification.changed", "title.changed"),
        *("recompute.run", "import.applied", "demo.loaded"),
        *("experience.rejected", "experience.withdrawn"),
        *("experience.document_added", "experience.employer_link_sent"),
        *("experience.employer_confirmed", "experience.employer_disputed"),
        *("account.technician_linked", "account.role_added", "account.role_removed"),
        *("account.flags_changed", "account.group_added", "account.group_removed"),
        *("account.deleted", "organization.created", "organization.updated"),
        *("organization.member_added", "organization.member_removed"),
        *("share.granted", "share.revoked", "api_token.created", "api_token.revoked"),
        *("order.placed", "order.paid", "order_line.booked", "order_line.released"),
        *("order_line.taken", "order_line.forfeited", "order_line.refunded"),
        *("order_line.expired", "entitlement.granted", "entitlement.revoked"),
        *("voucher.redeemed", "voucher_batch.placed", "voucher_batch.paid"),
        *("tax_rate.created", "tax_rate.changed", "tax_rate.deleted"),
        *("appointment.booked", "appointment.rescheduled", "appointment.cancelled"),
        *("appointment.checked_in", "appointment.identity_checked"),
        *("appointment.completed", "appointment.no_show", "appointment.reminded"),
        *("centre.created", "centre.changed", "centre.seats_synced"),
        *("centre.deleted", "email.retried"),
        *("item.created", "item.edited", "item.reviewed", "item.status_changed"),
        *("item.viewed", "item.enemy_added", "item.enemy_removed"),
        *("items.imported", "items.exported", "form.assembled", "form.scale_set"),
        *("form.published", "form.retired", "attempt.authorised", "attempt.started"),
        *("attempt.paused", "attempt.resumed", "attempt.extended"),
        *("attempt.submitted", "attempt.expired", "attempt.voided", "attempt.lapsed"),
        *("attempt.launched", "attempt.launch_refused", "attempt.device_reset"),
        *("attempt.device_refused", "incident.noted", "accommodation.approved"),
        *("accommodation.revoked", "responses.imported", "analysis.requested"),
        "item.stats_recorded",
    }
)


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_and_nothing_is_written():
    """A kind outside the registry (here a typo) is refused, naming it and where
    kinds are declared; no row is written."""
    # given the audit trail as it is
    before = Event.objects.count()
    # when an event of an unregistered kind is recorded
    with pytest.raises(UnknownEventKind) as refused:
        event_record(kind="order.payed", subject="order:1")  # type: ignore[arg-type]
    # then it is refused with a message that says what to do, and nothing is stored
    assert "'order.payed' is not an event kind" in str(refused.value)
    assert "certwright.audit.models.EventKind" in str(refused.value)
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_a_bulk_write_with_one_unknown_kind_writes_nothing():
    """The set-based writer checks every draft's kind before it writes any row."""
    # given one good draft and one with an unregistered kind
    drafts = [
        EventDraft(EventKind.TITLE_CHANGED, "title:m", None, {}),
        EventDraft("title.chnaged", "title:m", None, {}),  # type: ignore[arg-type]
    ]
    # when they are written together
    with pytest.raises(UnknownEventKind):
        events_record_bulk(drafts)
    # then neither is stored
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_registered_kind_is_stored_as_its_value():
    """What the registry declares is what the row holds, from either writer."""
    # when one event is written singly and one in bulk
    single = event_record(kind=EventKind.EMAIL_RETRIED, subject="email:1")
    events_record_bulk([EventDraft(EventKind.ORDER_PAID, "order:1", None, {})])
    # then both rows hold the kinds' values, shown with their labels
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert kinds == {"email.retried", "order.paid"}
    single.refresh_from_db()
    assert single.get_kind_display() == str(EventKind.EMAIL_RETRIED.label)


def test_every_kind_is_documented_and_every_documented_kind_exists():
    """docs/events.md lists each registered kind exactly once, and nothing else."""
    # given the kinds documented and the kinds registered
    documented = first_cell_names("events.md")
    registered = {kind.value for kind in EventKind}
    # then the two lists are the same
    twice = sorted(k for k, n in Counter(documented).items() if n > 1)
    assert not twice, f"documented more than once in docs/events.md: {twice}"
    undocumented = sorted(registered - set(documented))
    assert not undocumented, f"add to docs/events.md: {undocumented}"
    unknown = sorted(set(documented) - registered)
    assert not unknown, f"in docs/events.md but not in EventKind: {unknown}"


def test_no_stored_kind_was_renamed():
    """Every kind stored before the registry existed is still registered as it was:
    old rows keep meaning what they meant."""
    # given the registered values
    registered = {kind.value for kind in EventKind}
    # then none of the stored ones is missing
    assert sorted(STORED_BEFORE_THE_REGISTRY - registered) == []


def test_a_kinds_name_is_its_value():
    """``order_line.booked`` is ``EventKind.ORDER_LINE_BOOKED``: a reader finds one
    from the other, and the stored column's 40 characters hold every value."""
    width = Event._meta.get_field("kind").max_length
    assert width is not None
    for kind in EventKind:
        assert kind.name == kind.value.upper().replace(".", "_"), kind
        assert len(kind.value) <= width, kind


def test_no_module_spells_a_kind_as_a_string():
    """The registry is the only place a kind's value is written out: a module that
    records (or looks up) events names the member, so there is no second list."""
    # given every registered value
    values = {kind.value for kind in EventKind}
    # when the project's modules (not the registry, not migrations) are read
    spelled = [
        f"{path.relative_to(SOURCE.parent)}:{node.lineno}: {node.value!r}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path != REGISTRY and "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value in values
    ]
    # then none writes a kind's value as a string
    assert spelled == []


def test_a_new_kind_needs_no_migration():
    """``Event.kind`` takes its choices from the registry when asked; its migration
    refers to that function, so the model state does not change with the list."""
    # given the field as its migrations see it
    field = Event._meta.get_field("kind")
    _, _, _, kwargs = field.deconstruct()
    # then its choices are the registry's function, and they hold every kind
    assert kwargs["choices"] is event_kind_choices
    assert {value for value, _ in field.choices or []} == {k.value for k in EventKind}


@pytest.mark.django_db
def test_the_audit_migrations_match_the_model():
    """No change to the event model is left without its migration."""
    call_command("makemigrations", "audit", "--check", "--dry-run", verbosity=0)
