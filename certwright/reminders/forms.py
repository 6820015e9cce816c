from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from certwright.reminders.models import ReminderChoice


class ReminderChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Which expiry reminders do you want by e-mail?"),
        choices=ReminderChoice.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the options."),
            "invalid_choice": _("Choose one of the options listed."),
        },
    )
