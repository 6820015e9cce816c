"""The shop pages: cart, checkout, orders, study material, shop vouchers.

Thin: each view checks who is asking, reads through the selectors, writes through the
services and shows a refusal's message. A page that changes the cart answers an htmx
request with the cart fragment only.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.models import Technician
from certwright.commerce import selectors, services
from certwright.commerce.forms import (
    CartAddForm,
    CheckoutForm,
    LineCancelForm,
    RegionForm,
    VoucherApplyForm,
    VoucherBuyForm,
)
from certwright.commerce.invoices import invoice_filename, invoice_kind, invoice_pdf
from certwright.commerce.models import RENEWAL_FEE_CLASS, EntitlementKind, LineStatus
from certwright.commerce.pricing import money
from certwright.core import clock
from certwright.core.program import current_program

# An account without a technician record is told what it cannot do here.
NOT_CANDIDATE = "commerce/not_candidate.html"


def _error_text(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    for text in _error_text(exc):
        messages.error(request, text)


def _cart_context(
    request: HttpRequest, technician: Technician, **extra: Any
) -> dict[str, Any]:
    program = current_program()
    day = clock.today()
    view = selectors.cart_view(technician.pk, program, day)
    return {
        "cart": view,
        "today": day,
        "program": program,
        "add_form": extra.pop("add_form", None)
        or CartAddForm(program=program, day=day, initial={"version": view.version}),
        "region_form": RegionForm(
            initial={"version": view.version, "billing_region": view.billing_region}
        ),
        "checkout_form": CheckoutForm(
            initial={"version": view.version, "idempotency_key": uuid.uuid4()}
        ),
        **extra,
    }


def _cart_response(request: HttpRequest, technician: Technician) -> HttpResponse:
    """After a cart change: the fragment for htmx, a redirect otherwise."""
    if getattr(request, "htmx", False):
        return render(
            request, "commerce/_cart.html", _cart_context(request, technician)
        )
    # The checkout page's forms (region, vouchers) come back to the checkout.
    if request.POST.get("next") == "checkout":
        return redirect("commerce:checkout")
    return redirect("commerce:cart")


@candidate_required(NOT_CANDIDATE)
def cart(request: HttpRequest, technician: Technician) -> HttpResponse:
    return render(request, "commerce/cart.html", _cart_context(request, technician))


@require_POST
@candidate_required(NOT_CANDIDATE)
def cart_add(request: HttpRequest, technician: Technician) -> HttpResponse:
    program = current_program()
    form = CartAddForm(request.POST, program=program, day=clock.today())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _cart_response(request, technician)
    try:
        services.cart_line_add(
            technician_id=technician.pk,
            test=form.cleaned_data["test"],
            kind=form.cleaned_data["kind"],
            cart_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(
            request,
            _("%(test)s added to your cart.") % {"test": form.cleaned_data["test"]},
        )
    return _cart_response(request, technician)


@require_POST
@candidate_required(NOT_CANDIDATE)
def cart_remove(
    request: HttpRequest, technician: Technician, line_id: int
) -> HttpResponse:
    form = RegionForm(request.POST)  # only the version field is read
    form.is_valid()
    try:
        services.cart_line_remove(
            technician_id=technician.pk,
            line_id=line_id,
            cart_version=form.cleaned_data.get("version"),
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Removed from your cart."))
    return _cart_response(request, technician)


@require_POST
@candidate_required(NOT_CANDIDATE)
def cart_region(request: HttpRequest, technician: Technician) -> HttpResponse:
    form = RegionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a billing region from the list."))
        return _cart_response(request, technician)
    try:
        services.cart_region_set(
            technician_id=technician.pk,
            region=form.cleaned_data["billing_region"],
            cart_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        _refusal(request, exc)
    return _cart_response(request, technician)


@require_POST
@candidate_required(NOT_CANDIDATE)
def cart_voucher(
    request: HttpRequest, technician: Technician, line_id: int
) -> HttpResponse:
    if "remove" in request.POST:
        form_v = RegionForm(request.POST)
        form_v.is_valid()
        try:
            services.cart_voucher_remove(
                technician_id=technician.pk,
                line_id=line_id,
                cart_version=form_v.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            _refusal(request, exc)
        return _cart_response(request, technician)
    form = VoucherApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type the voucher code."))
        return _cart_response(request, technician)
    try:
        services.cart_voucher_apply(
            technician_id=technician.pk,
            line_id=line_id,
            code=form.cleaned_data["code"],
            cart_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, _("Voucher applied."))
    return _cart_response(request, technician)


@candidate_required(NOT_CANDIDATE)
def checkout(request: HttpRequest, technician: Technician) -> HttpResponse:
    """GET: the fee breakdown and the Place order button. POST: place the order."""
    if request.method != "POST":
        return render(
            request, "commerce/checkout.html", _cart_context(request, technician)
        )
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("This page is out of date. Check your cart and try again.")
        )
        return redirect("commerce:checkout")
    try:
        placed = services.order_place(
            technician_id=technician.pk,
            idempotency_key=form.cleaned_data["idempotency_key"],
            cart_version=form.cleaned_data["version"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:  # stale cart, not eligible, voucher used...
        _refusal(request, exc)
        return redirect("commerce:checkout")
    if placed.created:
        messages.success(request, _("Thank you: your order is placed."))
    return redirect("commerce:order_detail", order_id=placed.order.pk)


@candidate_required(NOT_CANDIDATE)
def order_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    return render(
        request,
        "commerce/order_list.html",
        {"orders": selectors.order_list(technician.pk), "today": clock.today()},
    )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = selectors.access_order(request.user, order_id)
    program = current_program()
    lines = list(order.lines.all())
    return render(
        request,
        "commerce/order_detail.html",
        {
            "order": order,
            "lines": lines,
            "rows": [
                (ln, program.tests[ln.test].name if ln.test in program.tests else "")
                for ln in lines
            ],
            "registration_tax": order.tax_cents - sum(ln.tax_cents for ln in lines),
            "registration_charged": order.subtotal_cents
            - sum(ln.charged_cents for ln in lines),
            "today": clock.today(),
            "invoice_kind": invoice_kind(order),
            "cutoff_days": program.scheduling.change_cutoff_days,
        },
    )


@login_required
def order_invoice(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order's invoice (payment due) or receipt (paid) as a PDF."""
    order = selectors.access_order(request.user, order_id)
    pdf = invoice_pdf(order, current_program())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice_filename(order)}"'
    return response


