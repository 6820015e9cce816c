"""The README's demo candidate is the one the demo loads: the tests it says she has
booked and bought are those in the database, and `certwright demo load` prints the
same story (issue 8, item 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from certwright.accounts.demo import demo_load as accounts_demo_load
from certwright.candidates.models import Technician
from certwright.core import clock
from certwright.credentials.demo import CANDIDATE_EMAIL
from certwright.proctoring.demo import demo_load as exam_day_demo_load
from certwright.scheduling import orders
from certwright.scheduling.demo import candidate_story
from certwright.scheduling.demo import demo_load as scheduling_demo_load
from certwright.scheduling.models import AppointmentStatus

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"
# "- **A5**, booked at ..." / "- **A4**, bought and not booked: ..."
BULLET = re.compile(r"^- \*\*([A-Z]\d+)\*\*, (booked|bought and not booked)", re.M)


def _readme_story() -> dict[str, set[str]]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The exam day, by hand") :]
    section = section[: section.index("1. **Proctor:**")]
    story: dict[str, set[str]] = {"booked": set(), "bought and not booked": set()}
    for test, state in BULLET.findall(section):
        story[state].add(test)
    assert CANDIDATE_EMAIL in section
    return story


def test_the_readme_names_the_tests_the_demo_candidate_has(
    django_capture_on_commit_callbacks,
):
    """Booked in the README = her booked appointments; bought and not booked = her
    purchased tests still to book; the demo's printed story names them too."""
    # given the demo as `make run` loads it
    with django_capture_on_commit_callbacks(execute=True):
        accounts_demo_load()
        scheduling_demo_load()
        exam_day_demo_load()
    priya = Technician.objects.get(email=CANDIDATE_EMAIL)
    booked = {
        t.test
        for appointment in priya.appointments.filter(status=AppointmentStatus.BOOKED)
        for t in appointment.tests.all()
    }
    unbooked = {
        line.test
        for line in orders.lines_bookable(technician_id=priya.pk, day=clock.today())
    }
    # when the README is read
    story = _readme_story()
    # then it tells what the database holds
    assert story["booked"] == booked == {"A1", "A5"}
    assert story["bought and not booked"] == unbooked == {"A4"}
    # then the demo's own account of it, besides today's A1, agrees
    printed = "\n".join(candidate_story())
    assert "has A5 booked at Springfield Testing Center" in printed
    assert "has bought A4, not booked yet" in printed
