"""Item images reach the exam player, and only it: served by the exam to the
candidate whose started attempt's form holds the image, at the attempt's
workstation; never under /media/, never to another attempt, account or device,
never before the start. Behind a proxy the app answers with X-Accel-Redirect."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from certwright.delivery.selectors import player_items
from certwright.delivery.views import SEAT_COOKIE
from certwright.itembank.models import FormItem
from tests.support.delivery import SEATS, form_items, launch
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db

# The smallest valid PNG (1 x 1, transparent).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _with_image(attempt) -> FormItem:
    item = form_items(attempt)["A1-002"]
    item.item_version.image.save("a1-002.png", ContentFile(PNG), save=True)
    return item


def _at_seat(user, attempt) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[SEAT_COOKIE.format(attempt_id=attempt.pk)] = SEATS[attempt.pk]
    return client


def test_the_player_gets_its_images_from_the_exam(media, started, candidate):
    """The player's image URL is the exam's, and it answers the PNG, private."""
    item = _with_image(started)
    (shown,) = [i for i in player_items(started) if i.id == item.pk]
    assert shown.image == reverse("delivery:image", args=[started.pk, item.pk])
    response = _at_seat(candidate.user, started).get(shown.image)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]


def test_no_image_to_anyone_else(media, started, candidate):
    """Another account, the same account on another device, an item not on the
    form, and the public /media/ URL: all 404."""
    item = _with_image(started)
    url = reverse("delivery:image", args=[started.pk, item.pk])
    stranger = Client()
    stranger.force_login(user_create("stranger@example.com"))
    assert stranger.get(url).status_code == 404
    other_device = Client()
    other_device.force_login(candidate.user)
    assert other_device.get(url).status_code == 404
    seat = _at_seat(candidate.user, started)
    elsewhere = reverse("delivery:image", args=[started.pk, 999_999])
    assert seat.get(elsewhere).status_code == 404
    public = "/media/" + item.item_version.image.name
    assert seat.get(public).status_code == 404


def test_no_image_before_the_start(media, authorised, candidate):
    """While only authorised, the image is not served even to the workstation."""
    token = launch(authorised, candidate.user)
    item = _with_image(authorised)
    client = Client()
    client.force_login(candidate.user)
    client.cookies[SEAT_COOKIE.format(attempt_id=authorised.pk)] = token
    url = reverse("delivery:image", args=[authorised.pk, item.pk])
    assert client.get(url).status_code == 404


def test_behind_a_proxy_the_proxy_sends_the_file(media, settings, started, candidate):
    """With CERTWRIGHT_MEDIA_ACCEL_PREFIX set, the checked request is answered by
    an X-Accel-Redirect to the proxy's internal location, with no body."""
    settings.CERTWRIGHT_MEDIA_ACCEL_PREFIX = "/protected-media/"
    item = _with_image(started)
    url = reverse("delivery:image", args=[started.pk, item.pk])
    response = _at_seat(candidate.user, started).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == (
        "/protected-media/" + item.item_version.image.name
    )
    assert response.content == b""
