"""Every action of every admin page goes through a service: run through the admin's
change list by a superuser on a suitable object, it writes an audit event, or it is
refused with a message and changes nothing.

The actions are read from the admin registry, not from a list kept here, so a new
action (or a delete that becomes possible) is walked the day it is added; what this
file keeps is how to build a suitable object for each model, and a test fails when
a model with actions has no builder.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.contrib import admin
from django.contrib.messages import constants as message_levels
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse

from certwright.accounts.services import (
    api_token_create,
    organization_create,
    share_grant,
)
from certwright.audit.models import Event
from certwright.candidates.services import experience_submit, technician_create
from certwright.commerce import services as commerce
from certwright.commerce.models import LineStatus, TaxRate
from certwright.credentials.services import result_record
from certwright.delivery.accommodations import accommodation_approve
from certwright.itembank.models import FormItem, ItemStatus
from certwright.itembank.selectors import deliverable
from certwright.itembank.services import item_create, item_review
from certwright.notifications.models import EmailStatus, OutboundEmail
from certwright.notifications.services import email_store
from certwright.scheduling.services import appointment_book
from tests.support.delivery import ITEMS, form_create, version_create
from tests.support.forms import forms_publish_for_every_test
from tests.support.scheduling import (
    NOW,
    candidate_create,
    centre_create,
    days_from_now,
    lines_buy,
    local,
    user_create,
)

pytestmark = pytest.mark.django_db

# Admins of the libraries the project installs: their models are the libraries'
# business (sign-in attempts, task results) or Django's own users and groups. Listed
# so that a new one registered is a decision, not an accident.
THIRD_PARTY = {
    "auth.Group",
    "auth.User",
    "account.EmailAddress",
    "mfa.Authenticator",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "django_tasks_database.DBTaskResult",
}

# A suitable object for an action: (its pk, the moment to run the action at).
Built = tuple[int, dt.datetime]
Builder = Callable[[str], Built]


def _technician() -> Any:
    return candidate_create()


def _share_grant(action: str) -> Built:
    organization = organization_create(name="Main Street Auto")
    grant, _created = share_grant(
        technician_id=_technician().pk, organization_id=organization.pk
    )
    return grant.pk, NOW


def _api_token(action: str) -> Built:
    token, _raw = api_token_create(user=user_create(), name="ci")
    return token.pk, NOW


def _failed_email(action: str) -> Built:
    email = email_store(to="someone@example.com", subject="Hello", text="Hi.\n")
    OutboundEmail.objects.filter(pk=email.pk).update(status=EmailStatus.FAILED)
    return email.pk, NOW


def _stale_technician(action: str) -> Built:
    # A pass recorded but not yet derived: recomputing changes the derived state.
    technician = technician_create(name="Pat Stale")
    result_record(
        technician_id=technician.pk,
        test="A1",
        date=NOW.date() - dt.timedelta(days=3),
        kind="initial",
        outcome="pass",
        source="test",
    )
    return technician.pk, NOW


def _pending_experience(action: str) -> Built:
    record = experience_submit(
        technician_id=_technician().pk,
        kind="employment",
        start=dt.date(2020, 1, 1),
        end=dt.date(2023, 1, 1),
        full_time=True,
        employer="Main Street Auto",
    )
    return record.pk, NOW


def _tax_rate(action: str) -> Built:
    rate = commerce.tax_rate_save(
        rate=TaxRate(region="US-CA", rate_bp=725, effective_from=dt.date(2020, 1, 1))
    )
    return rate.pk, NOW


def _due_order(action: str) -> Built:
    technician = technician_create(name="Pat Buyer")
    if not deliverable("A1", "initial"):  # A1 is sold only with a published form
        forms_publish_for_every_test(["A1"])
    commerce.cart_line_add(technician_id=technician.pk, test="A1", kind="initial")
    cart = commerce.cart_region_set(technician_id=technician.pk, region="US-TX")
    placed = commerce.order_place(
        technician_id=technician.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
    )
    return placed.order.pk, NOW


def _paid_line(action: str) -> Built:
    [line] = lines_buy(_technician(), "A1", status=LineStatus.PURCHASED)
    return line.pk, NOW


def _due_voucher_batch(action: str) -> Built:
    organization = organization_create(name="Main Street Auto", kind="shop")
    batch, _created = commerce.voucher_batch_purchase(
        organization_id=organization.pk,
        quantity=2,
        fee_class="standard",
        billing_region="US-TX",
        idempotency_key=uuid.uuid4(),
    )
    return batch.pk, NOW


def _empty_centre(action: str) -> Built:
    return centre_create().pk, NOW


def _appointment(action: str) -> Built:
    technician = _technician()
    lines = lines_buy(technician, "A1")
    day = days_from_now(8)
    appointment = appointment_book(
        technician_id=technician.pk,
        centre_id=centre_create().pk,
        starts_at=local(day, 9),
        order_line_ids=[line.pk for line in lines],
    )
    # Check-in opens shortly before the start; a no-show is recorded after it.
    return appointment.pk, local(day, 9, 5) if action == "check_in" else local(day, 11)


def _item_version(action: str) -> Built:
    # Written by someone else, so the superuser may review it; a reviewed one for
    # promotion.
    version = item_create(
        test="A1",
        code=f"A1-{uuid.uuid4().hex[:6]}",
        stem="Which reading shows the fault?",
        options=["one", "two", "three", "four"],
        key=1,
        area="A",
        actor=user_create(),
    )
    if action == "promote":
        version = item_review(version_id=version.pk, actor=user_create())
    return version.pk, NOW


def _form(action: str) -> Built:
    if action == "retire":
        return form_create().pk, NOW
    from certwright.itembank.models import Form

    form = Form.objects.create(
        test="A1", kind="initial", blueprint_effective=dt.date(2026, 1, 1), minutes=75
    )
    for position, (code, area, key, scored) in enumerate(ITEMS, start=1):
        version = version_create(
            f"{code}-{form.pk}",
            area,
            key,
            ItemStatus.OPERATIONAL if scored else ItemStatus.PRETEST,
        )
        FormItem.objects.create(
            form=form, position=position, item_version=version, scored=scored, area=area
        )
    return form.pk, NOW


def _accommodation(action: str) -> Built:
    accommodation = accommodation_approve(
        technician_id=_technician().pk, extra_percent=50, note="dyslexia"
    )
    return accommodation.pk, NOW


BUILDERS: dict[str, Builder] = {
    "accounts.ShareGrant": _share_grant,
    "accounts.ApiToken": _api_token,
    "notifications.OutboundEmail": _failed_email,
    "candidates.Technician": _stale_technician,
    "candidates.ExperienceRecord": _pending_experience,
    "commerce.TaxRate": _tax_rate,
    "commerce.Order": _due_order,
    "commerce.OrderLine": _paid_line,
    "commerce.VoucherBatch": _due_voucher_batch,
    "scheduling.TestCentre": _empty_centre,
    "scheduling.Appointment": _appointment,
    "itembank.ItemVersion": _item_version,
    "itembank.Form": _form,
    "delivery.Accommodation": _accommodation,
}


def _project_admins() -> Iterator[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    for model, model_admin in admin.site._registry.items():
        if model._meta.label not in THIRD_PARTY:
            yield model, model_admin


def _actions(model_admin: admin.ModelAdmin[Any], user: Any) -> list[str]:
    request = RequestFactory().get("/admin/")
    request.user = user
    return list(model_admin.get_actions(request))


def test_only_the_known_third_party_admins_are_left_out(admin_user: Any) -> None:
    """Every registered admin outside the list of libraries' admins is the
    project's, and walked below; the list names only what is registered."""
    # given
    registered = {model._meta.label for model in admin.site._registry}
    # then
    assert registered >= THIRD_PARTY
    assert all(
        model._meta.app_config.name.startswith("certwright.")
        for model, _model_admin in _project_admins()
    )


