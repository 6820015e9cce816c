"""Forms for booking, moving and cancelling an appointment.

A form only checks what the browser sent is well formed; the rules (hours, seats,
windows, deadlines) are the services', which answer with a BookingError.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from certwright.scheduling.models import TestCentre
from certwright.scheduling.orders import BookableLine


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class StartField(forms.CharField):
    """A start time as the slot picker sends it: an ISO 8601 instant with offset."""

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            moment = parse_datetime(text)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise forms.ValidationError(_("Choose a time from the list."))
        return moment.astimezone(dt.UTC)


class SlotSearchForm(forms.Form):
    """Centre and day: what the slot picker needs besides the tests."""

    centre = forms.ModelChoiceField(
        label=_("Test centre"),
        queryset=TestCentre.objects.filter(active=True),
        empty_label=_("Choose a centre"),
        # The slot picker reloads the free times when these change.
        widget=forms.Select(attrs={"class": "picker-input"}),
    )
    date = forms.DateField(
        label=_("Day"), widget=DateInput(attrs={"class": "picker-input"})
    )


class BookForm(SlotSearchForm):
    lines = forms.TypedMultipleChoiceField(
        label=_("Tests to take"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "picker-input"}),
        error_messages={"required": _("Choose at least one test.")},
    )
    starts_at = StartField(
        label=_("Time"),
        error_messages={"required": _("Choose a time.")},
    )

    field_order = ["lines", "centre", "date", "starts_at"]

    def __init__(
        self, *args: Any, lines: Sequence[BookableLine] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lines"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (
                line.id,
                _("%(test)s (%(kind)s) — take by %(day)s")
                % {
                    "test": line.test,
                    "kind": _("recertification")
                    if line.kind == "recert"
                    else _("certification"),
                    "day": line.must_take_by.isoformat(),
                },
            )
            for line in lines
        ]


class RescheduleForm(SlotSearchForm):
    starts_at = StartField(
        label=_("New time"), error_messages={"required": _("Choose a time.")}
    )
    # The appointment's sequence when the page was drawn: a change since makes the
    # form stale.
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CancelForm(forms.Form):
    sequence = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
