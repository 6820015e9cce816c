"""The key, the rationale and which items are unscored never reach the browser:
every page and JSON answer of an exam attempt, from the tutorial to the score
report, is fetched and searched for them."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_start, attempt_submit
from certwright.itembank.models import FormItem
from tests.support.delivery import SEATS, client_launch, form_items, save, seat_cookie

pytestmark = pytest.mark.django_db


def _secrets(attempt) -> list[str]:
    """Strings that would give something away if a candidate could see them."""
    found = ["RATIONALE-", "rationale", '"key"', "key_letter", "scored", "pretest"]
    for row in FormItem.objects.filter(form_id=attempt.form_id).select_related(
        "item_version__item"
    ):
        found.append(row.item_version.item.code)  # codes reveal bank order
        found.append(f"item_version={row.item_version_id}")
    return found


def _pages(client, attempt, *, answers: bool = True) -> list[tuple[str, str]]:
    """The player page and the state JSON (with the saved answers, which only the
    attempt's workstation may read back)."""
    names = ["player", "state"]
    fetched = []
    for name in names:
        url = reverse(f"delivery:{name}", args=[attempt.pk])
        asked = {"answers": "1"} if name == "state" and answers else {}
        response = client.get(url, asked)
        assert response.status_code == 200, url
        fetched.append((url, response.content.decode()))
    return fetched


def _assert_clean(fetched, secrets):
    for url, text in fetched:
        for secret in secrets:
            assert secret not in text, f"{secret!r} found in {url}"
        # No answer key as a position → letter map in any JSON on the page.
        assert not re.search(r'"correct"\s*:', text), url


def test_nothing_secret_in_any_page_or_json_of_an_exam(client, authorised, candidate):
    client.force_login(candidate.user)
    secrets = _secrets(authorised)
    # given the launch page (no workstation holds the exam yet)
    fetched = _pages(client, authorised, answers=False)
    assert 'name="code"' in fetched[0][1]
    # given the tutorial, on the workstation launched with the proctor's code
    client_launch(client, authorised)
    tutorial = _pages(client, authorised)
    fetched += tutorial
    # then the tutorial holds no question yet: items come only with the start
    assert "Before you start" in tutorial[0][1]
    assert "Which reading shows fault number" not in tutorial[0][1]
    assert "Reading A for fault" not in tutorial[0][1]
    # when started, with answers and a flag saved through the endpoint
    attempt_start(
        attempt_id=authorised.pk, by=candidate.user, device=SEATS[authorised.pk]
    )
    item = form_items(authorised)["A1-005"]  # the pretest item
    ack = client.post(
        reverse("delivery:save", args=[authorised.pk]),
        data=json.dumps({"item": item.pk, "choice": 0, "seq": 1, "feedback": True}),
        content_type="application/json",
    )
    assert ack.status_code == 200
    fetched.append(("save", ack.content.decode()))
    running = _pages(client, authorised)
    fetched += running
    start = client.post(reverse("delivery:start", args=[authorised.pk]))
    fetched.append(("start", start.content.decode()))
    # when submitted and the result pages are read
    submitted = client.post(reverse("delivery:submit", args=[authorised.pk]))
    fetched.append(("submit", submitted.content.decode()))
    for name in ("result", "report"):
        url = reverse(f"delivery:{name}", args=[authorised.pk])
        fetched.append((url, client.get(url).content.decode()))
    # then no key, rationale, scored flag or item code appears anywhere
    _assert_clean(fetched, secrets)
    # and the started player shows the stems and options the candidate needs
    player_html = running[0][1]
    assert "Which reading shows fault number 001?" in player_html
    assert "Reading A for fault 001" in player_html


def test_the_player_embeds_only_ids_stems_and_options(client, started, candidate):
    """The embedded item data (once started, at the workstation) has exactly the
    fields the screen needs."""
    client.force_login(candidate.user)
    seat_cookie(client, started)
    page = client.get(reverse("delivery:player", args=[started.pk]))
    match = re.search(
        r'<script id="player-data" type="application/json">(.*?)</script>',
        page.content.decode(),
        re.S,
    )
    assert match is not None
    data = json.loads(match.group(1))
    assert {frozenset(item) for item in data["items"]} == {
        frozenset({"id", "n", "stem", "options", "image"})
    }
    assert len(data["items"]) == 5


def test_a_submitted_attempt_reveals_no_key_in_its_pages(client, started, candidate):
    """Even after the end, the result shows areas and scores, not answers."""
    save(started, form_items(started)["A1-001"], seq=1, choice=0)
    attempt_submit(attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk])
    client.force_login(candidate.user)
    fetched = []
    for name in ("result", "report", "state"):
        url = reverse(f"delivery:{name}", args=[started.pk])
        fetched.append((url, client.get(url).content.decode()))
    _assert_clean(fetched, _secrets(started))
