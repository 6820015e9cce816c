"""The candidate reaches every score report from the dashboard: the dashboard links
to "My exams", which lists each scored attempt with its report and PDF."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certwright.delivery.attempts import attempt_submit
from tests.support.delivery import SEATS

pytestmark = pytest.mark.django_db


def test_the_dashboard_leads_to_the_score_report(client, started, candidate):
    # given a submitted exam
    attempt_submit(attempt_id=started.pk, by=candidate.user, device=SEATS[started.pk])
    client.force_login(candidate.user)
    # when the candidate opens the dashboard, then "My exams"
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    assert reverse("delivery:attempt_list") in dashboard
    mine = client.get(reverse("delivery:attempt_list")).content.decode()
    # then the report and its PDF are linked
    assert reverse("delivery:report", args=[started.pk]) in mine
    assert reverse("delivery:report_pdf", args=[started.pk]) in mine


def test_an_authorised_exam_is_listed_to_start(client, authorised, candidate):
    client.force_login(candidate.user)
    mine = client.get(reverse("delivery:attempt_list")).content.decode()
    assert reverse("delivery:player", args=[authorised.pk]) in mine
