"""Staff views of commerce. Read-mostly: orders, lines and vouchers change only
through the services (the actions below), so every change leaves an audit event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from certwright.commerce import services
from certwright.commerce.models import (
    Entitlement,
    Order,
    OrderLine,
    Payment,
    PaymentStatus,
    TaxRate,
    Voucher,
    VoucherBatch,
)


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin[TaxRate]):
    list_display = [
        "region",
        "rate_bp",
        "effective_from",
        "effective_until",
        "configured",
        "note",
    ]
    list_filter = ["configured"]
    search_fields = ["region"]

    # Every write goes through the service, which writes the audit event.
    def save_model(
        self, request: HttpRequest, obj: TaxRate, form: Any, change: bool
    ) -> None:
        services.tax_rate_save(rate=obj, actor=request.user)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: TaxRate) -> None:
        services.tax_rate_delete(rate_id=obj.pk, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[TaxRate]
    ) -> None:
        for pk in queryset.values_list("pk", flat=True):
            services.tax_rate_delete(rate_id=pk, actor=request.user)  # type: ignore[arg-type]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    # label: the test, or the renewal subscription (whose test is "").
    fields = readonly_fields = (
        "label",
        "kind",
        "status",
        "must_take_by",
        "list_cents",
        "charged_cents",
        "tax_cents",
        "refunded_cents",
        "appointment_id",
    )


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = readonly_fields = (
        "created_at",
        "provider",
        "action",
        "amount_cents",
        "reference",
        "line",
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = [
        "id",
        "technician",
        "order_date",
        "total_cents",
        "provider",
        "payment_status",
    ]
    list_filter = ["payment_status", "provider", "order_date"]
    search_fields = ["technician__certification_id", "technician__name", "id"]
    inlines = [OrderLineInline, PaymentInline]
    actions = ["mark_paid"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Order | None = None
    ) -> list[str]:
        return [f.name for f in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Order | None = None
    ) -> bool:
        return False

    @admin.action(description="Mark paid (invoice received)")
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset.filter(payment_status=PaymentStatus.DUE):
            try:
                services.order_mark_paid(
                    order_id=order.pk,
                    reference=f"marked paid by {request.user}",
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} order(s) marked paid.")


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin[OrderLine]):
    list_display = [
        "id",
        "order",
        "technician",
        "label",
        "kind",
        "status",
        "must_take_by",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["test", "technician__certification_id", "technician__name"]
    actions = ["refund"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: OrderLine | None = None
    ) -> list[str]:
        return [f.name for f in OrderLine._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: OrderLine | None = None
    ) -> bool:
        return False

    @admin.action(
        description="Cancel and refund (paid lines only; a renewal line's "
        "subscription is cancelled too)"
    )
    def refund(self, request: HttpRequest, queryset: QuerySet[OrderLine]) -> None:
        done = 0
        for line in queryset:
            try:
                services.order_line_refund(
                    line_id=line.pk,
                    reason=f"refunded by staff ({request.user})",
                    actor=request.user,  # type: ignore[arg-type]
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} line(s) refunded.")


class VoucherInline(ReadOnlyInline):
    model = Voucher
    fields = readonly_fields = ("code", "fee_class", "redeemed_at", "redeemed_line")


@admin.register(VoucherBatch)
class VoucherBatchAdmin(admin.ModelAdmin[VoucherBatch]):
    list_display = [
        "id",
        "organization",
        "order_date",
        "quantity",
        "fee_class",
        "total_cents",
        "payment_status",
    ]
    list_filter = ["payment_status", "fee_class"]
    inlines = [VoucherInline]
    actions = ["mark_paid"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: VoucherBatch | None = None
    ) -> list[str]:
        return [f.name for f in VoucherBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: VoucherBatch | None = None
    ) -> bool:
        return False

    @admin.action(description="Mark paid (invoice received)")
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[VoucherBatch]) -> None:
        done = 0
        for batch in queryset.filter(payment_status=PaymentStatus.DUE):
            services.voucher_batch_mark_paid(
                batch_id=batch.pk,
                reference=f"marked paid by {request.user}",
                actor=request.user,  # type: ignore[arg-type]
            )
            done += 1
        self.message_user(request, f"{done} batch(es) marked paid.")


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin[Voucher]):
    list_display = ["code", "batch", "fee_class", "redeemed_at"]
    search_fields = ["code"]
    list_filter = ["fee_class"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Voucher | None = None
    ) -> list[str]:
        return [f.name for f in Voucher._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Voucher | None = None
    ) -> bool:
        return False


@admin.register(Entitlement)
class EntitlementAdmin(admin.ModelAdmin[Entitlement]):
    list_display = ["technician", "test", "kind", "granted_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["test", "technician__certification_id"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Entitlement | None = None
    ) -> list[str]:
        return [f.name for f in Entitlement._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Entitlement | None = None
    ) -> bool:
        # An entitlement is revoked by the services (refund, forfeit), never
        # deleted: a deleted one would leave no trace of what was sold.
        return False
