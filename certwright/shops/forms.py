"""The shop's profile form; areas of service come from the program in force."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certwright.core.program import current_program
from certwright.shops.models import ShopProfile
from certwright.shops.services import ADDRESS_MAX, CITY_MAX, ZIP_MAX


class ShopProfileForm(forms.Form):
    address = forms.CharField(
        label=_("Address"), max_length=ADDRESS_MAX, required=False
    )
    zip_code = forms.CharField(label=_("ZIP code"), max_length=ZIP_MAX, required=False)
    city = forms.CharField(label=_("City"), max_length=CITY_MAX, required=False)
    areas = forms.MultipleChoiceField(
        label=_("Areas of service"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each area you offer needs a certified technician for the Blue Seal-style "
            "recognition."
        ),
    )

    def __init__(self, *args: Any, profile: ShopProfile, **kwargs: Any) -> None:
        if not args and "initial" not in kwargs:
            kwargs["initial"] = {
                "address": profile.address,
                "zip_code": profile.zip_code,
                "city": profile.city,
                "areas": list(profile.areas),
            }
        super().__init__(*args, **kwargs)
        areas = current_program().shops.areas
        self.fields["areas"].choices = [  # type: ignore[attr-defined]
            (code, area.name) for code, area in areas.items()
        ]
