"""In a real browser, the catalog card of a test with no published exam form says
"Not yet offered" and its Add to cart button is disabled, while a test with forms
keeps a working button."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from certwright.candidates.services import technician_create
from certwright.itembank.models import Form
from tests.support.forms import forms_publish_for_every_test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_a4_card_says_not_yet_offered_with_a_disabled_button(
    phone: Any, live_server: Any, shoot: Any
) -> None:
    """A4 without forms: "Not yet offered", the reason and a disabled button; A5:
    an enabled Add to cart."""
    # given forms for every test but A4, and a signed-in candidate
    forms_publish_for_every_test()
    Form.objects.filter(test="A4").delete()
    user = get_user_model().objects.create_user(
        username="cat@example.com", email="cat@example.com", password=None
    )
    technician_create(name="Cat Alog", email="cat@example.com", user_id=user.pk)
    client = Client()
    client.force_login(user)
    phone.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    # when the catalog is opened
    phone.goto("/me/catalog/")
    a4 = phone.locator("li.card", has=phone.locator("h3", has_text="A4 "))
    a5 = phone.locator("li.card", has=phone.locator("h3", has_text="A5 "))
    a4.scroll_into_view_if_needed()
    shoot(phone, "a4-card", desktop=False)
    # then the A4 card says so, with the reason and a button that cannot be used
    assert a4.locator(".not-offered").is_visible()
    assert "Not yet offered" in a4.inner_text()
    assert "A4 is not offered yet: no exam form of it is published." in (
        a4.inner_text()
    )
    assert a4.get_by_role("button", name="Add to cart").is_disabled()
    # and the A5 card can still be bought
    assert a5.locator(".not-offered").count() == 0
    assert a5.get_by_role("button", name="Add to cart").is_enabled()
