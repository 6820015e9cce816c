"""The staff admin: a technician's page shows facts, derived rows and a live "Why"
panel; new facts go through the services; existing facts and derived rows are
read-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from certwright.audit.models import Event, EventKind
from certwright.candidates.models import Technician
from certwright.credentials.demo import demo_load
from certwright.credentials.models import Certification, TestResult

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    return {t.email.split("@")[0]: t for t in Technician.objects.all()}


@pytest.fixture
def staff(client, admin_user):
    # The suite's admin_user has the authenticator app that staff must have.
    client.force_login(admin_user)
    return client


def _change_url(technician):
    return reverse("admin:candidates_technician_change", args=[technician.pk])


def test_the_master_technicians_page_explains_the_title(staff, demo):
    """The page lists the derived certifications and explains, from the facts, why
    the Master Automobile title is held."""
    # given the demo master technician
    maria = demo["maria-master"]
    # when staff open her page
    response = staff.get(_change_url(maria))
    # then it renders with the derived rows and the live explanation
    assert response.status_code == 200
    page = response.content.decode()
    assert maria.certification_id in page
    assert "Certifications (derived)" in page
    assert "Why — as of" in page
    assert "Master Automobile Technician" in page
    assert "held</span> since" in page
    assert "A5: certified until" in page  # a step of the title's explanation
    assert "experience rule standard" in page
    assert "Timeline" in page
    # then her recorded changes are listed, and the full trail is one click away
    assert "Recorded changes" in page
    assert "A8: now certified" in page
    events = staff.get(
        reverse("admin:audit_event_changelist"), {"technician__id__exact": maria.pk}
    )
    assert events.status_code == 200


def test_a_technician_cannot_be_deleted(staff, demo):
    """The technician's facts and events are the certification record: no delete."""
    # when staff try to delete a technician
    response = staff.get(
        reverse("admin:candidates_technician_delete", args=[demo["expired"].pk])
    )
    # then it is refused
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("slug", "phrase"),
    [
        ("lost-master", "lost</span> on"),
        ("pending", "passed, pending the experience requirement"),
        ("apprentice", "once experience was met"),
        ("renewing", "by renewal credits"),
        ("revoked", "revoked on"),
        ("medium-heavy", "Master Medium/Heavy Vehicle Technician"),
        ("awaiting-review", "not approved"),
    ],
)
def test_every_demo_technicians_page_renders_its_story(staff, demo, slug, phrase):
    """Each demo technician's page renders and its explanation tells its story."""
    # when staff open the page
    response = staff.get(_change_url(demo[slug]))
    # then the explanation says it
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_the_why_panel_answers_for_another_day(staff, demo):
    """``?as_of=YYYY-MM-DD`` explains the state on that day; a bad date is refused
    politely and today is shown."""
    # given the technician who lost the master title
    dale = demo["lost-master"]
    cert = Certification.objects.get(technician=dale, test="A5")
    assert cert.expires_on is not None
    day_before = cert.expires_on - dt.timedelta(days=1)
    # when asked about the day before A5 expired
    page = staff.get(
        _change_url(dale), {"as_of": day_before.isoformat()}
    ).content.decode()
    # then the title was still held then
    assert f"Why — as of {day_before.isoformat()}" in page
    assert "held</span> since" in page
    # when given a bad date
    page = staff.get(_change_url(dale), {"as_of": "2026-13-01"}).content.decode()
    # then it says so and shows today
    assert "is not a date" in page


