"""Writing carts, orders, order lines, vouchers and entitlements.

Every service owns its transaction and writes an audit event for every change of an
order, an order line, a voucher or an entitlement (carts are drafts: not audited).
Refusals raise the ``certwright.commerce.errors`` exceptions (ValidationErrors) with
nothing written.

Scheduling drives an order line through its appointment with the ``order_line_*``
services; each is a conditional UPDATE on the line's status, so two callers racing
for the same line cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from certwright import rules
from certwright.audit.models import EventKind
from certwright.audit.services import Actor, event_record
from certwright.commerce import selectors
from certwright.commerce.errors import (
    CommerceError,
    LineStateError,
    NotEligible,
    StaleCart,
    VoucherRefused,
)
from certwright.commerce.models import (
    OPEN_LINE_STATUSES,
    RENEWAL_FEE_CLASS,
    RENEWAL_LABEL,
    TEST_KINDS,
    Cart,
    CartLine,
    Entitlement,
    EntitlementKind,
    LineKind,
    LineStatus,
    Order,
    OrderLine,
    PaymentStatus,
    Provider,
    TaxRate,
    Voucher,
    VoucherBatch,
)
from certwright.commerce.payments import provider_for
from certwright.commerce.pricing import LineIn, quote, tax_on
from certwright.commerce.signals import (
    entitlements_revoked,
    renewal_check,
    renewal_purchased,
    renewal_refunded,
)
from certwright.commerce.tasks import order_document_mail_task
from certwright.commerce.vouchers import voucher_code_new, voucher_code_normalize
from certwright.core import clock
from certwright.core.program import current_program
from certwright.core.rule_words import step_words
from certwright.credentials.selectors import technician_facts
from certwright.itembank.selectors import deliverable, not_deliverable_reason
from certwright.program.model import Program

# A bulk purchase larger than this is a typing error (and a very large invoice).
VOUCHER_BATCH_MAX = 500


# --- order lines: the contract with scheduling ------------------------------------


def _line_event(
    line: OrderLine,
    *,
    kind: EventKind,
    before: str,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    event_record(
        kind=kind,
        subject=f"order_line:{line.pk}",
        technician_id=line.technician_id,
        actor=actor,
        reason=reason,
        data={
            "before": {"status": before},
            "after": {"status": line.status},
            "order": line.order_id,
            "test": line.test,
            **(data or {}),
        },
    )


def _line_transition(
    *,
    line_id: int,
    allowed_from: Sequence[str],
    to: str,
    verb: str,
    event: EventKind,
    actor: Actor,
    reason: str = "",
    values: dict[str, Any] | None = None,
    must_take_from: dt.date | None = None,
) -> tuple[OrderLine, str]:
    """Move a line from one of ``allowed_from`` to ``to`` with a conditional UPDATE.

    Returns the line after the change and its status before. The caller is inside a
    transaction.
    """
    before = (
        OrderLine.objects.filter(pk=line_id).values_list("status", flat=True).first()
    )
    if before is None:
        raise LineStateError(
            _("There is no order line %(line)s.") % {"line": line_id},
            code="not_found",
        )
    rows = OrderLine.objects.filter(pk=line_id, status__in=allowed_from)
    if must_take_from is not None:
        rows = rows.filter(must_take_by__gte=must_take_from)
    updated = rows.update(status=to, status_changed_at=clock.now(), **(values or {}))
    if updated != 1:
        line = OrderLine.objects.get(pk=line_id)
        if line.status in allowed_from and must_take_from is not None:
            raise LineStateError(
                _("%(test)s had to be taken by %(day)s: it can no longer be %(verb)s.")
                % {"test": line.test, "day": line.must_take_by, "verb": verb},
                code="past_window",
            )
        raise LineStateError(
            _("%(test)s is %(status)s: it cannot be %(verb)s.")
            % {"test": line.test, "status": line.get_status_display(), "verb": verb},
            code="bad_state",
        )
    line = OrderLine.objects.select_related("order").get(pk=line_id)
    _line_event(line, kind=event, before=before, actor=actor, reason=reason)
    return line, before


def order_line_mark_booked(
    *, line_id: int, appointment_id: int, actor: Actor = None
) -> OrderLine:
    """A paid line is booked into an appointment (scheduling calls this).

    Refused when the line is not paid (booked already, refunded, ...) or its
    must-take-by date has passed. Booking the same appointment twice is a no-op.
    """
    with transaction.atomic():
        current = OrderLine.objects.filter(pk=line_id).first()
        if current is not None and not current.is_test:
            raise LineStateError(
                _("%(what)s is not a test: it cannot be booked.")
                % {"what": current.label},
                code="not_a_test",
            )
        if (
            current is not None
            and current.status == LineStatus.BOOKED
            and current.appointment_id == appointment_id
        ):
            return current
        line, _before = _line_transition(
            line_id=line_id,
            allowed_from=(LineStatus.PURCHASED,),
            to=LineStatus.BOOKED,
            verb=pgettext("an order line", "booked"),
            event=EventKind.ORDER_LINE_BOOKED,
            actor=actor,
            values={"appointment_id": appointment_id},
            must_take_from=clock.today(),
        )
    return line


def order_line_release(*, line_id: int, actor: Actor = None) -> OrderLine:
    """A booked line goes back to paid (its appointment was cancelled without a
    refund, or is being moved to another one)."""
    with transaction.atomic():
        line, _before = _line_transition(
            line_id=line_id,
            allowed_from=(LineStatus.BOOKED,),
            to=LineStatus.PURCHASED,
            verb=pgettext("an order line", "released"),
            event=EventKind.ORDER_LINE_RELEASED,
            actor=actor,
            values={"appointment_id": None},
        )
    return line


def order_line_mark_taken(*, line_id: int, actor: Actor = None) -> OrderLine:
    """The candidate sat the test: the line is used up."""
    with transaction.atomic():
        line, _before = _line_transition(
            line_id=line_id,
            allowed_from=(LineStatus.BOOKED,),
            to=LineStatus.TAKEN,
            verb=pgettext("an order line", "marked taken"),
            event=EventKind.ORDER_LINE_TAKEN,
            actor=actor,
        )
    return line


def order_line_forfeit(*, line_id: int, actor: Actor = None) -> OrderLine:
    """A no-show: ASE forfeits all fees, so nothing is refunded and the study
    material stays unlocked."""
    with transaction.atomic():
        line, _before = _line_transition(
            line_id=line_id,
            allowed_from=(LineStatus.BOOKED,),
            to=LineStatus.FORFEITED,
            verb=pgettext("an order line", "forfeited"),
            event=EventKind.ORDER_LINE_FORFEITED,
            actor=actor,
            reason="no-show: fees forfeited",
        )
    return line


def order_line_refund(*, line_id: int, reason: str, actor: Actor = None) -> OrderLine:
    """Cancel a purchased test and refund it.

    ASE refunds only a test that was purchased and cancelled: a paid line, or a
    booked one whose appointment scheduling cancelled in time (scheduling checks the
    3-day limit before calling). The refund is the line's fee and its tax; the
    order's registration fee is never refunded. A voucher-paid line refunds no money
    and the voucher stays used. The line's entitlements are revoked.
    """
    with transaction.atomic():
        line, _before = _line_transition(
            line_id=line_id,
            allowed_from=OPEN_LINE_STATUSES,
            to=LineStatus.REFUNDED,
            verb=pgettext("an order line", "refunded"),
            event=EventKind.ORDER_LINE_REFUNDED,
            actor=actor,
            reason=reason,
            values={
                "appointment_id": None,
                "refunded_cents": F("charged_cents") + F("tax_cents"),
            },
        )
        line.refresh_from_db()
        amount = line.refunded_cents
        if amount:
            order = Order.objects.select_for_update().get(pk=line.order_id)
            provider_for(order.provider).refund(
                payable=order, line=line, amount_cents=amount
            )
            Order.objects.filter(pk=order.pk).update(
                refunded_cents=F("refunded_cents") + amount
            )
        revoked = Entitlement.objects.filter(
            source_line_id=line.pk, revoked_at__isnull=True
        ).update(revoked_at=clock.now())
        if revoked:
            event_record(
                kind=EventKind.ENTITLEMENT_REVOKED,
                subject=f"order_line:{line.pk}",
                technician_id=line.technician_id,
                actor=actor,
                data={"test": line.test, "count": revoked},
                reason=reason,
            )
            entitlements_revoked.send(
                sender=OrderLine,
                technician_id=line.technician_id,
                test=line.test,
                actor=actor,
            )
        if line.kind == LineKind.RENEWAL:
            renewal_refunded.send(
                sender=OrderLine,
                technician_id=line.technician_id,
                order_line_id=line.pk,
                reason=reason,
                actor=actor,
            )
    return line


def order_lines_expire(*, today: dt.date | None = None, actor: Actor = None) -> int:
    """Paid lines not taken by their must-take-by date expire; fees are forfeited
    (ASE: "untaken tests expire and fees are forfeited"). Returns how many."""
    day = today or clock.today()
    count = 0
    ids = list(
        # A renewal line is no test seat: it has nothing to take, so never expires.
        OrderLine.objects.filter(
            status=LineStatus.PURCHASED, must_take_by__lt=day, kind__in=TEST_KINDS
        ).values_list("pk", flat=True)
    )
    for line_id in ids:
        with transaction.atomic():
            try:
                _line_transition(
                    line_id=line_id,
                    allowed_from=(LineStatus.PURCHASED,),
                    to=LineStatus.EXPIRED,
                    verb=pgettext("an order line", "expired"),
                    event=EventKind.ORDER_LINE_EXPIRED,
                    actor=actor,
                    reason="not taken by the must-take-by date",
                )
            except LineStateError:
                continue  # booked or refunded since the list was read
        count += 1
    return count


# --- cart ------------------------------------------------------------------------


def _cart(technician_id: int, *, lock: bool = False) -> Cart:
    cart, _created = Cart.objects.get_or_create(technician_id=technician_id)
    if lock:
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
    return cart


def _cart_touch(cart: Cart) -> None:
    Cart.objects.filter(pk=cart.pk).update(
        version=F("version") + 1, updated_at=clock.now()
    )
    cart.refresh_from_db()


def _check_version(cart: Cart, cart_version: int | None) -> None:
    if cart_version is not None and cart_version != cart.version:
        raise StaleCart(
            _(
                "Your cart changed since this page was shown (in another tab or "
                "window). Check it again and retry; nothing was changed."
            ),
            code="stale",
        )


def _eligibility_reasons(
    program: Program, technician_id: int, test: str, kind: str, day: dt.date
) -> list[str]:
    """Why ``test`` may not be bought now: no published form to deliver it, the
    rules, then an open line for it."""
    reasons = []
    # Sell only what can be delivered: without a published form of this kind the
    # candidate would reach the exam day and find nothing to sit.
    if not deliverable(test, kind):
        reasons.append(not_deliverable_reason(test, kind))
    facts = technician_facts(technician_id)
    verdict = rules.eligibility(program, facts, test, kind, day)
    reasons += [step_words(step) for step in verdict.reasons]
    open_line = (
        OrderLine.objects.filter(
            technician_id=technician_id, test=test, status__in=OPEN_LINE_STATUSES
        )
        .values_list("must_take_by", flat=True)
        .first()
    )
    if open_line is not None:
        reasons.append(
            _(
                "You already have %(test)s purchased and not yet taken (take it by "
                "%(day)s)."
            )
            % {"test": test, "day": open_line}
        )
    return reasons


def _renewal_reasons(program: Program, technician_id: int, day: dt.date) -> list[str]:
    """Why the renewal app subscription may not be bought on ``day``: no price in
    the fee table in force, then whatever the renewal app answers (nothing that
    could take part, a year already bought)."""
    reasons = []
    period = program.fees_on(day)
    if period is None or period.renewal_cents is None:
        reasons.append(
            _(
                "The renewal app subscription is not sold on %(day)s: the fee table"
                " in force has no price for it."
            )
            % {"day": day}
        )
    for _receiver, answer in renewal_check.send(
        sender=Cart, technician_id=technician_id, day=day
    ):
        reasons.extend(answer or ())
    return reasons


def cart_renewal_add(
    *, technician_id: int, cart_version: int | None = None
) -> CartLine:
    """Put a year of the renewal app subscription in the technician's cart, if they
    may buy it today (the renewal app is asked through ``renewal_check``)."""
    program = current_program()
    reasons = _renewal_reasons(program, technician_id, clock.today())
    if reasons:
        raise NotEligible({"kind": reasons}, code="not_eligible")
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        if cart.lines.filter(kind=LineKind.RENEWAL).exists():
            raise CommerceError(
                {
                    "kind": _("%(what)s is already in your cart.")
                    % {"what": RENEWAL_LABEL}
                },
                code="duplicate",
            )
        line = CartLine.objects.create(cart=cart, test="", kind=LineKind.RENEWAL)
        _cart_touch(cart)
    return line


def cart_line_add(
    *,
    technician_id: int,
    test: str,
    kind: str = LineKind.INITIAL,
    cart_version: int | None = None,
) -> CartLine:
    """Put a test in the technician's cart, if they may buy it today (kind
    ``renewal``: the renewal app subscription, ``test`` ignored)."""
    if kind == LineKind.RENEWAL:
        return cart_renewal_add(technician_id=technician_id, cart_version=cart_version)
    program = current_program()
    test = test.strip().upper()
    if kind not in LineKind.values:
        raise CommerceError(
            {
                "kind": _(
                    "%(kind)r is not a purchase kind: use initial, recert or renewal."
                )
                % {"kind": kind}
            }
        )
    if test not in program.tests:
        raise CommerceError(
            {
                "test": _("%(test)s is not a test we offer.")
                % {"test": test or _("(empty)")}
            }
        )
    reasons = _eligibility_reasons(program, technician_id, test, kind, clock.today())
    if reasons:
        raise NotEligible({"test": reasons}, code="not_eligible")
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        if cart.lines.filter(test=test).exists():
            raise CommerceError(
                {"test": _("%(test)s is already in your cart.") % {"test": test}}
            )
        line = CartLine.objects.create(cart=cart, test=test, kind=kind)
        _cart_touch(cart)
    return line


@dataclass(frozen=True, slots=True)
class RecertInCart:
    """What one click on "recertify" did: ``created`` False when the test was
    already in the cart as a recertification (a second click adds nothing)."""

    line: CartLine
    created: bool


def cart_recert_add(*, technician_id: int, test: str) -> RecertInCart:
    """One click from an expiring or lapsed certification: its recertification
    test in the cart (kind ``recert``: the recertification fee, under the program's
    cap per order). Idempotent: a test already in the cart as a recertification is
    left as it is; one there as a certification test becomes the recertification.

    Refused, with nothing written, when the test has no recertification test, the
    technician is not (or not yet) certified in it, the click is outside the
    program's window (``selectors.recert_window``), the recertification is already
    bought and not taken, or the rules forbid the purchase today.
    """
    program = current_program()
    test = test.strip().upper()
    spec = program.tests.get(test)
    if spec is None:
        raise CommerceError(
            _("%(test)s is not a test we offer.") % {"test": test or _("(empty)")},
            code="unknown_test",
        )
    if spec.recert is None:
        raise NotEligible(
            _(
                "%(test)s has no recertification test: it cannot be kept by "
                "recertifying. Take the test again when the program allows it."
            )
            % {"test": test},
            code="not_recertifiable",
        )
    day = clock.today()
    state = rules.evaluate(
        program, technician_facts(technician_id), day, explain=False
    ).certifications.get(test)
    if state is None or state.status not in ("certified", "expired"):
        raise NotEligible(
            _(
                "You are not certified in %(test)s yet: recertification keeps a "
                "certification you hold."
            )
            % {"test": test},
            code="not_certified",
        )
    if state.expires_on is None:
        raise NotEligible(
            _("%(test)s does not expire: there is nothing to recertify.")
            % {"test": test},
            code="does_not_expire",
        )
    window = selectors.recert_window(program, state.expires_on)
    if day < window.opens_on:
        raise NotEligible(
            _(
                "One-click recertification of %(test)s opens on %(day)s, "
                "%(lead)s days before it expires."
            )
            % {"test": test, "day": window.opens_on, "lead": window.lead_days},
            code="too_early",
        )
    if window.closes_on is not None and day > window.closes_on:
        raise NotEligible(
            _(
                "%(test)s expired more than %(days)s days ago: it can no longer be "
                "recertified. Take the certification test."
            )
            % {"test": test, "days": window.max_lapse_days},
            code="lapsed_too_long",
        )
    open_line = selectors.open_lines_by_test(technician_id).get(test)
    if open_line is not None:
        # Two whole sentences, not a word slotted into one: translations differ.
        text = (
            _(
                "You already have the %(test)s test booked and not yet taken (take "
                "it by %(day)s): nothing was added."
            )
            if open_line.status == LineStatus.BOOKED
            else _(
                "You already have the %(test)s test bought and not yet taken: book a "
                "seat and take it by %(day)s. Nothing was added."
            )
        )
        raise NotEligible(
            text % {"test": test, "day": open_line.must_take_by},
            code="already_purchased",
        )
    with transaction.atomic():
        # The cart's lock makes two clicks in a row one line: the second waits,
        # then finds the first one's line.
        cart = _cart(technician_id, lock=True)
        existing = cart.lines.filter(test=test).first()
        if existing is not None and existing.kind == LineKind.RECERT:
            return RecertInCart(line=existing, created=False)
        reasons = _eligibility_reasons(
            program, technician_id, test, LineKind.RECERT, day
        )
        if reasons:
            raise NotEligible({"test": reasons}, code="not_eligible")
        if existing is not None:
            # A certification test of the same test could not be bought after a
            # pass anyway: the click makes it the recertification.
            existing.kind = LineKind.RECERT
            existing.save(update_fields=["kind"])
            line = existing
        else:
            line = CartLine.objects.create(cart=cart, test=test, kind=LineKind.RECERT)
        _cart_touch(cart)
    return RecertInCart(line=line, created=True)


def cart_line_remove(
    *, technician_id: int, line_id: int, cart_version: int | None = None
) -> None:
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        deleted, _by_model = CartLine.objects.filter(pk=line_id, cart=cart).delete()
        if not deleted:
            raise CommerceError(_("That test is no longer in your cart."), code="gone")
        _cart_touch(cart)


def cart_region_set(
    *, technician_id: int, region: str, cart_version: int | None = None
) -> Cart:
    region = region.strip().upper()
    if region and region not in selectors.BILLING_REGIONS:
        raise CommerceError(
            {
                "billing_region": _("%(region)r is not a known region.")
                % {"region": region}
            }
        )
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        if cart.billing_region != region:
            cart.billing_region = region
            cart.save(update_fields=["billing_region"])
            _cart_touch(cart)
    return cart


def _voucher_for(
    program: Program,
    code: str,
    test: str,
    day: dt.date,
    kind: str = LineKind.INITIAL,
) -> Voucher:
    normalized = voucher_code_normalize(code)
    if normalized is None:
        raise VoucherRefused(
            {"code": _("That is not a voucher code: check for a typing mistake.")},
            code="malformed",
        )
    voucher = Voucher.objects.filter(code=normalized).select_related("batch").first()
    if voucher is None:
        raise VoucherRefused({"code": _("There is no voucher with that code.")})
    if voucher.redeemed_at is not None:
        raise VoucherRefused(
            {"code": _("This voucher has already been used.")}, code="used"
        )
    period = program.fees_on(day)
    if kind == LineKind.RENEWAL or voucher.fee_class == RENEWAL_FEE_CLASS:
        # Renewal vouchers pay the subscription and nothing else, and only they do.
        if kind != LineKind.RENEWAL:
            raise VoucherRefused(
                {
                    "code": _(
                        "This is a renewal voucher: it pays for the renewal app"
                        " subscription, not for %(test)s."
                    )
                    % {"test": test}
                },
                code="class",
            )
        if voucher.fee_class != RENEWAL_FEE_CLASS:
            raise VoucherRefused(
                {
                    "code": _(
                        "This is a %(voucher)s voucher: it pays for a test. The"
                        " renewal app subscription needs a renewal voucher."
                    )
                    % {"voucher": voucher.fee_class}
                },
                code="class",
            )
        return voucher
    spec = program.tests.get(test)
    if period is None or spec is None:
        raise VoucherRefused(
            {"code": _("%(test)s cannot be bought today.") % {"test": test}}
        )
    covers = period.test_fees.get(voucher.fee_class, 0)
    if covers < period.test_fees.get(spec.fee_class, 0):
        raise VoucherRefused(
            {
                "code": _(
                    "This is a %(voucher)s voucher; %(test)s is a %(test_class)s test."
                )
                % {
                    "voucher": voucher.fee_class,
                    "test": test,
                    "test_class": spec.fee_class,
                }
            },
            code="class",
        )
    return voucher


def cart_voucher_apply(
    *, technician_id: int, line_id: int, code: str, cart_version: int | None = None
) -> CartLine:
    """Attach a voucher code to a cart line; it is redeemed when the order is placed."""
    program = current_program()
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        line = CartLine.objects.filter(pk=line_id, cart=cart).first()
        if line is None:
            raise CommerceError(_("That test is no longer in your cart."), code="gone")
        voucher = _voucher_for(program, code, line.test, clock.today(), line.kind)
        if cart.lines.filter(voucher=voucher).exclude(pk=line.pk).exists():
            raise VoucherRefused(
                {"code": _("This voucher is already on another line in your cart.")}
            )
        line.voucher = voucher
        line.save(update_fields=["voucher"])
        _cart_touch(cart)
    return line


def cart_voucher_remove(
    *, technician_id: int, line_id: int, cart_version: int | None = None
) -> None:
    with transaction.atomic():
        cart = _cart(technician_id, lock=True)
        _check_version(cart, cart_version)
        if CartLine.objects.filter(pk=line_id, cart=cart).update(voucher=None):
            _cart_touch(cart)


# --- placing an order -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderPlaced:
    order: Order
    created: bool  # False: the idempotency key named an order placed before


def _order_document_send(order: Order) -> None:
    """E-mail the order's invoice or receipt once this transaction commits (the
    PDF is drawn by the task, not in the request)."""
    order_id = order.pk
    transaction.on_commit(
        lambda: order_document_mail_task.enqueue(order_id=order_id), robust=True
    )


def _order_by_key(technician_id: int, key: uuid.UUID) -> Order | None:
    return Order.objects.filter(
        technician_id=technician_id, idempotency_key=key
    ).first()


def _grant_entitlements(line: OrderLine, actor: Actor) -> None:
    for kind in EntitlementKind.values:
        Entitlement.objects.create(
            technician_id=line.technician_id,
            test=line.test,
            kind=kind,
            granted_at=clock.now(),
            source_line=line,
        )
    event_record(
        kind=EventKind.ENTITLEMENT_GRANTED,
        subject=f"order_line:{line.pk}",
        technician_id=line.technician_id,
        actor=actor,
        data={"test": line.test, "kinds": list(EntitlementKind.values)},
    )


def order_place(
    *,
    technician_id: int,
    idempotency_key: uuid.UUID,
    cart_version: int | None,
    actor: Actor = None,
) -> OrderPlaced:
    """Buy what is in the cart, at the fees in force today; idempotent per key.

    A repeated call with the same key (a double click, a retried request, two racing
    requests) returns the order the first one placed and charges nothing again: the
    key is unique per technician, and the cart row lock (SQLite: the IMMEDIATE
    transaction) makes the second caller wait for the first and then find its order.
    """
    existing = _order_by_key(technician_id, idempotency_key)
    if existing is not None:
        return OrderPlaced(existing, False)
    try:
        with transaction.atomic():
            cart = _cart(technician_id, lock=True)
            # Re-read under the lock: a racing request with this key may have won.
            existing = _order_by_key(technician_id, idempotency_key)
            if existing is not None:
                return OrderPlaced(existing, False)
            _check_version(cart, cart_version)
            order = _order_create(
                cart=cart, idempotency_key=idempotency_key, actor=actor
            )
            _order_document_send(order)
    except IntegrityError as exc:
        existing = _order_by_key(technician_id, idempotency_key)
        if existing is not None:
            return OrderPlaced(existing, False)
        # The partial unique index: a second open line for one of these tests was
        # committed between our check and our insert.
        raise NotEligible(
            _("You already have one of these tests purchased and not yet taken."),
            code="duplicate",
        ) from exc
    return OrderPlaced(order, True)


def _order_create(*, cart: Cart, idempotency_key: uuid.UUID, actor: Actor) -> Order:
    program = current_program()
    day = clock.today()
    cart_lines = list(cart.lines.select_related("voucher").order_by("id"))
    if not cart_lines:
        raise CommerceError(_("Your cart is empty."), code="empty")
    if not cart.billing_region:
        raise CommerceError(
            {"billing_region": _("Choose your billing region (for sales tax).")}
        )
    period = program.fees_on(day)
    if period is None:
        raise CommerceError(
            _("No fee table is in force on %(day)s: tests cannot be bought.")
            % {"day": day},
            code="no_fees",
        )

    problems: dict[str, list[str]] = {}
    voucher_problems: list[str] = []
    for cart_line in cart_lines:
        if cart_line.kind == LineKind.RENEWAL:
            reasons = _renewal_reasons(program, cart.technician_id, day)
            if reasons:
                problems[cart_line.label] = reasons
            if cart_line.voucher is not None:
                try:
                    _voucher_for(
                        program, cart_line.voucher.code, "", day, LineKind.RENEWAL
                    )
                except VoucherRefused as exc:
                    voucher_problems.extend(
                        f"{cart_line.label}: {m}" for m in exc.messages
                    )
            continue
        if cart_line.test not in program.tests:
            problems[cart_line.test] = [
                _("%(test)s is no longer offered.") % {"test": cart_line.test}
            ]
            continue
        reasons = _eligibility_reasons(
            program, cart.technician_id, cart_line.test, cart_line.kind, day
        )
        if reasons:
            problems[cart_line.test] = reasons
        if cart_line.voucher is not None:
            try:
                _voucher_for(program, cart_line.voucher.code, cart_line.test, day)
            except VoucherRefused as exc:
                voucher_problems.extend(f"{cart_line.test}: {m}" for m in exc.messages)
    if problems:
        raise NotEligible(
            [f"{test}: {reason}" for test, rs in problems.items() for reason in rs]
            + voucher_problems,
            code="not_eligible",
        )
    if voucher_problems:
        raise VoucherRefused(voucher_problems, code="voucher")

    rate_bp = selectors.tax_rate_bp(cart.billing_region, day)
    quoted = quote(
        period,
        [
            LineIn(
                test=cart_line.test,
                kind=cart_line.kind,
                fee_class=(
                    RENEWAL_FEE_CLASS
                    if cart_line.kind == LineKind.RENEWAL
                    else program.tests[cart_line.test].fee_class
                ),
                voucher=cart_line.voucher is not None,
            )
            for cart_line in cart_lines
        ],
        rate_bp,
    )
    due = quoted.total_cents
    provider = Provider.INVOICE if due else Provider.VOUCHER
    now = clock.now()
    order = Order.objects.create(
        technician_id=cart.technician_id,
        placed_by_id=_user_id(actor),
        idempotency_key=idempotency_key,
        placed_at=now,
        order_date=day,
        currency=quoted.currency,
        fee_period_start=period.start,
        billing_region=cart.billing_region,
        tax_rate_bp=rate_bp,
        registration_cents=quoted.registration_cents,
        tests_list_cents=quoted.tests_list_cents,
        recert_cap_cents=quoted.recert_cap_cents,
        recert_discount_cents=quoted.recert_discount_cents,
        voucher_cents=quoted.voucher_cents,
        subtotal_cents=quoted.subtotal_cents,
        tax_cents=quoted.tax_cents,
        total_cents=quoted.total_cents,
        provider=provider,
        payment_status=PaymentStatus.DUE if due else PaymentStatus.NOTHING_DUE,
    )
    must_take_by = day + dt.timedelta(days=program.policy.purchase_window_days)
    redeemed: list[str] = []
    line_ids: list[int] = []
    for cart_line, quoted_line in zip(cart_lines, quoted.lines, strict=True):
        line = OrderLine.objects.create(
            order=order,
            technician_id=cart.technician_id,
            test=cart_line.test,
            kind=cart_line.kind,
            fee_class=quoted_line.fee_class,
            list_cents=quoted_line.list_cents,
            charged_cents=quoted_line.charged_cents,
            tax_cents=quoted_line.tax_cents,
            status=LineStatus.PURCHASED,
            must_take_by=must_take_by,
            status_changed_at=now,
        )
        line_ids.append(line.pk)
        if cart_line.voucher is not None:
            _voucher_redeem(voucher=cart_line.voucher, line=line, actor=actor)
            redeemed.append(cart_line.voucher.code)
        if line.kind == LineKind.RENEWAL:
            # Where a test line becomes usable, the subscription starts.
            renewal_purchased.send(
                sender=OrderLine,
                technician_id=line.technician_id,
                order_line_id=line.pk,
                actor=actor,
            )
        else:
            _grant_entitlements(line, actor)

    if due:
        provider_for(Provider.INVOICE).authorize(payable=order, amount_cents=due)
    if quoted.voucher_cents:
        provider_for(Provider.VOUCHER).capture(
            payable=order,
            amount_cents=quoted.voucher_cents,
            reference=",".join(redeemed),
        )
    cart.lines.all().delete()
    _cart_touch(cart)
    event_record(
        kind=EventKind.ORDER_PLACED,
        subject=f"order:{order.pk}",
        technician_id=order.technician_id,
        actor=actor,
        data={
            "after": {
                "lines": [
                    {
                        "id": line_id,
                        "test": quoted_line.test,
                        "kind": quoted_line.kind,
                        "status": LineStatus.PURCHASED,
                        "charged": quoted_line.charged_cents,
                        "tax": quoted_line.tax_cents,
                        "voucher": quoted_line.voucher,
                    }
                    for line_id, quoted_line in zip(line_ids, quoted.lines, strict=True)
                ],
                "registration": quoted.registration_charged_cents,
                "tax": quoted.tax_cents,
                "total": quoted.total_cents,
                "provider": provider,
                "fee_period_start": period.start,
                "must_take_by": must_take_by,
            }
        },
    )
    return order


def _user_id(actor: Actor) -> int | None:
    if actor is None or isinstance(actor, str):
        return None
    return int(actor.pk)


def _voucher_redeem(*, voucher: Voucher, line: OrderLine, actor: Actor) -> None:
    """Spend a voucher on ``line``: a conditional UPDATE, so of two checkouts racing
    for one code exactly one changes a row; the other is refused and its whole order
    rolls back."""
    taken = Voucher.objects.filter(pk=voucher.pk, redeemed_at__isnull=True).update(
        redeemed_at=clock.now(), redeemed_line=line
    )
    if taken != 1:
        raise VoucherRefused(
            {
                "code": _("Voucher %(code)s has already been used.")
                % {"code": voucher.code}
            },
            code="used",
        )
    event_record(
        kind=EventKind.VOUCHER_REDEEMED,
        subject=f"voucher:{voucher.code}",
        technician_id=line.technician_id,
        actor=actor,
        data={"order_line": line.pk, "batch": voucher.batch_id},
    )


def order_mark_paid(
    *, order_id: int, reference: str = "", actor: Actor = None
) -> Order:
    """Record that an order's invoice was paid (staff, in the admin)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.payment_status != PaymentStatus.DUE:
            raise CommerceError(
                _("Order %(order)s is %(status)s.")
                % {"order": order.pk, "status": order.get_payment_status_display()},
                code="bad_state",
            )
        provider_for(Provider.MANUAL).capture(
            payable=order,
            amount_cents=order.total_cents - order.refunded_cents,
            reference=reference,
        )
        order.payment_status = PaymentStatus.PAID
        order.paid_at = clock.now()
        order.save(update_fields=["payment_status", "paid_at"])
        event_record(
            kind=EventKind.ORDER_PAID,
            subject=f"order:{order.pk}",
            technician_id=order.technician_id,
            actor=actor,
            data={
                "before": {"payment_status": "due"},
                "after": {"payment_status": "paid"},
            },
            reason=reference,
        )
        _order_document_send(order)
    return order


