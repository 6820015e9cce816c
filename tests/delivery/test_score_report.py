"""After submission the candidate sees the result page, and a score report page and
PDF with the performance by content area; nobody else sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_submit
from tests.support.delivery import KEYS, SEATS, form_items, save
from tests.support.scheduling import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(started, candidate):
    items = form_items(started)
    for seq, code in enumerate(["A1-001", "A1-002", "A1-003"], start=1):
        save(started, items[code], seq=seq, choice=KEYS[code])
    return attempt_submit(
        attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk]
    )


def test_the_result_page_shows_pass_scaled_score_and_areas(
    client, submitted, candidate
):
    client.force_login(candidate.user)
    page = client.get(reverse("delivery:result", args=[submitted.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pass" in text
    assert f"<strong>{submitted.scaled_score}</strong>" in text
    assert "General Engine Diagnosis" in text
    assert "2 / 2" in text
    assert "1 / 2" in text
    assert "<svg" in text


def test_the_score_report_is_a_page_and_a_pdf(client, submitted, candidate):
    client.force_login(candidate.user)
    page = client.get(reverse("delivery:report", args=[submitted.pk]))
    assert page.status_code == 200
    assert "score report" in page.content.decode()
    pdf = client.get(reverse("delivery:report_pdf", args=[submitted.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_another_account_cannot_see_the_report(client, submitted):
    client.force_login(user_create())
    for name in ("delivery:result", "delivery:report", "delivery:report_pdf"):
        assert client.get(reverse(name, args=[submitted.pk])).status_code == 404


def test_the_result_of_an_unfinished_attempt_sends_back_to_the_exam(
    client, started, candidate
):
    client.force_login(candidate.user)
    page = client.get(reverse("delivery:result", args=[started.pk]))
    assert page.status_code == 302
