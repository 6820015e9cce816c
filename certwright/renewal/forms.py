"""The subscription page's form: the time zone the questions follow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# The US time zones people recognise by name; questions go out on the first of the
# month at midnight there. A technician elsewhere picks the nearest.
TIME_ZONES = [
    ("America/New_York", _("Eastern (New York)")),
    ("America/Chicago", _("Central (Chicago)")),
    ("America/Denver", _("Mountain (Denver)")),
    ("America/Phoenix", _("Arizona (Phoenix)")),
    ("America/Los_Angeles", _("Pacific (Los Angeles)")),
    ("America/Anchorage", _("Alaska (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii (Honolulu)")),
    ("America/Puerto_Rico", _("Atlantic (Puerto Rico)")),
]


class SubscribeForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=TIME_ZONES,
        help_text=_("Questions arrive on the first of each month in this time zone."),
        error_messages={"invalid_choice": _("Choose a time zone from the list.")},
    )
