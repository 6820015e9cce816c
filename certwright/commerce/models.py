"""Carts, orders, order lines, payments, vouchers, sales tax and entitlements.

Money is integer cents in the currency of the fee table in force on the order date.
An order keeps the amounts it was placed with (a later fee change never rewrites a
placed order) and the start of the fee period they came from, for provenance.

An ``OrderLine`` is one purchased test. Its life:

    purchased ──► booked ──► taken
     │  ▲       │
     │  └───────┤ (release: appointment cancelled or moved)
     ├──────────┴──► refunded   (cancelled in time; ASE: only purchased-and-cancelled)
     ├──────────┴──► forfeited  (no-show: ASE forfeits all fees)
     └─────────────► expired    (not taken by must_take_by: fees forfeited)

"purchased" means: the test belongs to the candidate and can be booked. Whether
the money has arrived is the order's ``payment_status`` (an invoice may still be due).

A line of kind ``renewal`` is not a test: it is a year of the renewal app
subscription (``test`` is ``""``, fee class ``renewal``, priced at the fee period's
``renewal_cents``). It is never booked, taken or expired: it stays "purchased" (the
subscription is the technician's) until a refund, which ends the subscription.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LineKind(models.TextChoices):
    INITIAL = "initial", _("certification test")
    RECERT = "recert", _("recertification test")
    # A year of the renewal app; not a test (see the module docstring).
    RENEWAL = "renewal", _("renewal app subscription (one year)")


# The kinds that are a test seat: bookable, expiring, one open line per test.
TEST_KINDS = (LineKind.INITIAL, LineKind.RECERT)
# The fee class of a renewal line and of the vouchers that pay it.
RENEWAL_FEE_CLASS = "renewal"
RENEWAL_LABEL = _("Renewal app subscription (one year)")


class LineStatus(models.TextChoices):
    # "purchased", not "paid": whether money has arrived is the order's
    # payment_status; a line on an invoice still due is purchased (and bookable).
    PURCHASED = "purchased", _("purchased")
    BOOKED = "booked", _("booked")
    TAKEN = "taken", _("taken")
    REFUNDED = "refunded", _("refunded")
    FORFEITED = "forfeited", _("forfeited")
    EXPIRED = "expired", _("expired")


# A line in one of these holds the test for its technician: a second purchase of the
# same test is refused while one is open (and a partial unique index enforces it).
OPEN_LINE_STATUSES = (LineStatus.PURCHASED, LineStatus.BOOKED)


class PaymentStatus(models.TextChoices):
    DUE = "due", _("payment due")
    PAID = "paid", _("paid")
    NOTHING_DUE = "nothing_due", _("nothing due")


class Provider(models.TextChoices):
    INVOICE = "invoice", _("invoice (pay later)")
    VOUCHER = "voucher", _("voucher")
    MANUAL = "manual", _("manual (marked paid by staff)")


class TaxRate(models.Model):
    """The sales-tax rate of one region over a span of days.

    ``region`` is an ISO 3166-2 code ("US-CA"). ``rate_bp`` is in basis points (725 =
    7.25 %). A region with no row in force is not taxed. The data migration seeds the
    states where ASE collects sales tax at 0 with ``configured = False``: the rate of
    each is a deployment's decision (and changes), not something this code can know.
    """

    region = models.CharField(_("region"), max_length=10)
    rate_bp = models.PositiveIntegerField(_("rate (basis points)"))
    effective_from = models.DateField(_("effective from"))
    # Exclusive; None: open-ended.
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    configured = models.BooleanField(
        _("configured"),
        default=False,
        help_text=_("Unticked: a seeded placeholder whose rate still has to be set."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["region", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_bp__lte=10_000), name="commerce_taxrate_bp_max"
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gt=F("effective_from")),
                name="commerce_taxrate_span",
            ),
            models.UniqueConstraint(
                fields=["region", "effective_from"], name="commerce_taxrate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.rate_bp / 100:.2f}% from {self.effective_from}"


class Cart(models.Model):
    """A technician's cart. ``version`` goes up on every change, so a checkout form
    rendered before the change is recognised as stale."""

    technician = models.OneToOneField(
        "candidates.Technician", on_delete=models.CASCADE, related_name="cart"
    )
    version = models.PositiveIntegerField(default=0)
    billing_region = models.CharField(
        _("billing region"), max_length=10, blank=True, default=""
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"cart of technician {self.technician_id} (v{self.version})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    test = models.CharField(_("test"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    voucher = models.ForeignKey(
        "commerce.Voucher",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cart_lines",
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "test"], name="commerce_cart_test")
        ]

    def __str__(self) -> str:
        return f"{self.test or self.kind} ({self.kind})"

    @property
    def is_test(self) -> bool:
        return self.kind != LineKind.RENEWAL

    @property
    def label(self) -> str:
        """What the line buys, for people: the test code or the subscription."""
        return self.test if self.is_test else str(RENEWAL_LABEL)


class Order(models.Model):
    """A placed order: what was bought, at which prices, and how it is paid.

    ``idempotency_key`` comes from the client (a hidden field in the checkout form,
    the Idempotency-Key header in the API); with the unique constraint it makes a
    repeated request return the order already placed instead of a second one.
    """

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.UUIDField()
    placed_at = models.DateTimeField(default=timezone.now)
    order_date = models.DateField(_("order date"))
    currency = models.CharField(max_length=3)
    fee_period_start = models.DateField(
        help_text=_("Start of the program's fee table the prices came from.")
    )
    billing_region = models.CharField(max_length=10, blank=True, default="")
    tax_rate_bp = models.PositiveIntegerField(default=0)
    registration_cents = models.PositiveIntegerField()
    # Sum of the lines' list fees, before the recert cap and vouchers.
    tests_list_cents = models.PositiveIntegerField()
    recert_cap_cents = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The cap in force (None: no cap).")
    )
    recert_discount_cents = models.PositiveIntegerField(default=0)
    voucher_cents = models.PositiveIntegerField(
        default=0, help_text=_("Test and registration fees covered by vouchers.")
    )
    # What the candidate owes before tax, then tax, then the total.
    subtotal_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField(default=0)
    total_cents = models.PositiveIntegerField()
    refunded_cents = models.PositiveIntegerField(default=0)
    provider = models.CharField(max_length=10, choices=Provider.choices)
    payment_status = models.CharField(max_length=12, choices=PaymentStatus.choices)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "idempotency_key"],
                name="commerce_order_idempotency",
            ),
        ]

    def __str__(self) -> str:
        return f"order {self.pk} of technician {self.technician_id}"

    @property
    def registration_tax_cents(self) -> int:
        return self.tax_cents - sum(line.tax_cents for line in self.lines.all())


class OrderLine(models.Model):
    """One purchased test (see the module docstring for its states).

    ``charged_cents`` is what the candidate paid for this test after the recert cap
    and any voucher; ``tax_cents`` the tax on it. A refund returns both; the order's
    registration fee is never refunded (ASE).
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    # Denormalised from the order: scheduling asks "this technician's bookable lines".
    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.PROTECT, related_name="order_lines"
    )
    test = models.CharField(_("test"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices)
    fee_class = models.CharField(max_length=20)
    list_cents = models.PositiveIntegerField()
    charged_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=LineStatus.choices, default=LineStatus.PURCHASED
    )
    must_take_by = models.DateField(_("must take by"))
    # scheduling.Appointment's id while booked; an integer, not a foreign key, so
    # commerce does not depend on the scheduling app.
    appointment_id = models.BigIntegerField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    refunded_cents = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order_id", "id"]
        constraints = [
            # The database's word on "no second open line for the same test", so two
            # concurrent checkouts cannot both get one.
            models.UniqueConstraint(
                fields=["technician", "test"],
                # Renewal lines (test "") are not test seats: a second year may
                # be bought while the first runs (it starts when that one ends).
                condition=Q(status__in=["purchased", "booked"])
                & Q(kind__in=["initial", "recert"]),
                name="commerce_line_one_open_per_test",
            ),
            models.CheckConstraint(
                condition=Q(charged_cents__lte=F("list_cents")),
                name="commerce_line_charged_le_list",
            ),
        ]
        indexes = [
            models.Index(
                fields=["technician", "status"], name="commerce_line_tech_status"
            ),
            models.Index(fields=["status", "must_take_by"], name="commerce_line_due"),
        ]

    def __str__(self) -> str:
        return f"{self.test or self.kind} ({self.kind}) {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LINE_STATUSES

    @property
    def is_test(self) -> bool:
        """A test seat (bookable, with a must-take-by date), not a subscription."""
        return self.kind != LineKind.RENEWAL

    @property
    def label(self) -> str:
        """What the line bought, for people: the test code or the subscription."""
        return self.test if self.is_test else str(RENEWAL_LABEL)


