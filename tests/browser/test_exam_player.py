"""The exam player in a real browser (Debian's chromium through Playwright): launching
the exam on the workstation with the proctor's code and sitting it with the
keyboard alone, a reload and a new browser session mid-exam (moved there by the
proctor) with every answer restored, answers chosen offline kept and sent on
reconnect, the automatic submit at time-out, and axe-core finding no serious or
critical accessibility violation on the launch, tutorial, item, review and result
screens."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.test import Client

from certwright.candidates.models import Technician
from certwright.commerce.models import LineStatus
from certwright.core.clock import now
from certwright.delivery.attempts import attempt_authorise
from certwright.delivery.launch import attempt_device_reset
from certwright.delivery.models import Attempt, AttemptStatus, Response
from certwright.delivery.save_pass import save_pass_read
from certwright.scheduling.models import (
    Appointment,
    AppointmentStatus,
    AppointmentTest,
    TestCentre,
)
from tests.delivery.live_server import wait_until
from tests.support.browser import DESKTOP, launch_at_seat, launch_code_of
from tests.support.delivery import form_create
from tests.support.scheduling import lines_buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "assets" / "axe.min.js"
_numbers = itertools.count(1)


def _seat_authorised() -> Attempt:
    """A candidate checked in at a centre in UTC, their A1 seat authorised by the
    proctor on a published five-item form (written straight to the tables: how the
    seat was bought and booked is the journey test's business)."""
    form_create()
    n = next(_numbers)
    centre = TestCentre.objects.create(
        code=f"player{n}",
        name="Player Test Centre",
        address_line1="1 Main Street",
        city="Springfield",
        postal_code="62701",
        time_zone="UTC",
        seats=5,
    )
    users = get_user_model().objects
    proctor = users.create_user(username=f"proctor{n}@example.com", password=None)
    centre.admins.add(proctor)
    user = users.create_user(
        username=f"sitter{n}@example.com", email=f"sitter{n}@example.com", password=None
    )
    technician = Technician.objects.create(
        certification_id=f"CWP{n:07d}",
        name="Sam Sitter",
        email=user.email,
        user=user,
    )
    (line,) = lines_buy(technician, "A1")
    moment = now()
    appointment = Appointment.objects.create(
        technician=technician,
        centre=centre,
        starts_at=moment - dt.timedelta(minutes=10),
        ends_at=moment + dt.timedelta(hours=2),
        status=AppointmentStatus.CHECKED_IN,
        uid=f"{uuid.uuid4()}@test",
    )
    seat = AppointmentTest.objects.create(
        appointment=appointment,
        order_line_id=line.pk,
        test="A1",
        kind="initial",
        minutes=75,
        must_take_by=line.must_take_by,
    )
    line.status = LineStatus.BOOKED
    line.appointment_id = appointment.pk
    line.save(update_fields=["status", "appointment_id"])
    return attempt_authorise(appointment_test_id=seat.pk, actor=proctor)


def _signed_in(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A browser context with a session for ``user``."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        ]
    )
    return context


@pytest.fixture
def exam_to_launch(browser: Any, live_server: Any) -> Iterator[tuple[Any, Attempt]]:
    """(page, attempt): the candidate's desktop browser on the authorised exam's
    launch page (no workstation holds it yet)."""
    attempt = _seat_authorised()
    context = _signed_in(
        browser, live_server, attempt.technician.user, viewport=DESKTOP
    )
    page = context.new_page()
    page.goto(f"/exam/{attempt.pk}/")
    yield page, attempt
    context.close()


@pytest.fixture
def exam(exam_to_launch: tuple[Any, Attempt]) -> tuple[Any, Attempt]:
    """(page, attempt): the candidate's desktop browser on the authorised exam's
    tutorial, launched on this workstation with the proctor's code."""
    page, attempt = exam_to_launch
    launch_at_seat(page, launch_code_of(attempt.pk))
    return page, attempt


def _axe(page: Any, screen: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    # Evaluated through the driver, not added as an inline <script>: the page's
    # Content-Security-Policy (rightly) refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + ": " + v.help + " @ " +
                     v.nodes.map(n => n.target.join(" ")).join(", "));
        }"""
    )
    assert violations == [], f"{screen}: {violations}"


def _tab_to(page: Any, selector: str, *, limit: int = 30) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)",
            selector,
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _wait_position_kept(attempt_id: int, position: int, timeout: float = 10) -> None:
    """Until the server holds ``position`` as the question last on screen."""

    def kept() -> bool:
        try:
            return Attempt.objects.filter(
                pk=attempt_id, last_position=position
            ).exists()
        except OperationalError:  # SQLite's shared test database, being written
            return False

    wait_until(kept, timeout)


def _wait_saved(page: Any) -> None:
    page.wait_for_selector("#save-status[data-state=saved]")


def _choose_by_keyboard(page: Any, option: int) -> None:
    """On an item screen: Tab into the answers, Space picks A, arrows move on."""
    _tab_to(page, "input[name=choice]")
    page.keyboard.press("Space")
    for _ in range(option):
        page.keyboard.press("ArrowDown")


def _stored(attempt: Attempt) -> dict[int, tuple[int | None, bool]]:
    return {
        r.form_item_id: (r.choice, r.flagged)
        for r in Response.objects.filter(attempt=attempt)
    }


def _player_items(page: Any) -> list[int]:
    return [
        item["id"]
        for item in page.evaluate(
            "() => JSON.parse(document.getElementById('player-data').textContent).items"
        )
    ]


def test_an_exam_sat_with_the_keyboard_alone(
    exam_to_launch: tuple[Any, Attempt],
) -> None:
    """Launch with the proctor's code, start, answer every item, flag one, review,
    jump back, submit and confirm, with no mouse; axe finds nothing serious on any
    screen."""
    page, attempt = exam_to_launch
    # given the launch page
    page.wait_for_selector("#launch-code")
    _axe(page, "launch")
    # when the candidate types the proctor's code and sends it with the keyboard
    _tab_to(page, "#launch-code")
    page.keyboard.type(launch_code_of(attempt.pk))
    page.keyboard.press("Enter")
    # then the tutorial (its buttons bound once the deferred player script ran)
    page.wait_for_selector("#tutorial:not([hidden])")
    page.wait_for_load_state("domcontentloaded")
    _axe(page, "tutorial")
    # when the candidate starts with the keyboard
    _tab_to(page, "#start-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-screen:not([hidden])")
    _axe(page, "item")
    ids = _player_items(page)
    # when they answer each item (option i mod 4) and move on with Next
    for index, _item in enumerate(ids):
        _choose_by_keyboard(page, index % 4)
        if index == 1:
            _tab_to(page, "#flag")
            page.keyboard.press("Space")
        _wait_saved(page)
        if index < len(ids) - 1:
            _tab_to(page, "#next-button")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "n => document.getElementById('item-heading').textContent"
                ".startsWith('Question ' + n + ' ')",
                arg=index + 2,
            )
    # then every answer is stored, and the flag
    stored = _stored(attempt)
    assert stored == {item: (index % 4, index == 1) for index, item in enumerate(ids)}
    # when they open the review screen, it lists the flagged item
    _tab_to(page, "#review-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#review-screen:not([hidden])")
    assert "Question 2" in page.locator("#flagged-list").inner_text()
    _axe(page, "review")
    # when they jump to the flagged item and back to the review
    _tab_to(page, "#flagged-list button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#item-screen:not([hidden])")
    assert page.locator("#item-heading").inner_text().startswith("Question 2 ")
    _tab_to(page, "#review-button")
    page.keyboard.press("Enter")
    # when they submit and confirm
    _tab_to(page, "#submit-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#confirm-dialog[open]")
    _tab_to(page, "#confirm-submit")
    page.keyboard.press("Enter")
    # then the result page shows the outcome and the content areas
    page.wait_for_url(f"**/exam/{attempt.pk}/result/")
    assert "Scaled score" in page.content()
    _axe(page, "result")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.result_id is not None


def test_answers_survive_a_reload_and_a_new_browser_session(
    exam: tuple[Any, Attempt], browser: Any, live_server: Any
) -> None:
    """Two answers and a flag, then a reload: shown again, on the same item. A new
    browser (empty storage, same account), once the proctor moved the exam to it
    with a new launch code, shows them from the server, with the time left the
    server says."""
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    page.check("#options input[value='2']")
    page.check("#flag")
    _wait_saved(page)
    page.click("#next-button")
    page.check("#options input[value='3']")
    _wait_saved(page)
    # when the page is reloaded
    page.reload()
    page.wait_for_selector("#item-screen:not([hidden])")
    # then it is on the second item, with its answer
    assert page.locator("#item-heading").inner_text().startswith("Question 2 ")
    assert page.is_checked("#options input[value='3']")
    page.click("#prev-button")
    assert page.is_checked("#options input[value='2']")
    assert page.is_checked("#flag")
    # The player tells the server the question on screen 400 ms after a move; under
    # load the move to question 2 had been sent, and the move back, sent after the
    # device reset below, was refused (409): the new browser opened on question 2.
    _wait_position_kept(attempt.pk, 0)
    # when a new browser session opens the exam, after the proctor moved it there
    attempt_device_reset(
        attempt_id=attempt.pk, actor=attempt.authorised_by, reason="browser closed"
    )
    other = _signed_in(browser, live_server, attempt.technician.user)
    try:
        fresh = other.new_page()
        fresh.goto(f"/exam/{attempt.pk}/")
        fresh.get_by_label("Launch code").fill(launch_code_of(attempt.pk))
        fresh.get_by_role("button", name="Launch the exam").click()
        fresh.wait_for_selector("#item-screen:not([hidden])")
        # then the first item shows its saved answer and flag
        assert fresh.is_checked("#options input[value='2']")
        assert fresh.is_checked("#flag")
        # and the clock shows the server's time left (75 minutes, less a little)
        clock = fresh.locator("#clock").inner_text()
        minutes = int(clock.split(":")[-2])
        assert clock.startswith("1:1"), clock
        assert 10 <= minutes <= 15, clock
    finally:
        other.close()
    assert _stored(attempt) == {ids[0]: (2, True), ids[1]: (3, False)}


def test_answers_chosen_offline_are_kept_and_sent_on_reconnect(
    exam: tuple[Any, Attempt],
) -> None:
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # given the network drops
    page.context.set_offline(True)
    # when two answers are chosen
    page.check("#options input[value='1']")
    page.click("#next-button")
    page.check("#options input[value='0']")
    # then the player says they are kept, and the server has none
    page.wait_for_selector("#save-status[data-state=offline]")
    assert "answers kept" in page.locator("#save-status").inner_text()
    assert _stored(attempt) == {}
    queued = page.evaluate(
        f"() => localStorage.getItem('certwright.attempt.{attempt.pk}')"
    )
    assert queued is not None
    assert '"queue":[{' in queued
    # when the network returns
    page.context.set_offline(False)
    # then both are saved
    _wait_saved(page)
    assert _stored(attempt) == {ids[0]: (1, False), ids[1]: (0, False)}


def test_the_exam_is_submitted_automatically_at_time_out(
    exam: tuple[Any, Attempt],
) -> None:
    """Six seconds left: the candidate answers one item; at zero the player sends
    it, the server agrees the time is up, and the result page opens."""
    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # given only six seconds are left (the attempt's clock set on the server)
    attempt.refresh_from_db()
    assert attempt.started_at is not None
    attempt.budget_seconds = int((now() - attempt.started_at).total_seconds()) + 6
    attempt.deadline = attempt.started_at + dt.timedelta(seconds=attempt.budget_seconds)
    attempt.save(update_fields=["budget_seconds", "deadline"])
    page.reload()
    page.wait_for_selector("#item-screen:not([hidden])")
    page.check("#options input[value='0']")
    # when the time runs out, then the result page opens by itself
    page.wait_for_url(f"**/exam/{attempt.pk}/result/", timeout=30_000)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    assert attempt.ended_by == "timeout"
    assert _stored(attempt) == {ids[0]: (0, False)}


def test_a_pause_holds_the_answer_until_the_proctor_resumes(
    exam: tuple[Any, Attempt],
) -> None:
    """The proctor pauses: the candidate's next answer is refused by the server,
    the player shows the pause and keeps the answer; on resume it is saved."""
    from certwright.delivery.attempts import attempt_pause, attempt_resume

    page, attempt = exam
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    ids = _player_items(page)
    # given the proctor pauses the exam, and the player has not heard of it yet
    # (its state poll held back: with a poll every 2 s it could learn of the
    # pause before the click, and this test is about the save's refusal)
    page.route("**/state/**", lambda route: route.abort())
    attempt_pause(attempt_id=attempt.pk, actor="proctor", reason="fire alarm")
    # when the candidate answers
    page.check("#options input[value='3']")
    # then the player shows the pause, and the server has no answer
    page.wait_for_selector("#paused-screen:not([hidden])")
    assert _stored(attempt) == {}
    # when the proctor resumes (the polls let through only then: SQLite's shared
    # in-memory test database answers a write racing a poll's read with "table
    # is locked" at once, where a real database waits)
    attempt_resume(attempt_id=attempt.pk, actor="proctor")
    page.unroute("**/state/**")
    # then the exam comes back and the kept answer is saved
    page.wait_for_selector("#item-screen:not([hidden])", timeout=15_000)
    _wait_saved(page)
    assert _stored(attempt) == {ids[0]: (3, False)}


def test_each_save_carries_the_save_pass_of_the_last_state_poll(
    exam: tuple[Any, Attempt],
) -> None:
    """The player sends its save pass with every save (``X-Save-Pass``): a pass
    for this attempt beside this session's cookie, renewed by the state polls, which
    the web process's layer checks before answering the save itself
    (certwright/delivery/wsgi.py)."""
    page, attempt = exam
    sent: list[str | None] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers.get("x-save-pass"))
            if request.url.endswith(f"/exam/{attempt.pk}/answers/")
            else None
        ),
    )
    page.click("#start-button")
    page.wait_for_selector("#item-screen:not([hidden])")
    page.check("#options input[value='1']")
    _wait_saved(page)
    # after a state poll (every 2 s in an exam), the next save carries its pass
    with page.expect_response(lambda r: "/state/" in r.url):
        pass
    page.click("#next-button")
    page.check("#options input[value='0']")
    _wait_saved(page)
    session = next(
        c["value"]
        for c in page.context.cookies()
        if c["name"] == settings.SESSION_COOKIE_NAME
    )
    assert len(sent) == 2
    for value in sent:
        assert value
        assert save_pass_read(value, attempt_id=attempt.pk, session_key=session)
    assert not save_pass_read(sent[0], attempt_id=attempt.pk + 1, session_key=session)
    assert len(_stored(attempt)) == 2
