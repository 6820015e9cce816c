"""One click from an expiring or lapsed certification puts its recertification test
in the cart (kind recert, under the program's cap per order), once however many
clicks; every refusal says why and writes nothing.

"Expiring" is the reminder ladder's first rung: ASE's ladder starts 180 days before
the expiry date, so the click is offered from then; no lapse limit
(``recert_max_lapse_days`` absent) keeps it offered after the expiry."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from certwright.commerce import services
from certwright.commerce.errors import CommerceError, NotEligible
from certwright.commerce.models import CartLine, LineKind, LineStatus
from certwright.commerce.selectors import cart_view, recert_window
from certwright.core.clock import today
from certwright.core.program import current_program
from tests.support.racing import at_once
from tests.support.recert import technician_expiring
from tests.support.scheduling import lines_buy

pytestmark = pytest.mark.django_db


def _lines(technician) -> list[tuple[str, str]]:
    return list(
        CartLine.objects.filter(cart__technician=technician)
        .order_by("id")
        .values_list("test", "kind")
    )


def _refusal(technician, test: str) -> NotEligible:
    with pytest.raises(NotEligible) as caught:
        services.cart_recert_add(technician_id=technician.pk, test=test)
    return caught.value


def test_one_click_puts_the_recertification_in_the_cart_once() -> None:
    """A1 expires in 60 days: the click adds A1 as a recertification at the
    standard fee; a second click adds nothing and says it is already there."""
    # given
    kim = technician_expiring({"A1": 60})
    # when
    first = services.cart_recert_add(technician_id=kim.pk, test="a1")
    second = services.cart_recert_add(technician_id=kim.pk, test="A1")
    # then
    assert first.created
    assert not second.created
    assert second.line.pk == first.line.pk
    assert _lines(kim) == [("A1", LineKind.RECERT)]
    quote = cart_view(kim.pk, current_program(), today()).quote
    assert quote is not None
    (line,) = quote.lines
    assert (line.kind, line.list_cents, line.charged_cents) == ("recert", 6200, 6200)


def test_two_certifications_share_the_programs_cap_per_order() -> None:
    """A1 ($62) and L1 ($124) recertifications in one cart: $186 listed, the $129
    cap applies and the cart shows the $57 saving."""
    # given
    kim = technician_expiring({"A1": 60, "L1": 30})
    # when
    for test in ("A1", "L1"):
        services.cart_recert_add(technician_id=kim.pk, test=test)
    # then
    view = cart_view(kim.pk, current_program(), today())
    assert not any(v.reasons for v in view.lines)
    assert view.quote is not None
    assert view.quote.tests_list_cents == 18600
    assert view.quote.recert_cap_cents == 12900
    assert view.quote.recert_discount_cents == 5700
    assert sum(line.charged_cents for line in view.quote.lines) == 12900


def test_a_lapsed_certification_is_offered_with_no_lapse_limit() -> None:
    """A1 expired two years ago: ASE counts a recertification however long ago it
    lapsed, so the click works."""
    kim = technician_expiring({"A1": -730})
    placed = services.cart_recert_add(technician_id=kim.pk, test="A1")
    assert placed.created
    assert _lines(kim) == [("A1", LineKind.RECERT)]


def test_a_certification_test_in_the_cart_becomes_the_recertification() -> None:
    """A1 put in the cart as a certification test (refused at checkout after a
    pass): the click turns that line into the recertification, still one line."""
    # given
    kim = technician_expiring({"A1": 60})
    cart = services._cart(kim.pk)
    CartLine.objects.create(cart=cart, test="A1", kind=LineKind.INITIAL)
    # when
    placed = services.cart_recert_add(technician_id=kim.pk, test="A1")
    # then
    assert placed.created
    assert _lines(kim) == [("A1", LineKind.RECERT)]


def test_too_early_says_when_the_click_opens() -> None:
    """A1 expires in 400 days: the click opens 180 days before the expiry, and the
    refusal says on which day; nothing is in the cart."""
    kim = technician_expiring({"A1": 400})
    opens = recert_window(current_program(), today() + dt.timedelta(days=400))
    refusal = _refusal(kim, "A1")
    assert refusal.code == "too_early"
    assert opens.opens_on.isoformat() in refusal.messages[0]
    assert "180 days before it expires" in refusal.messages[0]
    assert _lines(kim) == []


def test_not_yet_certified_is_refused() -> None:
    """No pass of A4: there is nothing to recertify."""
    kim = technician_expiring({"A1": 60})
    refusal = _refusal(kim, "A4")
    assert refusal.code == "not_certified"
    assert "not certified in A4 yet" in refusal.messages[0]
    assert _lines(kim) == []


@pytest.mark.parametrize("status", [LineStatus.PURCHASED, LineStatus.BOOKED])
def test_already_bought_or_booked_and_not_taken_is_refused(status: str) -> None:
    """A recertification of A1 bought (or booked) and not yet taken: a second one
    is refused, naming the day to take it by."""
    kim = technician_expiring({"A1": 60})
    (line,) = lines_buy(kim, "A1", kind="recert", status=status)
    refusal = _refusal(kim, "A1")
    assert refusal.code == "already_purchased"
    assert line.must_take_by.isoformat() in refusal.messages[0]
    assert ("booked" if status == LineStatus.BOOKED else "bought") in (
        refusal.messages[0]
    )
    assert _lines(kim) == []


def test_not_recertifiable_and_unknown_tests_are_refused(monkeypatch) -> None:
    """A test without a recertification test, and a code the program does not
    have: clear refusals, nothing written."""
    # given a program whose A1 has no recertification test
    kim = technician_expiring({"A1": 60})
    program = current_program()
    a1 = dataclasses.replace(program.tests["A1"], recert=None)
    changed = dataclasses.replace(program, tests={**program.tests, "A1": a1})
    monkeypatch.setattr(services, "current_program", lambda: changed)
    # when / then
    refusal = _refusal(kim, "A1")
    assert refusal.code == "not_recertifiable"
    assert "cannot be kept by recertifying" in refusal.messages[0]
    with pytest.raises(CommerceError) as caught:
        services.cart_recert_add(technician_id=kim.pk, test="ZZ9")
    assert caught.value.code == "unknown_test"
    assert _lines(kim) == []


def test_the_lapse_rule_closes_the_window(monkeypatch) -> None:
    """With ``recert_max_lapse_days = 90`` a certification lapsed 100 days ago is
    refused (take the certification test); one lapsed 90 days ago is not."""
    # given
    program = current_program()
    policy = dataclasses.replace(program.policy, recert_max_lapse_days=90)
    changed = dataclasses.replace(program, policy=policy)
    monkeypatch.setattr(services, "current_program", lambda: changed)
    late = technician_expiring({"A1": -100}, name="Lee Late")
    in_time = technician_expiring({"A1": -90}, name="Ida Intime")
    # when / then
    refusal = _refusal(late, "A1")
    assert refusal.code == "lapsed_too_long"
    assert "Take the certification test" in refusal.messages[0]
    assert _lines(late) == []
    assert services.cart_recert_add(technician_id=in_time.pk, test="A1").created


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_the_same_moment_make_one_line(racing_database) -> None:
    """A double click that sends two requests at once (no cart yet): one line, one
    click created it and the other found it."""
    # given
    kim = technician_expiring({"A1": 60})

    def click() -> bool:
        return services.cart_recert_add(technician_id=kim.pk, test="A1").created

    # when
    results = at_once(click)
    # then
    assert sorted(results, key=str) == [False, True], results
    assert _lines(kim) == [("A1", LineKind.RECERT)]