class PaymentAction(models.TextChoices):
    AUTHORIZE = "authorize", _("authorize")
    CAPTURE = "capture", _("capture")
    REFUND = "refund", _("refund")


class Payment(models.Model):
    """One movement of money (or its promise) through a provider.

    A charge is a ``capture`` row; the idempotency tests count them.
    """

    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    batch = models.ForeignKey(
        "commerce.VoucherBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    line = models.ForeignKey(
        OrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    provider = models.CharField(max_length=10, choices=Provider.choices)
    action = models.CharField(max_length=10, choices=PaymentAction.choices)
    amount_cents = models.PositiveIntegerField()
    reference = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(order__isnull=False) | Q(batch__isnull=False),
                name="commerce_payment_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.amount_cents} via {self.provider}"


class VoucherBatch(models.Model):
    """Vouchers a shop bought in bulk, paid by invoice.

    Each voucher pays one test of its fee class (an ``advanced`` voucher pays any
    test) and the registration fee of the order it is redeemed in.
    """

    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="voucher_batches",
    )
    purchased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.UUIDField()
    placed_at = models.DateTimeField(default=timezone.now)
    order_date = models.DateField()
    currency = models.CharField(max_length=3)
    fee_period_start = models.DateField()
    fee_class = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()
    unit_cents = models.PositiveIntegerField()
    billing_region = models.CharField(max_length=10, blank=True, default="")
    tax_rate_bp = models.PositiveIntegerField(default=0)
    subtotal_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField(default=0)
    total_cents = models.PositiveIntegerField()
    provider = models.CharField(
        max_length=10, choices=Provider.choices, default=Provider.INVOICE
    )
    payment_status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.DUE
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("voucher batch")
        verbose_name_plural = _("voucher batches")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                name="commerce_batch_idempotency",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="commerce_batch_quantity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.fee_class} vouchers for {self.organization_id}"


