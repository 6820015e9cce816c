"""The renewal app in tests: renewal-pool items, a subscribed technician, the
dispatch run with its e-mails delivered, and buying the subscription through the
services (cart, voucher, order)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core import mail
from django.test import TestCase

from certwright.candidates.models import Technician
from certwright.commerce import services
from certwright.commerce.models import CartLine, Order
from certwright.core.clock import now
from certwright.itembank.models import Item, ItemPool, ItemStatus, ItemVersion
from certwright.renewal.dispatch import DispatchSummary, renewal_dispatch
from certwright.renewal.models import Question, Subscription
from certwright.renewal.services import subscription_start, subscription_to_cart
from tests.support.reminders import reminded_technician

PASSWORD = "Correct-horse-battery-9"


def renewal_items(test: str = "A1", areas: dict[str, int] | None = None) -> list[Item]:
    """Operational renewal-pool items of ``test``: ``areas`` says how many in each
    content area (default two in each of A1's five). The key is C (2) unless the
    code says otherwise; each rationale names its item."""
    made: list[Item] = []
    for area, count in (areas or dict.fromkeys("ABCDE", 2)).items():
        for n in range(1, count + 1):
            code = f"{test}-R{area}{n:02d}"
            item = Item.objects.create(test=test, code=code, pool=ItemPool.RENEWAL)
            ItemVersion.objects.create(
                item=item,
                number=1,
                status=ItemStatus.OPERATIONAL,
                stem=f"Renewal stem of {code}?",
                options=[f"{code} answer {letter}" for letter in "ABCD"],
                key=2,
                rationale=f"Rationale of {code}: the third answer is right.",
                area=area,
                task=f"Task of {code}",
                written_by_label="writer",
                reviewed_by_label="reviewer",
            )
            made.append(item)
    return made


def subscribed_technician(
    *,
    passed_on: dt.date,
    starts_on: dt.date,
    time_zone: str = "America/Chicago",
    tests: tuple[str, ...] = ("A1",),
    password: bool = False,
) -> tuple[Technician, Subscription]:
    """A technician who passed ``tests`` on ``passed_on`` (certified, recomputed)
    and subscribed from ``starts_on``; with ``password``, one to sign in with."""
    technician = reminded_technician(passed_on=passed_on, test=tests[0])
    if len(tests) > 1:
        from certwright.credentials.recompute import technician_recompute
        from certwright.credentials.services import result_record

        for test in tests[1:]:
            result_record(
                technician_id=technician.pk, test=test, date=passed_on,
                kind="initial", outcome="pass", source="test",
            )  # fmt: skip
        technician_recompute(technician_id=technician.pk)
    if password and technician.user is not None:
        technician.user.set_password(PASSWORD)
        technician.user.save(update_fields=["password"])
    subscription = subscription_start(
        technician_id=technician.pk, starts_on=starts_on, time_zone=time_zone
    )
    return technician, subscription


def dispatch(at: dt.datetime) -> tuple[DispatchSummary, list[Any]]:
    """Run the dispatch at ``at`` and deliver what it queued; (its summary, the new
    e-mails)."""
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        summary = renewal_dispatch(at=at, actor="test")
    return summary, list(mail.outbox[before:])


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def renewal_question_for(technician: Technician) -> Question:
    """A waiting A1 renewal question of ``technician``, written straight to the
    database (no pass or subscription service needed: for access checks)."""
    from certwright.renewal.models import SubscribedCertification

    moment = now()
    (item,) = renewal_items("A1", {"A": 1})
    subscription = Subscription.objects.create(
        technician=technician,
        starts_on=moment.date(),
        ends_on=moment.date() + dt.timedelta(days=365),
        time_zone="UTC",
    )
    subscribed = SubscribedCertification.objects.create(
        subscription=subscription, technician=technician, test="A1"
    )
    return Question.objects.create(
        subscribed=subscribed,
        technician=technician,
        test="A1",
        month=moment.date().replace(day=1),
        item=item,
        item_version=item.versions.get(),
        area="A",
        dispatched_at=moment,
        answer_by=moment + dt.timedelta(days=3650),
    )


def renewal_buy(
    technician: Technician,
    *,
    voucher: str | None = None,
    time_zone: str = "America/New_York",
    region: str = "US-CA",
) -> Order:
    """Put the subscription in the cart (with ``voucher`` on it) and place the
    order."""
    line: CartLine = subscription_to_cart(
        technician_id=technician.pk, time_zone=time_zone
    )
    if voucher is not None:
        services.cart_voucher_apply(
            technician_id=technician.pk, line_id=line.pk, code=voucher
        )
    cart = services.cart_region_set(technician_id=technician.pk, region=region)
    return services.order_place(
        technician_id=technician.pk,
        idempotency_key=uuid.uuid4(),
        cart_version=cart.version,
    ).order
