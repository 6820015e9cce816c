"""Forms of the shop pages. They only check shape; the services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from certwright.commerce.models import RENEWAL_FEE_CLASS, TEST_KINDS, LineKind
from certwright.commerce.selectors import BILLING_REGIONS, OUTSIDE_US
from certwright.commerce.services import VOUCHER_BATCH_MAX
from certwright.program.model import Program


class VersionedForm(forms.Form):
    """Carries the cart version the page was rendered with (stale-form check)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


def test_choices(program: Program, day: dt.date) -> list[tuple[str, str]]:
    return [
        (code, f"{code} · {spec.name}")
        for code, spec in sorted(program.tests.items())
        if spec.offered_on(day)
    ]


class CartAddForm(VersionedForm):
    test = forms.ChoiceField(label=_("Test"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        # The renewal subscription is added from its own page, not as a test.
        choices=[(k, label) for k, label in LineKind.choices if k in TEST_KINDS],
        initial=LineKind.INITIAL,
    )

    def __init__(self, *args: Any, program: Program, day: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["test"]).choices = test_choices(
            program, day
        )
        self.fields["test"].error_messages["invalid_choice"] = _(
            "%(value)s is not a test you can buy."
        )


def region_choices() -> list[tuple[str, str]]:
    """The states in alphabetical order, then "Outside the United States" on its
    own at the end (sorted by name it landed between Oklahoma and Oregon)."""
    states = sorted(
        (
            (code, str(name))
            for code, name in BILLING_REGIONS.items()
            if code != OUTSIDE_US
        ),
        key=lambda item: item[1],
    )
    return [
        ("", str(_("Choose…"))),
        *states,
        (OUTSIDE_US, str(BILLING_REGIONS[OUTSIDE_US])),
    ]


class RegionForm(VersionedForm):
    billing_region = forms.ChoiceField(
        label=_("Billing region"),
        help_text=_("Where you are billed: it decides the sales tax."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(
            forms.ChoiceField, self.fields["billing_region"]
        ).choices = region_choices()


class VoucherApplyForm(VersionedForm):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=40,
        help_text=_("16 characters, as printed: XXXX-XXXX-XXXX-XXXX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class CheckoutForm(VersionedForm):
    # A new key per rendered page: a double click or a resubmitted page carries the
    # same key and gets the order already placed.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class LineCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling? (optional)"),
        max_length=200,
        required=False,
    )


class VoucherBuyForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Shop"), coerce=int)
    quantity = forms.IntegerField(
        label=_("How many vouchers"), min_value=1, max_value=VOUCHER_BATCH_MAX
    )
    fee_class = forms.ChoiceField(
        label=_("Voucher kind"),
        help_text=_(
            "An advanced voucher pays for any test, a standard one for the "
            "standard tests, a renewal one for a year of the renewal app."
        ),
    )
    billing_region = forms.ChoiceField(label=_("Billing region"))
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(
        self,
        *args: Any,
        shops: list[tuple[int, str]],
        fee_classes: list[str],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organization"]).choices = shops
        cast(forms.ChoiceField, self.fields["fee_class"]).choices = [
            # The test fee classes are the program's words; this one is ours.
            (
                c,
                _("renewal (a year of the renewal app)")
                if c == RENEWAL_FEE_CLASS
                else c,
            )
            for c in fee_classes
        ]
        cast(
            forms.ChoiceField, self.fields["billing_region"]
        ).choices = region_choices()