def test_a_fact_added_in_the_admin_goes_through_the_service(
    staff, demo, django_capture_on_commit_callbacks
):
    """Adding a result on the technician's page records it with an event naming the
    staff member, and the recompute follows after commit."""
    # given the pending technician's page form
    priya = demo["pending"]
    url = _change_url(priya)
    response = staff.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in ("name", "email")}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        prefix = fs.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(fs.initial_form_count())
        data[f"{prefix}-INITIAL_FORMS"] = str(fs.initial_form_count())
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, obj in enumerate(fs.get_queryset()):
            data[f"{prefix}-{i}-id"] = str(obj.pk)
            data[f"{prefix}-{i}-technician"] = str(priya.pk)
    results = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is TestResult
    )
    n = results.initial_form_count()
    prefix = results.prefix
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"{prefix}-{n}-technician": str(priya.pk),
            f"{prefix}-{n}-test": "A4",
            f"{prefix}-{n}-date": "2026-01-05",
            f"{prefix}-{n}-kind": "initial",
            f"{prefix}-{n}-outcome": "fail",
            f"{prefix}-{n}-source": "",
            f"{prefix}-{n}-external_id": "",
        }
    )
    # when staff save the page
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url, data)
    # then the result exists, recorded by the service under the staff member
    assert response.status_code == 302, response.context["errors"]
    result = TestResult.objects.get(technician=priya, test="A4")
    assert (result.outcome, result.source) == ("fail", "admin")
    event = Event.objects.get(
        kind=EventKind.FACT_RECORDED, subject=f"result:{result.pk}"
    )
    assert event.actor_label == "admin"
    priya.refresh_from_db()
    assert not priya.is_stale


def test_an_invalid_fact_in_the_admin_names_the_field(staff, demo):
    """The service's own checks run in the form: a future date is refused there."""
    # given a new result dated in the future
    priya = demo["pending"]
    url = _change_url(priya)
    response = staff.get(url)
    data = {"name": priya.name, "email": priya.email}
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        data[f"{fs.prefix}-TOTAL_FORMS"] = str(fs.initial_form_count())
        data[f"{fs.prefix}-INITIAL_FORMS"] = str(fs.initial_form_count())
        for i, obj in enumerate(fs.get_queryset()):
            data[f"{fs.prefix}-{i}-id"] = str(obj.pk)
            data[f"{fs.prefix}-{i}-technician"] = str(priya.pk)
    results = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is TestResult
    )
    n, prefix = results.initial_form_count(), results.prefix
    data[f"{prefix}-TOTAL_FORMS"] = str(n + 1)
    data.update(
        {
            f"{prefix}-{n}-technician": str(priya.pk),
            f"{prefix}-{n}-test": "A4",
            f"{prefix}-{n}-date": "2999-01-05",
            f"{prefix}-{n}-kind": "initial",
            f"{prefix}-{n}-outcome": "pass",
        }
    )
    # when saved
    response = staff.post(url, data)
    # then the page comes back with the error and nothing is recorded
    assert response.status_code == 200
    assert "2999-01-05 is in the future" in response.content.decode()
    assert not TestResult.objects.filter(technician=priya, test="A4").exists()


def test_search_finds_a_technician_by_a_loosely_typed_id(staff, demo):
    """The changelist search accepts an ID typed in lower case with spaces."""
    # given a demo technician's ID typed loosely
    maria = demo["maria-master"]
    typed = maria.certification_id.lower().replace("-", " ")
    # when searched
    response = staff.get(
        reverse("admin:candidates_technician_changelist"), {"q": typed}
    )
    # then exactly that technician is listed
    assert list(response.context["cl"].result_list) == [maria]


def test_the_recompute_action_recomputes_the_selected(staff, demo):
    """ "Recompute selected" derives the selected technicians and reports the count."""
    # given two technicians selected
    ids = [demo["maria-master"].pk, demo["expired"].pk]
    # when the action runs
    response = staff.post(
        reverse("admin:candidates_technician_changelist"),
        {"action": "recompute_selected", "_selected_action": ids},
        follow=True,
    )
    # then it reports them
    assert "Recomputed 2 technicians; 0 changed." in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "audit_event",
        "credentials_certification",
        "credentials_titleholding",
        "credentials_testresult",
        "credentials_recomputerun",
        "candidates_experiencerecord",
    ],
)
def test_the_read_only_lists_render(staff, demo, name):
    """The event log, the derived tables and the fact lists render for staff."""
    # when staff open the list
    response = staff.get(reverse(f"admin:{name}_changelist"))
    # then it renders
    assert response.status_code == 200
