"""The commerce part of the REST API, mounted by certwright.interface.api
(with ``SessionOrToken``: a session or an API token) at /api/commerce/.

A signed-in candidate (session or API token) manages their cart and orders. Other
people's orders answer 404, as if they did not exist. Refusals are problem details
(``certwright.core.problems``, with the messages by field in ``errors``): 400 bad
input, 409 a stale cart or a line in the wrong state, 422 not eligible (code
``not_eligible``; the reasons are the rules core's) or a request that does not match
the schema (code ``invalid``).

Placing an order needs an ``Idempotency-Key`` header (a UUID): a retried request with
the same key gets the same order (200 instead of 201) and nothing is charged again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from annotated_types import Interval
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema, Status

from certwright.candidates.models import Technician
from certwright.commerce import selectors, services
from certwright.commerce.errors import LineStateError, NotEligible, StaleCart
from certwright.commerce.models import LineKind, LineStatus, Order, OrderLine
from certwright.commerce.selectors import CartView
from certwright.core import clock
from certwright.core.api_types import JSON_INTEGER, IsoDate
from certwright.core.ids import MAX_ID
from certwright.core.problems import ProblemDetails, problem, validation_problem
from certwright.core.program import current_program

router = Router(tags=["commerce"])

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Version = Annotated[int | None, Field(None, ge=0, le=2**31 - 1)]
BodyVersion = Annotated[int, Interval(ge=0, le=2**31 - 1), JSON_INTEGER] | None


class QuoteLineOut(Schema):
    test: str
    kind: str
    fee_class: str
    list_cents: int
    charged_cents: int
    tax_cents: int
    voucher: bool


class QuoteOut(Schema):
    currency: str
    fee_period_start: dt.date
    registration_cents: int
    registration_charged_cents: int
    registration_tax_cents: int
    lines: list[QuoteLineOut]
    tests_list_cents: int
    recert_cap_cents: int | None
    recert_discount_cents: int
    voucher_cents: int
    subtotal_cents: int
    tax_rate_bp: int
    tax_cents: int
    total_cents: int


class CartLineOut(Schema):
    id: int
    test: str = Field(description='The test code; "" for a renewal line.')
    name: str
    kind: str
    fee_class: str
    voucher: str | None
    reasons: list[str]


class CartOut(Schema):
    version: int
    billing_region: str
    lines: list[CartLineOut]
    quote: QuoteOut | None
    can_check_out: bool


class CartLineIn(Schema):
    test: str = Field(
        "",
        max_length=16,
        description='The test code; "" (or absent) for kind renewal, the renewal app'
        " subscription (its time zone is the one last chosen on /renewal/).",
    )
    kind: LineKind = LineKind.INITIAL
    version: BodyVersion = None


class RegionIn(Schema):
    billing_region: str = Field(..., max_length=10)
    version: BodyVersion = None


class VoucherIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    version: BodyVersion = None


class OrderIn(Schema):
    version: BodyVersion = None


class OrderLineOut(Schema):
    id: int
    test: str = Field(description='The test code; "" for a renewal line.')
    kind: str = Field(
        description="initial or recert: a test seat; renewal: a year of the renewal"
        " app subscription, never booked and never expiring."
    )
    fee_class: str
    status: LineStatus
    must_take_by: dt.date = Field(
        description="The last day the test may be taken; meaningless for renewal."
    )
    list_cents: int
    charged_cents: int
    tax_cents: int
    refunded_cents: int
    appointment_id: int | None


class OrderOut(Schema):
    id: int
    order_date: dt.date
    placed_at: dt.datetime
    currency: str
    fee_period_start: dt.date
    billing_region: str
    tax_rate_bp: int
    registration_cents: int
    tests_list_cents: int
    recert_cap_cents: int | None
    recert_discount_cents: int
    voucher_cents: int
    subtotal_cents: int
    tax_cents: int
    total_cents: int
    refunded_cents: int
    provider: str
    payment_status: str
    lines: list[OrderLineOut]


class CancelIn(Schema):
    reason: str = Field("", max_length=200)


class FeeTableOut(Schema):
    on: dt.date
    start: dt.date
    end: dt.date | None
    currency: str
    registration_cents: int
    registration_per: str
    test_fees: dict[str, int]
    recert_cap_cents: int | None
    renewal_cents: int | None = Field(
        description="A year of the renewal app subscription; null: not sold."
    )
    purchase_window_days: int
    estimated: bool
    note: str


ERRORS: dict[int, Any] = {
    400: ProblemDetails,
    403: ProblemDetails,
    404: ProblemDetails,
    409: ProblemDetails,
}


def _error(exc: ValidationError) -> Status:
    status = 400
    if isinstance(exc, StaleCart | LineStateError):
        status = 409
    elif isinstance(exc, NotEligible):
        status = 422
    code = "not_eligible" if status == 422 else ""
    return validation_problem(exc, status, code=code)


def _technician(request: HttpRequest) -> Technician | None:
    return selectors.technician_for_user(request.user)


def _not_candidate() -> Status:
    return problem(
        403,
        _("Only a candidate (a technician account) can buy tests."),
        code="not_candidate",
    )


def _cart_out(view: CartView) -> dict[str, Any]:
    return {
        "version": view.version,
        "billing_region": view.billing_region,
        "lines": [
            {
                "id": v.line.pk,
                "test": v.line.test,
                "name": v.name,
                "kind": v.line.kind,
                "fee_class": v.fee_class,
                "voucher": v.line.voucher.code if v.line.voucher else None,
                "reasons": list(v.reasons),
            }
            for v in view.lines
        ],
        "quote": view.quote,
        "can_check_out": view.can_check_out,
    }


def _cart(technician: Technician) -> dict[str, Any]:
    return _cart_out(
        selectors.cart_view(technician.pk, current_program(), clock.today())
    )


def _order_out(order: Order) -> dict[str, Any]:
    data = {f: getattr(order, f) for f in OrderOut.model_fields if f != "lines"}
    data["lines"] = [_line_out(line) for line in order.lines.all()]
    return data


def _line_out(line: OrderLine) -> dict[str, Any]:
    return {f: getattr(line, f) for f in OrderLineOut.model_fields}


@router.get("/cart", response={200: CartOut, **ERRORS}, summary="The cart and its fees")
def cart_get(request: HttpRequest) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    return _cart(technician)


@router.post(
    "/cart/lines",
    response={201: CartOut, 422: ProblemDetails, **ERRORS},
    summary="Put a test, or the renewal app subscription, in the cart",
)
def cart_line_add(request: HttpRequest, payload: CartLineIn) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    try:
        services.cart_line_add(
            technician_id=technician.pk,
            test=payload.test,
            kind=payload.kind,
            cart_version=payload.version,
        )
    except ValidationError as exc:
        return _error(exc)
    return Status(201, _cart(technician))


@router.delete(
    "/cart/lines/{line_id}",
    response={200: CartOut, **ERRORS},
    summary="Take a test out of the cart",
)
def cart_line_remove(
    request: HttpRequest, line_id: Id, version: Annotated[Version, Query()] = None
) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    try:
        services.cart_line_remove(
            technician_id=technician.pk, line_id=line_id, cart_version=version
        )
    except StaleCart as exc:
        return _error(exc)
    except ValidationError as exc:
        return problem(404, " ".join(exc.messages))
    return _cart(technician)


@router.put(
    "/cart/billing-region",
    response={200: CartOut, **ERRORS},
    summary="Set the billing region (sales tax)",
)
def cart_region_set(request: HttpRequest, payload: RegionIn) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    try:
        services.cart_region_set(
            technician_id=technician.pk,
            region=payload.billing_region,
            cart_version=payload.version,
        )
    except ValidationError as exc:
        return _error(exc)
    return _cart(technician)


@router.post(
    "/cart/lines/{line_id}/voucher",
    response={200: CartOut, **ERRORS},
    summary="Pay a cart line with a voucher code",
)
def cart_voucher_apply(request: HttpRequest, line_id: Id, payload: VoucherIn) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    try:
        services.cart_voucher_apply(
            technician_id=technician.pk,
            line_id=line_id,
            code=payload.code,
            cart_version=payload.version,
        )
    except ValidationError as exc:
        return _error(exc)
    return _cart(technician)


@router.post(
    "/orders",
    response={200: OrderOut, 201: OrderOut, 422: ProblemDetails, **ERRORS},
    summary="Place the order (Idempotency-Key header required)",
)
def order_place(
    request: HttpRequest,
    idempotency_key: Annotated[
        uuid.UUID,
        Header(
            alias="Idempotency-Key",
            description="A fresh UUID for each order; the same one to retry it",
        ),
    ],
    payload: OrderIn | None = None,
) -> Any:
    """Buy what is in the cart. Send a fresh UUID as ``Idempotency-Key``; repeat
    the same key to retry safely (200 with the order already placed). Without the
    header, or with one that is not a UUID: 422, the header named in ``errors``."""
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    try:
        placed = services.order_place(
            technician_id=technician.pk,
            idempotency_key=idempotency_key,
            cart_version=payload.version if payload else None,
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return _error(exc)
    order = Order.objects.prefetch_related("lines").get(pk=placed.order.pk)
    return Status(201 if placed.created else 200, _order_out(order))


@router.get("/orders", response={200: list[OrderOut], **ERRORS}, summary="My orders")
def order_list(request: HttpRequest) -> Any:
    technician = _technician(request)
    if technician is None:
        return _not_candidate()
    return [_order_out(o) for o in selectors.order_list(technician.pk)]


@router.get(
    "/orders/{order_id}", response={200: OrderOut, **ERRORS}, summary="An order"
)
def order_get(request: HttpRequest, order_id: Id) -> Any:
    order = selectors.access_order(request.user, order_id)
    return _order_out(order)


@router.post(
    "/orders/{order_id}/lines/{line_id}/cancel",
    response={200: OrderLineOut, **ERRORS},
    summary="Cancel a purchased (not booked) test and refund it",
)
def order_line_cancel(
    request: HttpRequest, order_id: Id, line_id: Id, payload: CancelIn | None = None
) -> Any:
    """Refunds the test fee and its tax; the registration fee is not refunded. A
    booked test is cancelled through its appointment (scheduling). A renewal
    subscription line is not cancelled here (404): program staff refund it."""
    line = selectors.access_order_line(request.user, order_id, line_id)
    if line.status == LineStatus.BOOKED:
        return problem(
            409,
            _("%(test)s is booked: cancel its appointment instead.")
            % {"test": line.test},
            code="booked",
        )
    try:
        line = services.order_line_refund(
            line_id=line.pk,
            reason=(payload.reason if payload else "") or "cancelled by the candidate",
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        return _error(exc)
    return _line_out(line)


@router.get(
    "/fees",
    response={200: FeeTableOut, 404: ProblemDetails},
    auth=None,
    summary="The fee table in force on a day",
)
def fees(request: HttpRequest, on: IsoDate | None = None) -> Any:
    """The program's fees in force on ``on`` (default: today)."""
    program = current_program()
    day = on or clock.today()
    period = program.fees_on(day)
    if period is None:
        return problem(404, _("No fee table is in force on %(day)s.") % {"day": day})
    return {
        "on": day,
        "start": period.start,
        "end": period.end,
        "currency": period.currency,
        "registration_cents": period.registration_cents,
        "registration_per": period.registration_per,
        "test_fees": period.test_fees,
        "recert_cap_cents": period.recert_cap_cents,
        "renewal_cents": period.renewal_cents,
        "purchase_window_days": program.policy.purchase_window_days,
        "estimated": period.estimated,
        "note": period.note,
    }