class Voucher(models.Model):
    """One code; pays for exactly one test line, once.

    Redeeming is a conditional UPDATE (``redeemed_at IS NULL``): of two checkouts
    racing for the same code exactly one updates a row.
    """

    batch = models.ForeignKey(
        VoucherBatch, on_delete=models.PROTECT, related_name="vouchers"
    )
    code = models.CharField(max_length=24, unique=True)
    fee_class = models.CharField(max_length=20)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_line = models.OneToOneField(
        OrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voucher",
    )

    class Meta:
        ordering = ["batch_id", "id"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_redeemed(self) -> bool:
        return self.redeemed_at is not None


class EntitlementKind(models.TextChoices):
    STUDY = "study", _("study material")
    PRACTICE = "practice", _("practice tests")


class Entitlement(models.Model):
    """Access a purchase unlocked: the study material and the practice tests of a
    test. A refund revokes it; a taken, forfeited or expired line keeps it (the
    candidate paid for the material)."""

    technician = models.ForeignKey(
        "candidates.Technician", on_delete=models.CASCADE, related_name="entitlements"
    )
    test = models.CharField(max_length=16)
    kind = models.CharField(max_length=10, choices=EntitlementKind.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    source_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="entitlements"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["test", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_line", "kind"], name="commerce_entitlement_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["technician", "test", "kind"], name="commerce_entitlement_look"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.kind} for technician {self.technician_id}"
