"""The subscription page /renewal/: before buying, what the app is, what could take
part, the price and the time-zone choice; after, the year, each certification's
credits and expiry, and the questions waiting."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from certwright.candidates.services import experience_record_add
from certwright.commerce.models import CartLine, LineKind
from certwright.credentials.services import renewal_credit_record
from certwright.renewal.models import (
    Question,
    SubscribedCertification,
    SubscriptionChoice,
)
from tests.support.commerce import user_make
from tests.support.itembank import draft_create
from tests.support.renewal import renewal_buy


def _client(technician) -> Client:
    client = Client()
    client.force_login(technician.user)
    return client


def test_before_buying_it_shows_what_could_take_part_and_the_price(a1_holder):
    # given a technician who passed A1 and has no subscription
    # when they open the page
    response = _client(a1_holder).get("/renewal/")
    # then it names A1, the price today and the time-zone choice
    html = response.content.decode()
    assert response.status_code == 200
    assert "A1" in html
    assert "Engine Repair" in html
    assert "$62.00" in html
    assert 'name="time_zone"' in html
    assert "Add to cart" in html


def test_add_to_cart_keeps_the_time_zone_chosen(a1_holder):
    client = _client(a1_holder)
    response = client.post("/renewal/subscribe/", {"time_zone": "America/Denver"})
    assert response.status_code == 302
    assert response["Location"] == "/shop/cart/"
    assert CartLine.objects.get().kind == LineKind.RENEWAL
    assert SubscriptionChoice.objects.get(technician=a1_holder).time_zone == (
        "America/Denver"
    )
    # and the cart page shows the line and its price
    cart = client.get("/shop/cart/").content.decode()
    assert "Renewal app subscription (one year)" in cart
    assert "$62.00" in cart


def test_a_time_zone_off_the_list_is_refused_and_nothing_is_added(a1_holder):
    response = _client(a1_holder).post(
        "/renewal/subscribe/", {"time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.content.decode()
    assert not CartLine.objects.exists()
    assert not SubscriptionChoice.objects.exists()


def test_nothing_to_take_part_says_so_and_offers_no_button(candidate):
    response = _client(candidate).get("/renewal/")
    html = response.content.decode()
    assert "None of your certifications can take part" in html
    assert "Add to cart" not in html
    # and a POST anyway is refused with the message, nothing added
    response = _client(candidate).post(
        "/renewal/subscribe/", {"time_zone": "America/New_York"}, follow=True
    )
    assert "None of your certifications can take part" in response.content.decode()
    assert not CartLine.objects.exists()


def test_with_a_subscription_it_shows_credits_expiry_and_waiting_questions(
    a1_holder, frozen_day, django_capture_on_commit_callbacks
):
    # given a subscription bought on 2 March, and on 25 March two A1 credits of
    # March (one counts: one question a month) and a question waiting
    renewal_buy(a1_holder)
    frozen_day.move_to(dt.datetime(2026, 3, 25, 10, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):  # the recompute
        experience_record_add(
            technician_id=a1_holder.pk,
            kind="employment",
            start=dt.date(2015, 1, 1),
            approved=True,
        )
        for day in (dt.date(2026, 3, 5), dt.date(2026, 3, 20)):
            renewal_credit_record(technician_id=a1_holder.pk, test="A1", date=day)
    version = draft_create(user_make())
    sent = dt.datetime(2026, 3, 1, 5, tzinfo=dt.UTC)
    question = Question.objects.create(
        subscribed=SubscribedCertification.objects.get(test="A1"),
        technician=a1_holder,
        test="A1",
        month=dt.date(2026, 3, 1),
        item=version.item,
        item_version=version,
        area="A",
        dispatched_at=sent,
        answer_by=sent + dt.timedelta(days=30),
    )
    # when they open the page
    html = _client(a1_holder).get("/renewal/").content.decode()
    # then the year, A1's credit count and what is still needed show
    assert "From 2026-03-02 until 2027-03-02" in html
    assert "1 credit earned" in html
    assert "7 more needed" in html
    assert "Expires now on 2030-03-02" in html
    # and the waiting question links to its answering page
    assert f'href="/renewal/questions/{question.pk}/"' in html
    # and once its answer window closes it is no longer listed
    frozen_day.move_to(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC))
    html = _client(a1_holder).get("/renewal/").content.decode()
    assert f"/renewal/questions/{question.pk}/" not in html


def test_an_account_without_a_technician_record_is_told_so(db):
    user = user_make()
    client = Client()
    client.force_login(user)
    response = client.get("/renewal/")
    assert response.status_code == 403


def test_credits_are_counted_as_the_rules_count_them(
    a1_holder, frozen_day, django_capture_on_commit_callbacks
):
    """The page asks the rules core: six credits from before this subscription,
    still inside the rolling twelve months, and two of this year make eight, and
    the extension applies; counting only the subscription's year would say "6
    more needed"."""
    # given six monthly A1 credits (September 2025 to February 2026) and A1's
    # experience recorded
    with django_capture_on_commit_callbacks(execute=True):
        experience_record_add(
            technician_id=a1_holder.pk,
            kind="employment",
            start=dt.date(2015, 1, 1),
            approved=True,
        )
        for month in (9, 10, 11, 12):
            renewal_credit_record(
                technician_id=a1_holder.pk, test="A1", date=dt.date(2025, month, 10)
            )
        for month in (1, 2):
            renewal_credit_record(
                technician_id=a1_holder.pk, test="A1", date=dt.date(2026, month, 10)
            )
    # and a subscription bought on 2 March 2026, with credits in March and April
    renewal_buy(a1_holder)
    frozen_day.move_to(dt.datetime(2026, 4, 20, 10, tzinfo=dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        for day in (dt.date(2026, 3, 10), dt.date(2026, 4, 10)):
            renewal_credit_record(technician_id=a1_holder.pk, test="A1", date=day)
    # when they open the page
    html = _client(a1_holder).get("/renewal/").content.decode()
    # then the extension applied on the eighth credit's day, as the expiry shows
    assert "extension applied on 2026-04-10" in html
    assert "2 credits earned" in html
    assert "more needed" not in html
    assert "Expires now on 2031-03-02" in html
