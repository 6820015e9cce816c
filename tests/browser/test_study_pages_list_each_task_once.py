"""The A1 study page lists each task of the sample item bank once (no task beside a
half or a longer wording of itself), and the two study pages (the shop's and the
exam's) describe the unscored questions in the same words, with the program's
count."""

from __future__ import annotations

from typing import Any

import pytest

from certwright.commerce.models import Entitlement, EntitlementKind
from certwright.core.clock import today
from certwright.core.program import current_program
from certwright.itembank.demo import sample_bank_dir
from certwright.itembank.item_files import items_import, read_path
from tests.browser.test_exam_player import _signed_in
from tests.itembank.test_sample_bank_tasks_are_distinct import near_duplicates
from tests.support.browser import DESKTOP
from tests.support.scheduling import candidate_create, lines_buy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def a1_student(browser: Any, live_server: Any) -> Any:
    """A candidate who bought A1 (study and practice), with the sample bank's A1
    items imported; a desktop page signed in as them."""
    for name in ("A1.json", "A1-practice.json"):
        path = sample_bank_dir() / name
        items_import(read_path(path), actor="test", source=name)
    technician = candidate_create("Sam Study")
    (line,) = lines_buy(technician, "A1")
    for kind in EntitlementKind.values:
        Entitlement.objects.create(
            technician=technician, test="A1", kind=kind, source_line=line
        )
    context = _signed_in(browser, live_server, technician.user, viewport=DESKTOP)
    yield context.new_page()
    context.close()


def test_each_a1_task_is_listed_once(a1_student: Any) -> None:
    """No content area of the A1 study page lists a task beside a near-duplicate
    of it."""
    # when
    page = a1_student
    page.goto("/exam/study/A1/")
    # then
    sections = page.locator("main section.card")
    assert sections.count() >= 5
    for index in range(sections.count()):
        tasks = sections.nth(index).locator("li").all_inner_texts()
        assert near_duplicates(tasks) == [], tasks
    assert page.get_by_text("Verify correct camshaft timing", exact=False).count() == 1


def test_both_study_pages_describe_unscored_questions_alike(a1_student: Any) -> None:
    """The shop's and the exam's A1 study pages say the same about unscored
    questions, with the program's count (10)."""
    # given
    blueprint = current_program().tests["A1"].blueprint_on(today())
    assert blueprint is not None
    page = a1_student
    # when
    page.goto("/exam/study/A1/")
    on_exam = page.locator("main .unscored").inner_text().strip()
    page.goto("/shop/study/A1/")
    on_shop = page.locator("main .unscored").inner_text().strip()
    # then
    assert on_exam == on_shop
    assert f"{blueprint.unscored} unscored questions" in on_exam
    assert "a few" not in on_exam
    assert "Up to" not in on_shop
