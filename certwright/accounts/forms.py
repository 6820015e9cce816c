"""Forms: sign-up with the candidate's legal name, API tokens, sharing."""

from __future__ import annotations

import unicodedata
from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from certwright.accounts.selectors import organization_get_by_code

# first_name and last_name hold 150 characters each; the name is split between them.
NAME_MAX_LENGTH = 150


def clean_text(value: str, *, field: str) -> str:
    """``value`` with runs of whitespace collapsed; control characters refused (a NUL
    is an error on PostgreSQL, and none belongs in a name)."""
    if any(unicodedata.category(ch) == "Cc" for ch in value.replace("\n", " ")):
        raise ValidationError(
            _("The %(field)s contains characters that cannot be printed."),
            code="control_character",
            params={"field": field},
        )
    return " ".join(value.split())


def name_split(name: str) -> tuple[str, str]:
    """(first_name, last_name) for Django's user, such that get_full_name() gives
    ``name`` back: the last word is the last name, the rest the first."""
    first, _sep, last = name.rpartition(" ")
    return first, last


class SignupForm(AllauthSignupForm):
    """allauth's sign-up plus the candidate's full legal name, which becomes the
    name on their technician record and on every score report."""

    name = forms.CharField(
        label=_("Full name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_(
            "Exactly as on the photo ID you will show at the test centre: the centre "
            "checks it before you sit a test."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"], field=str(_("name")))
        if not name:
            raise ValidationError(_("Enter your full name."), code="required")
        return name


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “shop payroll sync”."),
    )

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"], field=str(_("name")))
        if not name:
            raise ValidationError(_("Give the token a name."), code="required")
        return name


class ShareGrantForm(forms.Form):
    code = forms.CharField(
        label=_("Organization code"),
        max_length=32,
        help_text=_("Your employer or shop gives you this code (six letters)."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
    )

    def clean_code(self) -> Any:
        code = clean_text(self.cleaned_data["code"], field=str(_("code")))
        organization = organization_get_by_code(code)
        if organization is None:
            raise ValidationError(
                _("No shop or employer has the code %(code)s. Check it with them."),
                code="unknown",
                params={"code": code.upper()},
            )
        self.organization = organization
        return organization.code


# --- the employer's roster and watch --------------------------------------------------

ROSTER_FILTER_CHOICES = [
    ("", _("Everyone")),
    ("expiring", _("Expiring within 90 days")),
    ("lapsed", _("Lapsed")),
    ("revoked", _("Revoked")),
    ("new", _("Newly certified (last 30 days)")),
]
ROSTER_SORT_CHOICES = [
    ("name", _("Name")),
    ("certification_id", _("Certification ID")),
    ("expiry", _("Soonest expiry")),
]


class RosterForm(forms.Form):
    """The roster's filter and sort (a GET form: the URL is the query)."""

    filter = forms.ChoiceField(
        label=_("Show"), choices=ROSTER_FILTER_CHOICES, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=ROSTER_SORT_CHOICES, required=False
    )


class WatchForm(forms.Form):
    weekly_digest = forms.BooleanField(
        label=_("Weekly e-mail digest of changes"), required=False
    )
    revocation_email = forms.BooleanField(
        label=_("E-mail at once when a certification is revoked"), required=False
    )
