"""Which item a month's question is: over a year the content areas are covered in
the blueprint's proportions, no item is sent twice in a subscription (and one seen
in an earlier subscription only when nothing new is left), and never an enemy of
an item the technician was already sent."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from certwright.itembank.models import ItemEnemy
from certwright.itembank.selectors import RenewalPoolItem
from certwright.renewal.dispatch import question_pick
from certwright.renewal.models import Question
from certwright.renewal.services import subscription_start
from tests.support.renewal import dispatch, renewal_items, subscribed_technician, utc

pytestmark = pytest.mark.django_db

PASSED = dt.date(2024, 5, 6)


def test_pick_prefers_the_area_asked_least_for_its_weight() -> None:
    """A asked twice of weight 18, B never of weight 6: B next; then with A asked
    once and B once, A (1/18 < 1/6)."""
    pool = [RenewalPoolItem(1, 11, "A"), RenewalPoolItem(2, 12, "B")]
    weights = {"A": 18.0, "B": 6.0}
    pick = question_pick(
        pool=pool, weights=weights, asked=Counter({"A": 2}),
        in_subscription=set(), blocked=set(), seen=set(), spread=0,
    )  # fmt: skip
    assert pick is not None
    assert pick.area == "B"
    pick = question_pick(
        pool=pool, weights=weights, asked=Counter({"A": 1, "B": 1}),
        in_subscription=set(), blocked=set(), seen=set(), spread=0,
    )  # fmt: skip
    assert pick is not None
    assert pick.area == "A"


def test_pick_never_repeats_nor_sends_an_enemy_and_prefers_the_never_seen() -> None:
    """Item 1 sent this year, 2 its enemy, 3 seen last year, 4 new: 4; without 4,
    3; without 3 and 4, nothing."""
    pool = [RenewalPoolItem(i, 10 + i, "A") for i in (1, 2, 3, 4)]

    def pick(items: list[RenewalPoolItem], seen: set[int]) -> int | None:
        chosen = question_pick(
            pool=items, weights={"A": 1.0}, asked=Counter(),
            in_subscription={1}, blocked={2}, seen=seen, spread=0,
        )  # fmt: skip
        return None if chosen is None else chosen.item_id

    assert pick(pool, {1, 3}) == 4
    assert pick(pool[:3], {1, 3}) == 3
    assert pick(pool[:2], {1}) is None


def test_a_year_covers_every_area_in_proportion_without_repeats_or_enemies() -> None:
    """Twelve monthly runs with six items per A1 area and the first two items of
    area A enemies: twelve different items, every area asked about as often as its
    share of the blueprint (A 18, E 9, D 8, B 6, C 4 of 45 questions: 4.8, 2.4,
    2.1, 1.6 and 1.1 of twelve), and never both enemies."""
    with time_machine.travel(utc(2027, 1, 1), tick=False):
        # given a subscription and a pool of thirty items, two of them enemies
        items = renewal_items("A1", dict.fromkeys("ABCDE", 6))
        a1, a2 = sorted(i.pk for i in items if i.code.startswith("A1-RA"))[:2]
        ItemEnemy.objects.create(a_id=a1, b_id=a2)
        technician, _ = subscribed_technician(
            passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
        )

        # when the dispatch runs on the 1st of each month
        for month in range(1, 13):
            dispatch(utc(2027, month, 1, 1))

    # then twelve different items covering every area, A the most
    sent = list(Question.objects.filter(technician=technician).order_by("month"))
    assert len(sent) == 12
    assert len({q.item_id for q in sent}) == 12
    areas = Counter(q.area for q in sent)
    assert areas == {"A": 5, "E": 2, "D": 2, "B": 2, "C": 1}
    # five A questions from six items of which two are enemies: exactly one of them
    assert len({a1, a2} & {q.item_id for q in sent}) == 1
    # the first five months cover five different areas, heaviest first
    assert [q.area for q in sent[:5]] == ["A", "E", "D", "B", "C"]


def test_a_second_subscription_prefers_items_never_seen() -> None:
    """After a year with twelve of fifteen items, the next year's first three
    questions are the three never sent; only then do seen ones come back."""
    with time_machine.travel(utc(2027, 1, 1), tick=False) as traveller:
        renewal_items("A1", dict.fromkeys("ABCDE", 3))
        technician, _ = subscribed_technician(
            passed_on=PASSED, starts_on=dt.date(2027, 1, 1), time_zone="UTC"
        )
        for month in range(1, 13):
            dispatch(utc(2027, month, 1, 1))
        first_year = set(Question.objects.values_list("item_id", flat=True))

        # when the technician subscribes again for 2028 and four months go out
        traveller.move_to(utc(2028, 1, 1))
        subscription_start(
            technician_id=technician.pk,
            starts_on=dt.date(2028, 1, 1),
            time_zone="UTC",
        )
        for month in range(1, 5):
            dispatch(utc(2028, month, 1, 1))

    # then the never-seen three came first, then a seen one
    second = list(
        Question.objects.filter(month__year=2028)
        .order_by("month")
        .values_list("item_id", flat=True)
    )
    assert len(second) == 4
    assert not set(second[:3]) & first_year
    assert second[3] in first_year
