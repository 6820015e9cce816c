"""Recognition is checked again on every change (employment, profile, a
certification recomputed) and daily, and kept as periods with from and until
dates; every change leaves an event."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from certwright.audit.models import Event, EventKind
from certwright.core.clock import today
from certwright.program.loader import get_program
from certwright.shops.models import EmploymentSide, RecognitionPeriod, ShopProfile
from certwright.shops.selectors import recognition_current, shop_credential_facts
from certwright.shops.services import (
    EmploymentError,
    employment_end,
    shop_profile_update,
)
from tests.support.dates import ago
from tests.support.shops import employ, passes_record, shop_make, technician_make

pytestmark = pytest.mark.django_db


def test_employing_certified_technicians_opens_and_raises_the_recognition() -> None:
    # given a shop offering brakes, and technicians certified in A5 and A1
    shop = shop_make(areas=["brakes"])
    brakes, engine = technician_make("Al Brake"), technician_make("Bo Engine")
    passes_record(brakes, ["A5"])
    passes_record(engine, ["A1"])
    # when the A1 technician is employed: certified, but brakes uncovered
    employ(shop, engine)
    assert recognition_current(shop.pk).level == "sign"  # type: ignore[union-attr]
    # when the A5 technician joins, then the blue seal from today
    employ(shop, brakes)
    current = recognition_current(shop.pk)
    assert current is not None
    assert current.level == "blue_seal"
    assert (current.since, current.certified, current.technicians) == (today(), 2, 2)
    # then the sign's period was closed today, and each change is an event
    closed = RecognitionPeriod.objects.get(shop=shop, level="sign")
    assert closed.until == today()
    assert Event.objects.filter(kind=EventKind.SHOP_RECOGNITION_CHANGED).count() == 2


def test_an_uncertified_hire_below_three_quarters_drops_to_the_sign() -> None:
    shop = shop_make()
    certified = technician_make("Cat Cert")
    passes_record(certified, ["A1"])
    employ(shop, certified)
    assert recognition_current(shop.pk).level == "blue_seal"  # type: ignore[union-attr]
    # when an uncertified technician is employed: 1 of 2 is 50%
    employ(shop, technician_make("Dan New", experienced=False))
    assert recognition_current(shop.pk).level == "sign"  # type: ignore[union-attr]
    # when the certified one leaves, then no recognition, and the history remains
    employment = certified.employments.get()
    employment_end(employment_id=employment.pk, side=EmploymentSide.TECHNICIAN)
    assert recognition_current(shop.pk) is None
    levels = list(
        RecognitionPeriod.objects.filter(shop=shop)
        .order_by("pk")
        .values_list("level", flat=True)
    )
    assert levels == ["blue_seal", "sign"]
    assert not RecognitionPeriod.objects.filter(shop=shop, until__isnull=True).exists()


def test_adding_an_uncovered_area_to_the_profile_is_checked_at_once() -> None:
    shop = shop_make()
    tech = technician_make("Eli Engine")
    passes_record(tech, ["A1"])
    employ(shop, tech)
    # when the shop adds collision repair, which nobody covers
    shop_profile_update(
        shop_id=shop.pk,
        address="",
        zip_code="30301",
        city="Atlanta",
        areas=["collision"],
    )
    assert recognition_current(shop.pk).level == "sign"  # type: ignore[union-attr]
    assert Event.objects.filter(kind=EventKind.SHOP_PROFILE_UPDATED).exists()


def test_a_bad_profile_is_refused_and_nothing_is_lost() -> None:
    shop = shop_make(zip_code="30301", city="Atlanta", areas=["brakes"])
    with pytest.raises(EmploymentError, match="Unknown area"):
        shop_profile_update(
            shop_id=shop.pk, address="", zip_code="1", city="X", areas=["teleport"]
        )
    with pytest.raises(EmploymentError, match="ZIP"):
        shop_profile_update(
            shop_id=shop.pk, address="", zip_code="1" * 11, city="X", areas=[]
        )
    profile = ShopProfile.objects.get(organization=shop)
    assert (profile.zip_code, profile.city, profile.areas) == (
        "30301",
        "Atlanta",
        ["brakes"],
    )


def test_a_pass_recomputed_after_commit_recognises_the_shop(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a shop employing one technician with no certification yet
    shop = shop_make()
    tech = technician_make("Flo Pass")
    employ(shop, tech)
    assert recognition_current(shop.pk) is None
    # when a pass is recorded and the recompute runs after commit
    with django_capture_on_commit_callbacks(execute=True):
        passes_record(tech, ["A1"])
    # then credentials' signal reached shops: the shop is recognised
    assert recognition_current(shop.pk).level == "blue_seal"  # type: ignore[union-attr]


def test_the_daily_check_ends_the_recognition_when_a_certification_lapses() -> None:
    # given a shop whose one technician's A1 (passed 5 years ago less 10 days) is in
    # force today
    shop = shop_make()
    tech = technician_make("Gil Lapse")
    passes_record(tech, ["A1"], on=ago(years=5, days=-10))
    employ(shop, tech)
    assert recognition_current(shop.pk) is not None
    # when the daily check runs three weeks later, with no write in between
    later = dt.datetime.combine(
        today() + dt.timedelta(days=21), dt.time(12), tzinfo=dt.UTC
    )
    out = io.StringIO()
    with time_machine.travel(later, tick=False):
        call_command("shops_recognition", stdout=out)
        day = today()
    # then the recognition ended that day, with an event
    assert "1 shop(s) changed" in out.getvalue()
    period = RecognitionPeriod.objects.get(shop=shop)
    assert period.until == day
    assert recognition_current(shop.pk) is None
    # when it runs again, then nothing changes
    with time_machine.travel(later, tick=False):
        call_command("shops_recognition", stdout=out)
    assert RecognitionPeriod.objects.filter(shop=shop).count() == 1


def test_the_daily_command_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="as-of"):
        call_command("shops_recognition", "--as-of", "yesterday", stdout=io.StringIO())


def test_the_credential_hook_gives_a_recognised_shops_facts() -> None:
    shop = shop_make(city="Macon", zip_code="31201")
    tech = technician_make("Hal Hook")
    passes_record(tech, ["A1"])
    employ(shop, tech)
    names = {
        code: (rule.name, rule.estimated)
        for code, rule in get_program("ase").shops.recognitions.items()
    }
    facts = shop_credential_facts(shop.code, level_names=names)
    assert facts is not None
    assert (facts.level, facts.estimated, facts.certified, facts.city) == (
        "blue_seal",
        True,
        1,
        "Macon",
    )
    assert shop_credential_facts("NOSUCH", level_names=names) is None


def test_new_counts_at_the_same_level_refresh_the_period_with_an_event() -> None:
    # given a blue seal shop with one certified technician
    shop = shop_make()
    first, second = technician_make("Ida One"), technician_make("Jo Two")
    passes_record(first, ["A1"])
    passes_record(second, ["A8"])
    employ(shop, first)
    period = recognition_current(shop.pk)
    # when a second certified technician joins
    employ(shop, second)
    # then the same period, its counts refreshed, and an event saying so
    current = recognition_current(shop.pk)
    assert current is not None
    assert current.pk == period.pk  # type: ignore[union-attr]
    assert (current.technicians, current.certified) == (2, 2)
    last = Event.objects.filter(kind=EventKind.SHOP_RECOGNITION_CHANGED).latest("pk")
    assert last.data["before"] == last.data["after"] == "blue_seal"
    assert last.data["certified"] == 2
