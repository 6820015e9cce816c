"""Issue 4's "done means", end to end in real browsers on the demo data of
`make run`: the proctor checks the demo candidate in at Springfield and authorises
her A1 seat; she launches it on her workstation with the launch code the console
shows and sits the exam in a browser, closes the tab half-way, resumes with
every saved answer and the server's time left, finishes, and sees her result, the
score report and its PDF; the core shows her new A1 certification at once; program
staff see real statistics on the item analysis page of A1 initial form 1, and a new
analysis counts her sitting.

The keys come from the database, to choose the answers; the browser never receives
them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from certwright.accounts.demo import PASSWORD
from certwright.core.clock import now
from certwright.credentials.models import Certification
from certwright.delivery.models import Attempt, AttemptStatus, Response
from certwright.itembank.models import Form, FormItem
from certwright.proctoring.demo import CANDIDATE_EMAIL, CENTRE_CODE
from certwright.scheduling.models import Appointment, AppointmentStatus
from certwright.scoring.models import AnalysisRun
from tests.support.browser import DESKTOP, launch_at_seat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LETTERS = "ABCD"
FORM = "A1 initial form 1"
PLAYER_FIELDS = {"id", "n", "stem", "options", "image"}


@pytest.fixture
def demo(settings: Any) -> Appointment:
    """`certwright demo load` on the live server's database, with the demo's
    settings (no second factor for staff, tasks run at once); returns Priya's A1
    appointment today at Springfield."""
    settings.CERTWRIGHT_STAFF_MFA = False
    call_command("demo", "load", stdout=io.StringIO(), stderr=io.StringIO())
    return Appointment.objects.select_related("technician").get(
        technician__email=CANDIDATE_EMAIL,
        centre__code=CENTRE_CODE,
        tests__test="A1",
        status=AppointmentStatus.BOOKED,
    )


@pytest.fixture
def contexts(browser: Any, live_server: Any) -> Iterator[list[Any]]:
    """Browser contexts to close at the end (their pages poll the live server)."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def _sign_in(browser: Any, live_server: Any, email: str, opened: list[Any]) -> Any:
    """A new browser (its own cookies and storage) signed in through the form."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    opened.append(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Each role lands on its own page (docs/portal.md): wait to leave this one.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def _seconds(clock: str) -> int:
    """'1:14:05' or '59:30' as seconds."""
    parts = [int(p) for p in clock.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    return hours * 3600 + minutes * 60 + seconds


class Exam:
    """The candidate's side of the player, answering from the keys in the
    database."""

    def __init__(self, page: Any, attempt: Attempt) -> None:
        self.page = page
        rows = FormItem.objects.filter(form=attempt.form).select_related("item_version")
        self.versions = {row.pk: row.item_version for row in rows}
        data = page.evaluate(
            "() => JSON.parse(document.getElementById('player-data').textContent)"
        )
        # What reaches the browser: no key, nothing saying which items count.
        assert all(set(item) <= PLAYER_FIELDS for item in data["items"]), data
        self.items = [item["id"] for item in data["items"]]
        self.total = len(self.items)

    def radio(self, n: int, choice: int) -> Any:
        """The option ``choice`` of question ``n`` (1-based), by its label."""
        text = self.versions[self.items[n - 1]].options[choice]
        return self.page.get_by_role(
            "radio", name=f"{LETTERS[choice]}: {text}", exact=True
        )

    def on_question(self, n: int) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("#item-heading")).to_have_text(
            f"Question {n} of {self.total}"
        )

    def choice_for(self, n: int) -> int:
        """The key, except on every eighth question: 7 of 8 right."""
        key = self.versions[self.items[n - 1]].key
        return (key + 1) % 4 if n % 8 == 0 else key

    def answer(self, first: int, last: int) -> None:
        """Answer questions first..last in order, moving on with Next."""
        for n in range(first, last + 1):
            self.on_question(n)
            self.radio(n, self.choice_for(n)).check()
            if n < self.total:
                self.page.get_by_role("button", name="Next", exact=True).click()

    def saved(self) -> None:
        from playwright.sync_api import expect

        expect(self.page.locator("#save-status")).to_have_attribute(
            "data-state", "saved"
        )


def test_done_means_the_exam_day_of_the_demo(
    demo: Appointment, browser: Any, live_server: Any, contexts: list[Any]
) -> None:
    from playwright.sync_api import expect

    appointment = demo
    priya = appointment.technician
    assert priya.name == "Priya Raman"
    assert not Certification.objects.filter(technician=priya, test="A1").exists()

    # --- the proctor checks her in and authorises A1 --------------------------------
    proctor = _sign_in(browser, live_server, "proctor@example.com", contexts)
    proctor.get_by_role("link", name="Proctoring").click()
    expect(
        proctor.get_by_role("heading", name="Springfield Testing Center", level=1)
    ).to_be_visible()
    expect(proctor.locator(f"#appt-{appointment.pk}")).to_contain_text("Priya Raman")
    proctor.get_by_role("link", name="Check in Priya Raman").click()
    expect(proctor.locator("#legal-name")).to_have_text("Priya Raman")
    proctor.get_by_label("I checked the candidate's government-issued photo ID").check()
    proctor.get_by_label("Yes, it matches").check()
    proctor.get_by_role("button", name="Check in Priya Raman").click()
    expect(proctor.get_by_text("Priya Raman is checked in.")).to_be_visible()
    proctor.get_by_role("button", name="Authorise A1").click()
    expect(
        proctor.get_by_text("Waiting for the candidate to press Start.")
    ).to_be_visible()
    attempt = Attempt.objects.get(appointment=appointment)
    assert attempt.status == AttemptStatus.AUTHORISED
    assert (attempt.kind, str(attempt.form)) == ("initial", FORM)
    seat = appointment.tests.get()
    code = proctor.locator(f"#launch-code-{seat.pk}").inner_text().strip()

    # --- the candidate opens her exam from the dashboard, launches it and starts ---
    page = _sign_in(browser, live_server, "candidate@example.com", contexts)
    expect(page.get_by_text("No passed tests yet.")).to_be_visible()
    page.get_by_role("link", name="Exams, score reports and practice tests").click()
    page.get_by_role("link", name="Start", exact=True).click()
    launch_at_seat(page, code)
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    page.get_by_role("button", name="Start the exam").click()
    # (the questions come only with the start: the player reloads to get them)
    expect(page.locator("#item-screen")).to_be_visible()
    exam = Exam(page, attempt)
    half = exam.total // 2

    # --- half the questions, then the tab is closed ---------------------------------
    exam.answer(1, half)
    exam.on_question(half + 1)
    exam.saved()
    answered = {exam.items[n - 1]: exam.choice_for(n) for n in range(1, half + 1)}
    stored = dict(
        Response.objects.filter(attempt=attempt).values_list("form_item_id", "choice")
    )
    assert stored == answered
    context = page.context
    page.close()

    # --- a new tab: resume with the saved answers and the server's time left --------
    page = context.new_page()
    page.goto("/me/")
    page.get_by_role("link", name="Exams, score reports and practice tests").click()
    page.get_by_role("link", name="Continue", exact=True).click()
    exam.page = page
    exam.on_question(half + 1)
    expect(page.locator("#clock")).to_have_text(re.compile(r"^\d+:\d\d(:\d\d)?$"))
    shown = _seconds(page.locator("#clock").inner_text())
    attempt.refresh_from_db()
    left = attempt.remaining_seconds(now())
    assert abs(shown - left) <= 3, (shown, left)
    assert left < attempt.budget_seconds
    page.get_by_role("button", name="Review", exact=True).click()
    expect(page.locator("#review-summary")).to_have_text(
        f"{half} of {exam.total} answered, 0 flagged."
    )
    page.get_by_role("button", name="Back to the questions").click()
    for n in range(half, 0, -1):
        page.get_by_role("button", name="Previous").click()
        exam.on_question(n)
        expect(exam.radio(n, exam.choice_for(n))).to_be_checked()

    # --- the rest, then submit with confirmation ------------------------------------
    page.get_by_role("button", name="Review", exact=True).click()
    page.locator("#unanswered-list").get_by_role("button").first.click()
    exam.answer(half + 1, exam.total)
    exam.saved()
    page.get_by_role("button", name="Review", exact=True).click()
    expect(page.locator("#review-summary")).to_have_text(
        f"{exam.total} of {exam.total} answered, 0 flagged."
    )
    page.get_by_role("button", name="Submit", exact=True).click()
    dialog = page.get_by_role("dialog", name="Submit?")
    expect(dialog).to_contain_text("0 unanswered")
    dialog.get_by_role("button", name="Submit now").click()

    # --- the result: pass, scaled score, areas --------------------------------------
    page.wait_for_url(f"**/exam/{attempt.pk}/result/")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.passed
    assert attempt.result is not None
    expect(page.get_by_role("heading", name="Your A1 result")).to_be_visible()
    expect(page.locator(".outcome .kpi")).to_have_text("Pass")
    expect(page.locator(".outcome")).to_contain_text(str(attempt.scaled_score))
    areas = page.locator("table.areas tbody tr")
    expect(areas).to_have_count(len(attempt.area_scores))
    for area in attempt.area_scores:
        expect(areas.filter(has_text=area["name"])).to_contain_text(
            f"{area['raw']} / {area['of']}"
        )

    # --- the score report and its PDF -----------------------------------------------
    pdf_url = page.get_by_role("link", name="Score report (PDF)").get_attribute("href")
    page.get_by_role("link", name="Score report", exact=True).click()
    expect(page.get_by_role("heading", name="A1 score report")).to_be_visible()
    expect(page.locator("main")).to_contain_text(str(attempt.scaled_score))
    pdf = page.context.request.get(pdf_url)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # --- the core: a new A1 certification, at once ----------------------------------
    certification = Certification.objects.get(technician=priya, test="A1")
    assert certification.status == "certified"
    assert certification.certified_on == attempt.result.date
    page.goto("/me/")
    a1 = (
        page.get_by_role("list", name="Your certifications")
        .get_by_role("listitem")
        .filter(has=page.get_by_role("link", name="A1", exact=True))
    )
    expect(a1).to_contain_text("Certified")
    expect(a1).to_contain_text(f"Certified on {certification.certified_on:%Y-%m-%d}")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED

    # --- program staff: the item analysis of A1 initial form 1 ----------------------
    staff = _sign_in(browser, live_server, "staff@example.com", contexts)
    staff.get_by_role("link", name="Item analysis").click()
    staff.get_by_role("link", name=FORM).click()
    expect(
        staff.get_by_role("heading", name=f"Item analysis of {FORM}")
    ).to_be_visible()
    expect(staff.locator("main")).to_contain_text("1 delivered sittings, 600 imported")
    form = Form.objects.get(test="A1", kind="initial", number=1)
    latest = AnalysisRun.objects.filter(form=form, status="done").latest("id")
    _shows_statistics(staff, latest, items=exam.total)
    # when staff analyse every sitting again, then hers is counted
    staff.get_by_role("button", name="Analyse").click()
    staff.wait_for_url("**/scoring/runs/*/")
    run = AnalysisRun.objects.filter(form=form).latest("id")
    assert run.pk != latest.pk
    assert run.status == "done", run.error
    assert run.n_examinees == 601
    _shows_statistics(staff, run, items=exam.total)
    expect(staff.locator("main")).to_contain_text("1 delivered, 600 imported")


def _shows_statistics(page: Any, run: AnalysisRun, *, items: int) -> None:
    """The page shows the run's KR-20, a p-value for every item and the plots."""
    from playwright.sync_api import expect

    kr20 = run.results["kr20"]
    assert 0 < kr20 < 1
    expect(page.locator("dt:has-text('KR-20') + dd").first).to_have_text(f"{kr20:.3f}")
    table = page.get_by_role("table", name="Item statistics")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(items)
    p_values = [float(p) for p in rows.locator("td:nth-child(6)").all_inner_texts()]
    assert all(0 <= p <= 1 for p in p_values)
    assert len(set(p_values)) > 1
    assert page.locator("figure.plot svg").count() >= 2
