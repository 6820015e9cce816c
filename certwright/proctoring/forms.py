"""The proctor console's forms. They collect what the proctor entered and keep it
when a request is refused; the rules (an ID confirmation, a matching name, the range
of extra time) are the services' (this app's and delivery's)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certwright.delivery.attempts import MAX_EXTEND_MINUTES

# Offered as suggestions (a datalist) under the reason fields: a proctor with a
# tablet in one hand types as little as possible.
PAUSE_REASONS = (
    _("The candidate asked for a break"),
    _("The candidate is unwell"),
    _("Fire alarm or evacuation"),
    _("Computer or network problem"),
    _("Noise or disturbance in the room"),
)


class CheckInForm(forms.Form):
    id_checked = forms.BooleanField(
        label=_("I checked the candidate's government-issued photo ID"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
    name_matches = forms.ChoiceField(
        label=_("Does the name on the ID match the legal name above?"),
        choices=[("yes", _("Yes, it matches")), ("no", _("No, it does not match"))],
        required=False,
        widget=forms.RadioSelect(attrs={"required": True}),
    )

    def verdict(self) -> tuple[bool, bool | None]:
        """(ID checked, name matches or None when not answered)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        answer = data.get("name_matches") or ""
        return bool(data.get("id_checked")), (
            None if answer not in ("yes", "no") else answer == "yes"
        )


class _Versioned(forms.Form):
    # The attempt's version the page showed: a second submit of the same page is
    # recognised and changes nothing (proctoring.attempt_control).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PauseForm(_Versioned):
    reason = forms.CharField(
        label=_("Why pause?"),
        max_length=500,
        error_messages={"required": _("Say why the exam is paused.")},
        widget=forms.TextInput(attrs={"list": "pause-reasons", "autocomplete": "off"}),
    )


class ResumeForm(_Versioned):
    reason = forms.CharField(
        label=_("Note on resuming (optional)"), max_length=500, required=False
    )


class DeviceForm(_Versioned):
    reason = forms.CharField(
        label=_("Why move it to another workstation?"),
        max_length=500,
        error_messages={"required": _("Say why the exam moves to a new workstation.")},
    )


class ExtendForm(_Versioned):
    minutes = forms.IntegerField(
        label=_("Extra minutes"),
        min_value=1,
        max_value=MAX_EXTEND_MINUTES,
        error_messages={"required": _("Give the extra time in minutes.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    reason = forms.CharField(
        label=_("Why extra time?"),
        max_length=500,
        error_messages={"required": _("Say why the time is extended.")},
    )


class EndForm(_Versioned):
    reason = forms.CharField(
        label=_("Why is the exam ended?"),
        max_length=2000,
        error_messages={"required": _("Say why the exam is ended.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class IncidentForm(forms.Form):
    note = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        error_messages={"required": _("Write what happened.")},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attempt = forms.TypedChoiceField(
        label=_("About"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(
        self, *args: Any, attempts: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attempt"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("the appointment as a whole")), *attempts]
