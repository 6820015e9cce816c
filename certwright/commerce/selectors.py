"""Reading carts, orders, order lines, vouchers, tax rates and entitlements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from certwright import rules
from certwright.accounts.models import MembershipRole, Organization, OrganizationKind
from certwright.audit.personal_data import export_part
from certwright.candidates import selectors as candidates_selectors
from certwright.candidates.models import Technician
from certwright.commerce.models import (
    OPEN_LINE_STATUSES,
    RENEWAL_FEE_CLASS,
    RENEWAL_LABEL,
    TEST_KINDS,
    Cart,
    CartLine,
    Entitlement,
    LineKind,
    LineStatus,
    Order,
    OrderLine,
    Payment,
    TaxRate,
    Voucher,
    VoucherBatch,
)
from certwright.commerce.pricing import LineIn, Quote, UnknownFeeClass, quote
from certwright.commerce.signals import renewal_check
from certwright.core.roles import user_is_program_staff
from certwright.core.rule_words import step_words
from certwright.credentials.selectors import technician_facts
from certwright.program.model import FeePeriod, Program

# ISO 3166-2 codes of the US states and DC, and "OTHER" for billing addresses
# outside the United States (never taxed).
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island",
    "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}  # fmt: skip
OUTSIDE_US = "OTHER"
# The states' names are proper names, shown as they are; the rest is translated.
BILLING_REGIONS: dict[str, StrOrPromise] = {
    **{f"US-{code}": name for code, name in US_STATES.items()},
    OUTSIDE_US: gettext_lazy("Outside the United States"),
}


# --- who is asking -------------------------------------------------------------------

# Re-exported: the views and the API ask commerce, commerce asks candidates.
technician_for_user = candidates_selectors.technician_for_user


# --- order lines: the contract with scheduling --------------------------------------


def order_lines_bookable(technician_id: int, today: dt.date) -> list[OrderLine]:
    """The technician's purchased tests that can be booked into an appointment:
    paid, not booked, and still inside their must-take-by date (inclusive). A
    renewal subscription line is never one (it is no test seat)."""
    return list(
        OrderLine.objects.filter(
            technician_id=technician_id,
            kind__in=TEST_KINDS,
            status=LineStatus.PURCHASED,
            must_take_by__gte=today,
        ).order_by("must_take_by", "id")
    )


def order_line_get(line_id: int) -> OrderLine | None:
    return OrderLine.objects.select_related("order").filter(pk=line_id).first()


def order_lines_open(technician_id: int) -> list[OrderLine]:
    """Paid or booked test lines (what blocks a second purchase of the same
    test); renewal subscription lines are not test seats."""
    return list(
        OrderLine.objects.filter(
            technician_id=technician_id,
            status__in=OPEN_LINE_STATUSES,
            kind__in=TEST_KINDS,
        ).order_by("must_take_by", "id")
    )


# --- tax ---------------------------------------------------------------------------


def tax_rate_bp(region: str, day: dt.date) -> int:
    """The sales-tax rate (basis points) in force for ``region`` on ``day``; 0 when
    no row is in force."""
    rate = (
        TaxRate.objects.filter(region=region, effective_from__lte=day)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gt=day))
        .order_by("-effective_from")
        .values_list("rate_bp", flat=True)
        .first()
    )
    return rate or 0


# --- cart ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CartLineView:
    line: CartLine
    name: str
    fee_class: str
    reasons: tuple[str, ...]  # why it could not be bought today; empty when it can


@dataclass(frozen=True, slots=True)
class CartView:
    cart: Cart | None
    version: int
    billing_region: str
    lines: tuple[CartLineView, ...]
    period: FeePeriod | None
    quote: Quote | None  # None when the cart is empty or no fee table is in force

    @property
    def can_check_out(self) -> bool:
        return (
            bool(self.lines)
            and self.quote is not None
            and bool(self.billing_region)
            and not any(v.reasons for v in self.lines)
        )


def _renewal_line_view(
    cart_line: CartLine, program: Program, day: dt.date, *, check: bool
) -> CartLineView:
    """The renewal subscription line: priced from the fee period, checked by the
    renewal app through ``renewal_check``."""
    reasons: list[str] = []
    period = program.fees_on(day)
    if period is None or period.renewal_cents is None:
        reasons.append(
            _("The renewal app subscription is not sold on %(day)s.") % {"day": day}
        )
    if check:
        for _receiver, answer in renewal_check.send(
            sender=Cart, technician_id=cart_line.cart.technician_id, day=day
        ):
            reasons.extend(answer or ())
    if cart_line.voucher is not None and cart_line.voucher.redeemed_at is not None:
        reasons.append(
            _("Voucher %(code)s has already been used.")
            % {"code": cart_line.voucher.code}
        )
    return CartLineView(
        line=cart_line,
        name=str(RENEWAL_LABEL),
        fee_class=RENEWAL_FEE_CLASS,
        reasons=tuple(dict.fromkeys(reasons)),
    )


def cart_view(
    technician_id: int, program: Program, day: dt.date, *, check: bool = True
) -> CartView:
    """The cart with its fee breakdown as it would be charged on ``day``.

    ``check`` re-runs eligibility for each line (the checkout page does; a tax or
    fee refresh may not need to).
    """
    cart = Cart.objects.filter(technician_id=technician_id).first()
    if cart is None:
        return CartView(None, 0, "", (), program.fees_on(day), None)
    lines = list(cart.lines.select_related("voucher").order_by("id"))
    facts = technician_facts(technician_id) if check and lines else None
    open_tests = (
        dict(
            OrderLine.objects.filter(
                technician_id=technician_id,
                status__in=OPEN_LINE_STATUSES,
                test__in=[cart_line.test for cart_line in lines],
            ).values_list("test", "must_take_by")
        )
        if check and lines
        else {}
    )
    views: list[CartLineView] = []
    for cart_line in lines:
        if cart_line.kind == LineKind.RENEWAL:
            views.append(_renewal_line_view(cart_line, program, day, check=check))
            continue
        spec = program.tests.get(cart_line.test)
        reasons: list[str] = []
        if spec is None:
            reasons.append(
                _("%(test)s is no longer offered.") % {"test": cart_line.test}
            )
        elif facts is not None:
            verdict = rules.eligibility(
                program, facts, cart_line.test, cart_line.kind, day
            )
            reasons.extend(step_words(step) for step in verdict.reasons)
            if cart_line.test in open_tests:
                reasons.append(
                    _(
                        "You already have %(test)s purchased and not yet taken (take "
                        "it by %(day)s)."
                    )
                    % {"test": cart_line.test, "day": open_tests[cart_line.test]}
                )
        if cart_line.voucher is not None and cart_line.voucher.redeemed_at is not None:
            reasons.append(
                _("Voucher %(code)s has already been used.")
                % {"code": cart_line.voucher.code}
            )
        views.append(
            CartLineView(
                line=cart_line,
                name=spec.name if spec else cart_line.test,
                fee_class=spec.fee_class if spec else "",
                reasons=tuple(reasons),
            )
        )
    period = program.fees_on(day)
    quoted: Quote | None = None
    if period is not None and lines and all(v.fee_class for v in views):
        try:
            quoted = quote(
                period,
                [
                    LineIn(
                        test=v.line.test,
                        kind=v.line.kind,
                        fee_class=v.fee_class,
                        voucher=v.line.voucher_id is not None,
                    )
                    for v in views
                ],
                tax_rate_bp(cart.billing_region, day) if cart.billing_region else 0,
            )
        except UnknownFeeClass:
            quoted = None
    return CartView(
        cart, cart.version, cart.billing_region, tuple(views), period, quoted
    )


# --- orders ------------------------------------------------------------------------


def order_list(technician_id: int) -> QuerySet[Order]:
    return (
        Order.objects.filter(technician_id=technician_id)
        .prefetch_related("lines")
        .order_by("-placed_at", "-id")
    )


def access_order(
    user: AbstractBaseUser | AnonymousUser,
    order_id: int,
    *,
    lock: bool = False,
    own: bool = False,
) -> Order:
    """The user's own order, or Http404 (never 403, so ids cannot be probed).

    Program staff (``user_is_program_staff``) may read any order, unless ``own``:
    then it must be the user's own (what only the candidate may do to it).
    """
    qs = Order.objects.all()
    if lock:
        qs = qs.select_for_update()
    order = qs.filter(pk=order_id).first()
    if order is None or not user.is_authenticated:
        raise Http404("No such order.")
    if not own and user_is_program_staff(user):
        return order
    technician = technician_for_user(user)
    if technician is None or order.technician_id != technician.pk:
        raise Http404("No such order.")
    return order


def access_order_line(
    user: AbstractBaseUser | AnonymousUser, order_id: int, line_id: int
) -> OrderLine:
    """A line of the user's own order, to cancel: the candidate's decision alone
    (program staff refund in the admin, where the action is theirs on record).
    Http404 for anyone else, program staff included."""
    order = access_order(user, order_id, own=True)
    # A renewal subscription is not cancelled here: a year already running is
    # refunded by program staff in the admin, who decide what is fair.
    line = OrderLine.objects.filter(
        pk=line_id, order_id=order.pk, kind__in=TEST_KINDS
    ).first()
    if line is None:
        raise Http404("No such order line.")
    return line


# --- entitlements ----------------------------------------------------------------


def has_entitlement(technician_id: int, test: str, kind: str) -> bool:
    """Did a purchase (not since refunded) unlock ``kind`` of ``test``?"""
    return Entitlement.objects.filter(
        technician_id=technician_id, test=test, kind=kind, revoked_at__isnull=True
    ).exists()


def entitled_tests(technician_id: int, kind: str) -> list[str]:
    return sorted(
        set(
            Entitlement.objects.filter(
                technician_id=technician_id, kind=kind, revoked_at__isnull=True
            ).values_list("test", flat=True)
        )
    )


# --- vouchers ----------------------------------------------------------------------


def voucher_batches(organization_id: int) -> QuerySet[VoucherBatch]:
    return VoucherBatch.objects.filter(organization_id=organization_id).order_by(
        "-placed_at", "-id"
    )


def vouchers_of(organization_id: int) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(batch__organization_id=organization_id)
        .select_related("redeemed_line", "redeemed_line__technician")
        .order_by("redeemed_at", "batch_id", "id")
    )


# --- shops ---------------------------------------------------------------------------


def shops_administered(user: AbstractBaseUser | AnonymousUser) -> list[Organization]:
    """The shops (accounts.Organization, kind shop) the user administers."""
    if not user.is_authenticated:
        return []
    return list(
        Organization.objects.filter(
            kind=OrganizationKind.SHOP,
            memberships__user_id=user.pk,
            memberships__role=MembershipRole.ADMIN,
        ).order_by("name", "id")
    )


def access_shop(
    user: AbstractBaseUser | AnonymousUser, organization_id: int
) -> Organization:
    """A shop the user administers, or Http404."""
    for shop in shops_administered(user):
        if shop.pk == organization_id:
            return shop
    raise Http404("No such shop.")


# --- one-click recertification -------------------------------------------------------

# Without a reminder ladder, "expiring" starts this many days before the expiry date
# (half a year: the ASE ladder's first rung, and the dashboard's "expiring soon").
RECERT_LEAD_DAYS_DEFAULT = 180


@dataclass(frozen=True, slots=True)
class RecertWindow:
    """When one click puts a certification's recertification test in the cart.

    It opens at the reminder ladder's first rung before the expiry date (the first
    e-mail says "to keep it" and links to the click) and stays open after the expiry
    for as long as the program lets a recertification pass count
    (``policy.recert_max_lapse_days``; none: for good)."""

    lead_days: int
    opens_on: dt.date
    # The last day a lapsed certification can still be recertified; None: no limit.
    closes_on: dt.date | None
    max_lapse_days: int | None

    def offered_on(self, day: dt.date) -> bool:
        return self.opens_on <= day and (
            self.closes_on is None or day <= self.closes_on
        )


def recert_window(program: Program, expires_on: dt.date) -> RecertWindow:
    """The one-click window of a certification whose first uncertified day is
    ``expires_on``."""
    lead = max(program.reminders.before_days, default=RECERT_LEAD_DAYS_DEFAULT)
    lapse = program.policy.recert_max_lapse_days
    return RecertWindow(
        lead_days=lead,
        opens_on=expires_on - dt.timedelta(days=lead),
        # The rules refuse a recertification more than N days after the expiry
        # (rules.eligibility: (day - expires_on).days > N).
        closes_on=expires_on + dt.timedelta(days=lapse) if lapse is not None else None,
        max_lapse_days=lapse,
    )


def cart_tests(technician_id: int) -> dict[str, str]:
    """test -> kind of each line in the technician's cart."""
    return dict(
        CartLine.objects.filter(cart__technician_id=technician_id).values_list(
            "test", "kind"
        )
    )


def open_lines_by_test(technician_id: int) -> dict[str, OrderLine]:
    """The technician's paid or booked lines not yet taken, by test (one per test:
    a second purchase of an open test is refused)."""
    return {line.test: line for line in order_lines_open(technician_id)}


def personal_data(technician: Technician) -> dict[str, list[dict[str, Any]]]:
    """commerce's part of the technician's data export: their cart, orders with
    their lines and payments, and what the orders entitle them to (the invoices
    and receipts as PDFs go into the archive beside the JSON)."""
    own = {"technician_id": technician.pk}
    return export_part(
        Cart.objects.filter(**own),
        CartLine.objects.filter(cart__technician_id=technician.pk),
        Order.objects.filter(**own),
        OrderLine.objects.filter(**own),
        Payment.objects.filter(order__technician_id=technician.pk),
        Entitlement.objects.filter(**own),
    )


def orders_for_technician(technician: Technician) -> list[Order]:
    """The technician's orders, oldest first (their invoices for the export)."""
    return list(
        Order.objects.filter(technician_id=technician.pk).order_by("placed_at", "id")
    )
