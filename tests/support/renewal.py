"""Buying the renewal app subscription through the services (cart, voucher, order)."""

from __future__ import annotations

import uuid

from certwright.candidates.models import Technician
from certwright.commerce import services
from certwright.commerce.models import CartLine, Order
from certwright.renewal.services import subscription_to_cart


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