def test_every_model_with_actions_has_a_builder(admin_user: Any) -> None:
    """The table of builders covers every project model whose admin has an action
    (a new one fails here until it says how to make a suitable object)."""
    # given
    with_actions = {
        model._meta.label
        for model, model_admin in _project_admins()
        if _actions(model_admin, admin_user)
    }
    # then
    assert with_actions - set(BUILDERS) == set()
    assert set(BUILDERS) - with_actions == set(), "a builder for a model without"


def _messages(response: Any) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_every_admin_action_writes_an_audit_event(
    admin_client: Client, admin_user: Any
) -> None:
    """Each action of each project admin, run on a suitable object, appends an
    audit event (or is refused with an error message)."""
    # given
    walked, silent = [], []
    for model, model_admin in _project_admins():
        label = model._meta.label
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        )
        for action in _actions(model_admin, admin_user):
            with time_machine.travel(NOW, tick=False) as clock:
                pk, moment = BUILDERS[label](action)
                clock.move_to(moment)
                before = Event.objects.count()

                # when
                response = admin_client.post(
                    url,
                    {"action": action, "_selected_action": [pk], "post": "yes"},
                    follow=True,
                )

            # then
            assert response.status_code == 200, (label, action)
            written = Event.objects.count() - before
            refused = [
                text
                for level, text in _messages(response)
                if level >= message_levels.ERROR
            ]
            walked.append(f"{label}.{action}")
            if not written and not refused:
                silent.append(f"{label}.{action}: {_messages(response)}")
    assert walked
    assert silent == [], "\n".join(silent)
