"""My exams offers "Start a practice test for A1", never "Take a A1 practice test"
(an article before a test code reads wrong for A1, A4, A5, A6, A8)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_study_pages_list_each_task_once import a1_student  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_practice_button_reads_for_a1(a1_student: Any) -> None:  # noqa: F811
    # when
    page = a1_student
    page.goto("/exam/mine/")
    # then
    assert page.get_by_role("button", name="Start a practice test for A1").count() == 1
    assert "a A1" not in page.locator("main").inner_text()
