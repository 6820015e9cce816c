"""Payment providers: how money for an order (or a voucher batch) moves.

A provider is anything with ``authorize``, ``capture`` and ``refund``; each call
records a ``Payment`` row and returns it. They are called by the commerce services
inside the services' transaction, never by views. Three ship:

- ``InvoiceProvider``: pay later. Placing the order *authorizes* (issues the
  invoice: the order is confirmed and its payment is due); the capture happens when
  the money arrives, which staff record in the admin (through ``ManualProvider``).
- ``VoucherProvider``: the lines a shop's vouchers pay for. The shop paid when it
  bought them, so authorize and capture are one step.
- ``ManualProvider``: staff mark an order or a batch paid in the admin.

A card processor would be a fourth class with the same three methods, calling its
API with the order's idempotency key so a retried capture is not a second charge.
"""

from __future__ import annotations

from typing import Protocol

from certwright.commerce.models import (
    Order,
    OrderLine,
    Payment,
    PaymentAction,
    Provider,
    VoucherBatch,
)

Payable = Order | VoucherBatch


def _record(
    provider: str,
    action: str,
    payable: Payable,
    amount_cents: int,
    *,
    reference: str = "",
    line: OrderLine | None = None,
) -> Payment:
    return Payment.objects.create(
        order=payable if isinstance(payable, Order) else None,
        batch=payable if isinstance(payable, VoucherBatch) else None,
        line=line,
        provider=provider,
        action=action,
        amount_cents=amount_cents,
        reference=reference,
    )


def _invoice_number(payable: Payable) -> str:
    prefix = "INV-O" if isinstance(payable, Order) else "INV-B"
    return f"{prefix}{payable.pk:06d}"


class PaymentProvider(Protocol):
    code: str

    def authorize(self, *, payable: Payable, amount_cents: int) -> Payment: ...

    def capture(
        self, *, payable: Payable, amount_cents: int, reference: str = ""
    ) -> Payment: ...

    def refund(
        self, *, payable: Payable, line: OrderLine | None, amount_cents: int
    ) -> Payment: ...


class InvoiceProvider:
    code: str = Provider.INVOICE

    def authorize(self, *, payable: Payable, amount_cents: int) -> Payment:
        return _record(
            self.code,
            PaymentAction.AUTHORIZE,
            payable,
            amount_cents,
            reference=_invoice_number(payable),
        )

    def capture(
        self, *, payable: Payable, amount_cents: int, reference: str = ""
    ) -> Payment:
        return _record(
            self.code,
            PaymentAction.CAPTURE,
            payable,
            amount_cents,
            reference=reference or _invoice_number(payable),
        )

    def refund(
        self, *, payable: Payable, line: OrderLine | None, amount_cents: int
    ) -> Payment:
        # An unpaid invoice is reduced by a credit note; a paid one is paid back.
        return _record(
            self.code,
            PaymentAction.REFUND,
            payable,
            amount_cents,
            reference=f"CN-{_invoice_number(payable)}",
            line=line,
        )


class VoucherProvider:
    code: str = Provider.VOUCHER

    def authorize(self, *, payable: Payable, amount_cents: int) -> Payment:
        return self.capture(payable=payable, amount_cents=amount_cents)

    def capture(
        self, *, payable: Payable, amount_cents: int, reference: str = ""
    ) -> Payment:
        return _record(
            self.code, PaymentAction.CAPTURE, payable, amount_cents, reference=reference
        )

    def refund(
        self, *, payable: Payable, line: OrderLine | None, amount_cents: int
    ) -> Payment:
        return _record(
            self.code, PaymentAction.REFUND, payable, amount_cents, line=line
        )


class ManualProvider:
    code: str = Provider.MANUAL

    def authorize(self, *, payable: Payable, amount_cents: int) -> Payment:
        return _record(self.code, PaymentAction.AUTHORIZE, payable, amount_cents)

    def capture(
        self, *, payable: Payable, amount_cents: int, reference: str = ""
    ) -> Payment:
        return _record(
            self.code, PaymentAction.CAPTURE, payable, amount_cents, reference=reference
        )

    def refund(
        self, *, payable: Payable, line: OrderLine | None, amount_cents: int
    ) -> Payment:
        return _record(
            self.code, PaymentAction.REFUND, payable, amount_cents, line=line
        )


PROVIDERS: dict[str, PaymentProvider] = {
    Provider.INVOICE: InvoiceProvider(),
    Provider.VOUCHER: VoucherProvider(),
    Provider.MANUAL: ManualProvider(),
}


def provider_for(code: str) -> PaymentProvider:
    return PROVIDERS[code]
