"""The sample bank loads as reviewed operational/pretest versions covering every
content area of A1-A8, and `demo load` publishes A1 forms from it; loading again
changes nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from certwright.core.program import current_program
from certwright.itembank.demo import demo_load, sample_bank_dir
from certwright.itembank.exchange import read_path
from certwright.itembank.models import Form, ItemStatus, ItemVersion
from tests.itembank.conftest import DAY


def test_the_sample_files_cover_every_area(db: Any) -> None:
    """At least 12 items per test A1-A8, every content area of the blueprint in
    force with at least one operational item."""
    # given
    program = current_program()
    # when
    bundles = {b.test: b for b in read_path(sample_bank_dir())}
    # then
    for test in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"):
        blueprint = program.tests[test].blueprint_on(DAY)
        assert blueprint is not None
        items = bundles[test].items
        assert len(items) >= 12, test
        operational = Counter(i.area for i in items if i.status == "operational")
        assert {a.code for a in blueprint.areas} <= set(operational), test


def test_demo_load_imports_and_publishes_once(db: Any) -> None:
    """The first load stores the bank reviewed by "system" and publishes A1
    initial and recert forms; the second adds nothing."""
    # when
    first = demo_load()
    versions = ItemVersion.objects.count()
    second = demo_load()
    # then
    assert first.problems == []
    assert first.imported is not None
    assert len(first.imported.created) == versions >= 12 * 8
    assert ItemVersion.objects.exclude(reviewed_by_label="system").count() == 0
    assert set(ItemVersion.objects.values_list("status", flat=True)) <= {
        ItemStatus.OPERATIONAL,
        ItemStatus.PRETEST,
    }
    assert sorted(first.forms_published) == ["A1 initial form 1", "A1 recert form 1"]
    assert second.imported is not None
    assert second.imported.changed == 0
    assert second.forms_published == []
    assert Form.objects.count() == 2
