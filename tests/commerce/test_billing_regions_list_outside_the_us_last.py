"""The billing-region list offers the states in alphabetical order and "Outside the
United States" last, not sorted among the states."""

from typing import cast

from django import forms

from certwright.commerce.forms import RegionForm


def test_outside_the_us_comes_after_every_state() -> None:
    # when
    field = cast(forms.ChoiceField, RegionForm().fields["billing_region"])
    choices = cast(list[tuple[str, str]], list(field.choices))  # type: ignore[arg-type]
    # then
    codes = [code for code, _label in choices]
    labels = [str(label) for _code, label in choices]
    assert codes[0] == ""
    assert codes[-1] == "OTHER"
    states = labels[1:-1]
    assert states == sorted(states)
    assert states[-1] == "Wyoming"