# --- vouchers ----------------------------------------------------------------------


def voucher_batch_purchase(
    *,
    organization_id: int,
    quantity: int,
    fee_class: str,
    billing_region: str,
    idempotency_key: uuid.UUID,
    actor: Actor = None,
) -> tuple[VoucherBatch, bool]:
    """A shop buys ``quantity`` vouchers, paid by invoice; idempotent per key.

    A voucher costs the registration fee plus the fee of its class, as in force on
    the purchase day: it pays both when a candidate redeems it. A ``renewal``
    voucher costs the period's ``renewal_cents`` alone: it pays a year of the
    renewal app subscription, which carries no registration fee.
    """
    program = current_program()
    day = clock.today()
    errors: dict[str, str] = {}
    if not 1 <= quantity <= VOUCHER_BATCH_MAX:
        errors["quantity"] = _("Buy between 1 and %(max)s vouchers.") % {
            "max": VOUCHER_BATCH_MAX
        }
    period = program.fees_on(day)
    if period is None:
        errors["__all__"] = _("No fee table is in force on %(day)s.") % {"day": day}
    elif fee_class == RENEWAL_FEE_CLASS and period.renewal_cents is None:
        errors["fee_class"] = _(
            "The renewal app subscription is not sold on %(day)s: no renewal"
            " vouchers either."
        ) % {"day": day}
    elif fee_class != RENEWAL_FEE_CLASS and fee_class not in period.test_fees:
        errors["fee_class"] = _("%(fee_class)r is not a fee class.") % {
            "fee_class": fee_class
        }
    billing_region = billing_region.strip().upper()
    if billing_region not in selectors.BILLING_REGIONS:
        errors["billing_region"] = _("Choose the shop's billing region.")
    if errors:
        raise CommerceError(errors)
    assert period is not None
    existing = VoucherBatch.objects.filter(
        organization_id=organization_id, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing, False
    if fee_class == RENEWAL_FEE_CLASS:
        assert period.renewal_cents is not None
        unit = period.renewal_cents
    else:
        unit = period.registration_cents + period.test_fees[fee_class]
    rate_bp = selectors.tax_rate_bp(billing_region, day)
    subtotal = unit * quantity
    tax = tax_on(subtotal, rate_bp)
    try:
        with transaction.atomic():
            batch = VoucherBatch.objects.create(
                organization_id=organization_id,
                purchased_by_id=_user_id(actor),
                idempotency_key=idempotency_key,
                placed_at=clock.now(),
                order_date=day,
                currency=period.currency,
                fee_period_start=period.start,
                fee_class=fee_class,
                quantity=quantity,
                unit_cents=unit,
                billing_region=billing_region,
                tax_rate_bp=rate_bp,
                subtotal_cents=subtotal,
                tax_cents=tax,
                total_cents=subtotal + tax,
                provider=Provider.INVOICE,
                payment_status=PaymentStatus.DUE,
            )
            Voucher.objects.bulk_create(
                Voucher(batch=batch, code=code, fee_class=fee_class)
                for code in _fresh_codes(quantity)
            )
            provider_for(Provider.INVOICE).authorize(
                payable=batch, amount_cents=batch.total_cents
            )
            event_record(
                kind=EventKind.VOUCHER_BATCH_PLACED,
                subject=f"voucher_batch:{batch.pk}",
                actor=actor,
                data={
                    "after": {
                        "organization": organization_id,
                        "quantity": quantity,
                        "fee_class": fee_class,
                        "total": batch.total_cents,
                    }
                },
            )
    except IntegrityError:
        existing = VoucherBatch.objects.filter(
            organization_id=organization_id, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return batch, True


def _fresh_codes(count: int) -> Iterable[str]:
    # 75 random bits per code: a collision is astronomically unlikely, but checked.
    codes: set[str] = set()
    while len(codes) < count:
        codes.update(voucher_code_new() for _ in range(count - len(codes)))
        taken = set(
            Voucher.objects.filter(code__in=codes).values_list("code", flat=True)
        )
        codes -= taken
    return sorted(codes)


def voucher_batch_mark_paid(
    *, batch_id: int, reference: str = "", actor: Actor = None
) -> VoucherBatch:
    with transaction.atomic():
        batch = VoucherBatch.objects.select_for_update().get(pk=batch_id)
        if batch.payment_status != PaymentStatus.DUE:
            raise CommerceError(
                _("Voucher batch %(batch)s is not awaiting payment.")
                % {"batch": batch.pk}
            )
        provider_for(Provider.MANUAL).capture(
            payable=batch, amount_cents=batch.total_cents, reference=reference
        )
        batch.payment_status = PaymentStatus.PAID
        batch.paid_at = clock.now()
        batch.save(update_fields=["payment_status", "paid_at"])
        event_record(
            kind=EventKind.VOUCHER_BATCH_PAID,
            subject=f"voucher_batch:{batch.pk}",
            actor=actor,
            data={
                "before": {"payment_status": "due"},
                "after": {"payment_status": "paid"},
            },
            reason=reference,
        )
    return batch


# --- the sales-tax table (edited by program staff in the admin) ----------------------

_TAX_FIELDS = ("region", "rate_bp", "effective_from", "effective_until", "configured")


def _tax_content(rate: TaxRate) -> dict[str, Any]:
    return {f: getattr(rate, f) for f in (*_TAX_FIELDS, "note")}


def tax_rate_save(*, rate: TaxRate, actor: Actor = None) -> TaxRate:
    """Add a sales-tax row, or save the changes made to one: a rate charged on
    orders from now on, so each change is in the audit trail with before and
    after."""
    with transaction.atomic():
        before = None
        if rate.pk is not None:
            stored = TaxRate.objects.select_for_update().filter(pk=rate.pk).first()
            before = _tax_content(stored) if stored is not None else None
        rate.full_clean()
        after = _tax_content(rate)
        if before == after:
            return rate
        rate.save()
        event_record(
            kind=EventKind.TAX_RATE_CREATED
            if before is None
            else EventKind.TAX_RATE_CHANGED,
            subject=f"tax_rate:{rate.region}",
            actor=actor,
            data={"before": before, "after": after},
            reason=f"{rate.region} {rate.rate_bp} bp from {rate.effective_from}",
        )
    return rate


def tax_rate_delete(*, rate_id: int, actor: Actor = None) -> None:
    """Remove a sales-tax row (orders keep the rate they were charged)."""
    with transaction.atomic():
        rate = TaxRate.objects.select_for_update().filter(pk=rate_id).first()
        if rate is None:
            return
        before = _tax_content(rate)
        rate.delete()
        event_record(
            kind=EventKind.TAX_RATE_DELETED,
            subject=f"tax_rate:{before['region']}",
            actor=actor,
            data={"before": before},
            reason=f"{before['region']} row from {before['effective_from']} deleted",
        )
