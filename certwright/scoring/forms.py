"""Forms of the psychometrics pages: what to analyse, calibrate, equate, and why."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from certwright.itembank.models import Form
from certwright.scoring.models import Sources


class AnalysisForm(forms.Form):
    sources = forms.ChoiceField(
        label=_("Sittings"), choices=Sources.choices, initial=Sources.ALL
    )


class CalibrationForm(forms.Form):
    model = forms.ChoiceField(
        label=_("Model"), choices=[("2pl", _("2PL")), ("rasch", _("Rasch"))]
    )
    sources = forms.ChoiceField(
        label=_("Sittings"), choices=Sources.choices, initial=Sources.ALL
    )


class EquatingForm(forms.Form):
    base_form = forms.TypedChoiceField(label=_("Base form"), coerce=int)
    method = forms.ChoiceField(
        label=_("Linking"),
        choices=[
            ("stocking-lord", _("Stocking–Lord (recommended)")),
            ("mean-sigma", _("mean/sigma")),
            ("mean-mean", _("mean/mean")),
        ],
        help_text=_(
            "Used when the new form has field-test sittings; otherwise its items' "
            "bank parameters are used as they are."
        ),
    )

    def __init__(self, *args: Any, bases: list[Form], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["base_form"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(f.pk, str(f)) for f in bases]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Recorded in the audit log."),
    )