@login_required
def line_cancel(request: HttpRequest, order_id: int, line_id: int) -> HttpResponse:
    """GET: confirm; POST: cancel a purchased (not booked) test and refund it."""
    line = selectors.access_order_line(request.user, order_id, line_id)
    form = LineCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if line.status != LineStatus.PURCHASED:
            messages.error(
                request,
                _("%(test)s is %(status)s: cancel its appointment first.")
                % {"test": line.test, "status": line.get_status_display()}
                if line.status == LineStatus.BOOKED
                else _("%(test)s is %(status)s and cannot be cancelled.")
                % {"test": line.test, "status": line.get_status_display()},
            )
            return redirect("commerce:order_detail", order_id=order_id)
        try:
            line = services.order_line_refund(
                line_id=line.pk,
                reason=form.cleaned_data["reason"] or "cancelled by the candidate",
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request,
                _("%(test)s cancelled; %(amount)s refunded.")
                % {
                    "test": line.test,
                    "amount": money(line.refunded_cents, line.order.currency),
                },
            )
        return redirect("commerce:order_detail", order_id=order_id)
    return render(
        request,
        "commerce/line_cancel.html",
        {
            "line": line,
            "form": form,
            "cutoff_days": current_program().scheduling.change_cutoff_days,
        },
    )


@candidate_required(NOT_CANDIDATE)
def study_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    program = current_program()
    tests = selectors.entitled_tests(technician.pk, EntitlementKind.STUDY)
    return render(
        request,
        "commerce/study_list.html",
        {"tests": [(code, program.tests.get(code)) for code in tests]},
    )


@candidate_required(NOT_CANDIDATE)
def study(request: HttpRequest, technician: Technician, test: str) -> HttpResponse:
    """The content areas of a purchased test's blueprint in force today."""
    program = current_program()
    spec = program.tests.get(test)
    if spec is None or not selectors.has_entitlement(
        technician.pk, test, EntitlementKind.STUDY
    ):
        raise Http404("No study material for this test.")
    blueprint = spec.blueprint_on(clock.today())
    return render(
        request,
        "commerce/study.html",
        {
            "test": spec,
            "blueprint": blueprint,
            # The same time the catalog and the booking page show.
            "minutes": program.sitting_minutes(test, "initial", clock.today()),
            "practice": selectors.has_entitlement(
                technician.pk, test, EntitlementKind.PRACTICE
            ),
        },
    )


# --- shops -------------------------------------------------------------------------


def _shop_admin(request: HttpRequest) -> list[Any]:
    shops = selectors.shops_administered(request.user)
    if not shops:
        raise Http404("No shop.")
    return shops


@login_required
def voucher_list(request: HttpRequest) -> HttpResponse:
    shops = _shop_admin(request)
    return render(
        request,
        "commerce/voucher_list.html",
        {
            "shops": [
                {
                    "shop": shop,
                    "batches": list(selectors.voucher_batches(shop.pk)),
                    "vouchers": list(selectors.vouchers_of(shop.pk)),
                }
                for shop in shops
            ]
        },
    )


@login_required
def voucher_buy(request: HttpRequest) -> HttpResponse:
    shops = _shop_admin(request)
    program = current_program()
    day = clock.today()
    period = program.fees_on(day)
    fee_classes = sorted(period.test_fees) if period else []
    if period is not None and period.renewal_cents is not None:
        fee_classes.append(RENEWAL_FEE_CLASS)
    form = VoucherBuyForm(
        request.POST or None,
        shops=[(s.pk, s.name) for s in shops],
        fee_classes=fee_classes,
        initial={"quantity": 10, "fee_class": "standard"},
    )
    if request.method == "POST" and form.is_valid():
        shop = selectors.access_shop(request.user, form.cleaned_data["organization"])
        try:
            batch, created = services.voucher_batch_purchase(
                organization_id=shop.pk,
                quantity=form.cleaned_data["quantity"],
                fee_class=form.cleaned_data["fee_class"],
                billing_region=form.cleaned_data["billing_region"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("%(n)d vouchers bought; invoice of %(total)s to pay.")
                    % {
                        "n": batch.quantity,
                        "total": money(batch.total_cents, batch.currency),
                    },
                )
            return redirect(reverse("commerce:voucher_list"))
    return render(
        request,
        "commerce/voucher_buy.html",
        {"form": form, "period": period, "today": day},
    )
