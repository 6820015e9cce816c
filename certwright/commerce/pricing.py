"""Fees of an order, computed from the program's fee table: pure, no database.

The rules, from the program data (``FeePeriod``) and ase-program.md §7:

- one registration fee per order (ASE charged it per testing window before year-round
  testing; an order placed now is the window, so it is charged once per order either
  way);
- each test its fee class's fee (``standard``, ``advanced`` for the L tests);
- recertification test fees in one order are capped at ``recert_cap_cents``: the cap
  limits the money, not the number of tests; the capped amount is shared among the
  recert lines in proportion to their fees, so a refund of one returns its share;
- a line paid by a voucher costs the candidate nothing, and the voucher also covers
  the order's registration fee (the shop paid both when it bought the voucher);
- sales tax per line and on the registration fee, each rounded half up to the cent,
  so refunding a line returns exactly the tax charged on it;
- a renewal app subscription line (kind ``renewal``) costs the period's
  ``renewal_cents``; it is not a test, so the recert cap never applies to it, an
  order of subscriptions alone charges no registration fee, and only a test
  voucher covers the registration fee (a renewal voucher was sold without it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from certwright.program.model import FeePeriod

BASIS_POINTS = 10_000
# commerce.models.LineKind.RENEWAL (pricing stays free of the models).
RENEWAL_KIND = "renewal"


def tax_on(cents: int, rate_bp: int) -> int:
    """Tax on ``cents`` at ``rate_bp`` basis points, rounded half up to the cent."""
    return (cents * rate_bp + BASIS_POINTS // 2) // BASIS_POINTS


def share(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole cents summing to it
    (largest remainder; ties go to the earlier item)."""
    whole = sum(weights)
    if whole == 0:
        return [0 for _ in weights]
    parts = [total * w // whole for w in weights]
    rest = total - sum(parts)
    order = sorted(
        range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i)
    )
    for i in order[:rest]:
        parts[i] += 1
    return parts


@dataclass(frozen=True, slots=True)
class LineIn:
    test: str
    kind: str  # "initial" | "recert" | "renewal"
    fee_class: str
    voucher: bool = False


@dataclass(frozen=True, slots=True)
class LineQuote:
    test: str
    kind: str
    fee_class: str
    list_cents: int
    charged_cents: int
    tax_cents: int
    voucher: bool


@dataclass(frozen=True, slots=True)
class Quote:
    currency: str
    fee_period_start: str
    registration_cents: int  # the fee itself, always shown
    registration_charged_cents: int  # 0 when a voucher covers it
    registration_tax_cents: int
    lines: tuple[LineQuote, ...]
    tests_list_cents: int
    recert_cap_cents: int | None
    recert_discount_cents: int
    voucher_cents: int
    subtotal_cents: int
    tax_rate_bp: int
    tax_cents: int
    total_cents: int


class UnknownFeeClass(ValueError):
    pass


def quote(period: FeePeriod, lines: Sequence[LineIn], tax_rate_bp: int) -> Quote:
    """The fee breakdown of an order of ``lines`` under ``period``."""
    list_fees: list[int] = []
    for line in lines:
        if line.kind == RENEWAL_KIND:
            if period.renewal_cents is None:
                raise UnknownFeeClass(
                    f"no renewal subscription price in the table from {period.start}"
                )
            list_fees.append(period.renewal_cents)
            continue
        if line.fee_class not in period.test_fees:
            raise UnknownFeeClass(
                f"no fee for class {line.fee_class!r} in the table from {period.start}"
            )
        list_fees.append(period.test_fees[line.fee_class])
    charged = [
        0 if line.voucher else fee for line, fee in zip(lines, list_fees, strict=True)
    ]

    recert = [
        i for i, line in enumerate(lines) if line.kind == "recert" and not line.voucher
    ]
    recert_total = sum(charged[i] for i in recert)
    discount = 0
    cap = period.recert_cap_cents
    if cap is not None and recert_total > cap:
        discount = recert_total - cap
        for i, part in zip(
            recert, share(cap, [charged[i] for i in recert]), strict=True
        ):
            charged[i] = part

    test_lines = [line for line in lines if line.kind != RENEWAL_KIND]
    registration = period.registration_cents if test_lines else 0
    any_voucher = any(line.voucher for line in test_lines)
    registration_charged = 0 if any_voucher else registration
    voucher_cents = sum(
        f for line, f in zip(lines, list_fees, strict=True) if line.voucher
    ) + (registration if any_voucher else 0)
    taxes = [tax_on(c, tax_rate_bp) for c in charged]
    registration_tax = tax_on(registration_charged, tax_rate_bp)
    subtotal = registration_charged + sum(charged)
    tax = registration_tax + sum(taxes)
    return Quote(
        currency=period.currency,
        fee_period_start=period.start.isoformat(),
        registration_cents=registration,
        registration_charged_cents=registration_charged,
        registration_tax_cents=registration_tax,
        lines=tuple(
            LineQuote(
                test=line.test,
                kind=line.kind,
                fee_class=line.fee_class,
                list_cents=fee,
                charged_cents=c,
                tax_cents=t,
                voucher=line.voucher,
            )
            for line, fee, c, t in zip(lines, list_fees, charged, taxes, strict=True)
        ),
        tests_list_cents=sum(list_fees),
        recert_cap_cents=cap,
        recert_discount_cents=discount,
        voucher_cents=voucher_cents,
        subtotal_cents=subtotal,
        tax_rate_bp=tax_rate_bp,
        tax_cents=tax,
        total_cents=subtotal + tax,
    )


def money(cents: int, currency: str = "USD") -> str:
    """``1234`` -> ``$12.34`` (USD) or ``12.34 EUR``."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    amount = f"{whole:,}.{part:02d}"
    if currency == "USD":
        return f"{sign}${amount}"
    return f"{sign}{amount} {currency}"
