"""The form's analysis page, an item's page and its history render the statistics
with server-drawn SVG plots, each with a title and a caption, and show that
simulated sittings are simulated."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from certwright.audit.models import Event
from certwright.itembank.models import Form
from certwright.scoring.services import analysis_request
from tests.support.scoring import simulated_choices, sittings_add


def test_analysis_pages_show_statistics_and_captioned_plots(
    client: Client,
    scoring_form: Form,
    program_staff: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """KR-20, the item table with flags, the histogram and the curves are there."""
    # given
    sittings_add(scoring_form, simulated_choices(250), simulated=True)
    with django_capture_on_commit_callbacks(execute=True):
        run = analysis_request(form_id=scoring_form.pk, actor=program_staff)
    run.refresh_from_db()
    client.force_login(program_staff)

    # when
    page = client.get(reverse("scoring:form", args=[scoring_form.pk]))
    item = client.get(reverse("scoring:run_item", args=[run.pk, 3]))
    history = client.get(
        reverse("scoring:item", args=[run.results["items"][2]["item"]])
    )
    index = client.get(reverse("scoring:index"))

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "KR-20" in html
    assert f"{run.results['kr20']:.3f}" in html
    assert html.count("<svg") == 2  # distribution, curves
    assert len(re.findall(r'<svg[^>]*role="img"[^>]*aria-labelledby="plot-', html)) == 2
    assert '<title id="plot-' in html
    assert html.count("<figcaption") == 2
    assert "Candidates by raw score" in html
    assert "250 simulated sittings" in html
    for row in run.results["items"]:
        for flag in row["flags"]:
            assert flag["reason"].split("(")[0].strip() in html
    item_html = item.content.decode()
    assert item.status_code == 200
    assert item_html.count("<svg") == 2  # the item's curve, its option traces
    assert "Item characteristic curve" in item_html
    assert "Stem of S-003?" in item_html
    assert Event.objects.filter(kind="item.viewed", data__key_shown=True).exists()
    assert history.status_code == 200
    assert "S-003 across forms" in history.content.decode()
    assert "A1 initial form 1" in index.content.decode()
