"""The renewal app's answers to commerce's signals (``commerce.signals``): whether
the subscription may be bought, starting it when an order line pays for it, and
cancelling it when that line is refunded. Connected in ``RenewalConfig.ready``."""

from __future__ import annotations

from typing import Any

from certwright.commerce.errors import NotEligible
from certwright.renewal import selectors, services
from certwright.renewal.errors import RenewalError


def on_renewal_check(
    sender: Any, *, technician_id: int, day: Any, **kwargs: Any
) -> list[str]:
    return selectors.renewal_purchase_reasons(technician_id=technician_id, today=day)


def on_renewal_purchased(
    sender: Any, *, technician_id: int, order_line_id: int, actor: Any, **kwargs: Any
) -> None:
    try:
        services.subscription_for_order_line(
            technician_id=technician_id, order_line_id=order_line_id, actor=actor
        )
    except RenewalError as exc:
        # Checked moments before in the same transaction, so only a race gets
        # here; commerce's own refusal rolls the whole order back with a message.
        raise NotEligible(str(exc), code=exc.code) from exc


def on_renewal_refunded(
    sender: Any,
    *,
    order_line_id: int,
    reason: str,
    actor: Any,
    **kwargs: Any,
) -> None:
    services.subscription_cancel_for_order_line(
        order_line_id=order_line_id, reason=reason or "refunded", actor=actor
    )


__all__ = ["on_renewal_check", "on_renewal_purchased", "on_renewal_refunded"]
