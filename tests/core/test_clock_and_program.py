"""The clock and the current program: the two things every app asks core for."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import override_settings

from certwright.core import clock
from certwright.core.program import current_program


def test_now_is_aware_utc_and_follows_a_frozen_clock():
    """now() is a UTC-aware datetime; time-machine moves it."""
    # given
    moment = dt.datetime(2031, 5, 6, 23, 30, tzinfo=dt.UTC)
    # when
    with time_machine.travel(moment, tick=False):
        now = clock.now()
    # then
    assert now == moment
    assert now.utcoffset() == dt.timedelta(0)


def test_today_is_the_utc_date_whatever_the_display_time_zone():
    """Late evening in Chicago is already tomorrow in the program's calendar."""
    # given
    moment = dt.datetime(2031, 5, 7, 1, 0, tzinfo=dt.UTC)
    # when
    with (
        override_settings(TIME_ZONE="America/Chicago"),
        time_machine.travel(moment, tick=False),
    ):
        today = clock.today()
    # then
    assert today == dt.date(2031, 5, 7)


def test_current_program_follows_the_setting(mini_program_path):
    """CERTWRIGHT_PROGRAM may name a program by path; changing it switches programs."""
    # given
    builtin = current_program()
    # when
    with override_settings(CERTWRIGHT_PROGRAM=str(mini_program_path)):
        other = current_program()
    # then
    assert other.id == "mini"
    assert current_program() is builtin  # the built-in program stays cached
