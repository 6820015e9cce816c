"""Writing the renewal app: subscriptions start and end here.

Lock order, where several are taken: the technician's facts row
(``credentials.services.technician_facts_touch``) before any renewal row, as every
fact-recording service does.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record_change
from certwright.commerce import services as commerce_services
from certwright.commerce.models import CartLine
from certwright.core import clock
from certwright.core.clock import now
from certwright.core.program import current_program
from certwright.renewal.errors import RenewalError
from certwright.renewal.models import (
    SubscribedCertification,
    Subscription,
    SubscriptionChoice,
    SubscriptionStatus,
    validate_time_zone,
)
from certwright.renewal.selectors import (
    renewal_eligible_tests,
    subscription_next_start,
    time_zone_chosen,
)
from certwright.rules import dates

# A subscription runs for a year: the program's credit window is a year too, and
# ASE sells the app as an annual subscription.
SUBSCRIPTION_MONTHS = 12


def _subject(subscription: Subscription) -> str:
    return f"renewal_subscription:{subscription.pk}"


def subscription_start(
    *,
    technician_id: int,
    starts_on: dt.date,
    time_zone: str = "America/New_York",
    order_line_id: int | None = None,
    actor: Actor = None,
) -> Subscription:
    """Start a year of renewal questions on ``starts_on`` with every certification
    that may take part then. Idempotent per paying order line: a second call for the
    same line returns the first subscription."""
    validate_time_zone(time_zone)
    tests = renewal_eligible_tests(
        technician_id=technician_id, starts_on=starts_on, program=current_program()
    )
    if not tests:
        raise RenewalError(
            _(
                "No certification can take part: the renewal app keeps only tests"
                " the program allows that were passed before the subscription starts."
            ),
            code="nothing_eligible",
        )
    with transaction.atomic():
        if order_line_id is not None:
            existing = Subscription.objects.filter(order_line_id=order_line_id).first()
            if existing is not None:
                return existing
        subscription = Subscription.objects.create(
            technician_id=technician_id,
            starts_on=starts_on,
            ends_on=dates.add_months(starts_on, SUBSCRIPTION_MONTHS),
            time_zone=time_zone,
            order_line_id=order_line_id,
        )
        SubscribedCertification.objects.bulk_create(
            SubscribedCertification(
                subscription=subscription, technician_id=technician_id, test=test
            )
            for test in tests
        )
        event_record_change(
            kind=EventKind.RENEWAL_SUBSCRIPTION_STARTED,
            subject=_subject(subscription),
            technician_id=technician_id,
            actor=actor,
            after={
                "starts_on": starts_on.isoformat(),
                "ends_on": subscription.ends_on.isoformat(),
                "tests": tests,
                "order_line_id": order_line_id,
            },
        )
    return subscription


def subscription_cancel(
    *, subscription_id: int, reason: str, actor: Actor = None
) -> Subscription:
    """End a subscription early (a refund, or staff): no more questions go out and
    waiting ones can no longer be answered; credits already earned stay."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
        if subscription.status == SubscriptionStatus.CANCELLED:
            return subscription
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_at = now()
        subscription.save(update_fields=["status", "cancelled_at"])
        event_record_change(
            kind=EventKind.RENEWAL_SUBSCRIPTION_CANCELLED,
            subject=_subject(subscription),
            technician_id=subscription.technician_id,
            actor=actor,
            before={"status": SubscriptionStatus.ACTIVE},
            after={"status": SubscriptionStatus.CANCELLED},
            reason=reason,
        )
    return subscription


def subscription_to_cart(
    *,
    technician_id: int,
    time_zone: str,
    cart_version: int | None = None,
) -> CartLine:
    """Put a year of the renewal app in the technician's cart, remembering the time
    zone they chose for it (the subscription copies it when the order is placed).

    The refusals (nothing could take part, a year already bought ahead, no price
    today, already in the cart) are commerce's, which asks this app through
    ``commerce.signals.renewal_check``; a refused add leaves the earlier choice."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as exc:
        raise RenewalError(" ".join(exc.messages), code="time_zone") from exc
    with transaction.atomic():
        line = commerce_services.cart_renewal_add(
            technician_id=technician_id, cart_version=cart_version
        )
        SubscriptionChoice.objects.update_or_create(
            technician_id=technician_id,
            defaults={"time_zone": time_zone, "updated_at": now()},
        )
    return line


def subscription_for_order_line(
    *, technician_id: int, order_line_id: int, actor: Actor = None
) -> Subscription:
    """Start the subscription an order line paid for: today, or the day the
    technician's current subscription ends; in the time zone they chose.
    Idempotent per order line."""
    existing = Subscription.objects.filter(order_line_id=order_line_id).first()
    if existing is not None:
        return existing
    starts_on = subscription_next_start(
        technician_id=technician_id, today=clock.today()
    )
    return subscription_start(
        technician_id=technician_id,
        starts_on=starts_on,
        time_zone=time_zone_chosen(technician_id),
        order_line_id=order_line_id,
        actor=actor,
    )


def subscription_cancel_for_order_line(
    *, order_line_id: int, reason: str, actor: Actor = None
) -> Subscription | None:
    """Cancel the subscription an order line paid for (a refund); None when the
    line started none."""
    subscription_id = (
        Subscription.objects.filter(order_line_id=order_line_id)
        .values_list("pk", flat=True)
        .first()
    )
    if subscription_id is None:
        return None
    return subscription_cancel(
        subscription_id=subscription_id, reason=reason, actor=actor
    )
