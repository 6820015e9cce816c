"""Within one test and content area, the sample item bank never names a task beside a
near-duplicate of it: the same task reworded after its ';', a half of a combined
task, or a shorter wording ("Verify correct camshaft timing" beside "... including
engines equipped with variable valve timing systems"). The study page lists these
tasks, so duplicates there read as two things to study."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from certwright.itembank.demo import DATA


def task_head(task: str) -> str:
    """What a task asks, before its first ';' (the rest is "determine needed
    action" and the like)."""
    return re.sub(r"\s+", " ", task.split(";")[0]).strip().casefold()


def near_duplicates(tasks: list[str]) -> list[tuple[str, str]]:
    """Pairs of distinct tasks where one asks the same as the other, or the first
    words of it."""
    unique = sorted(set(tasks))
    pairs = []
    for i, a in enumerate(unique):
        for b in unique[i + 1 :]:
            ha, hb = task_head(a), task_head(b)
            if ha == hb or hb.startswith(ha + " ") or ha.startswith(hb + " "):
                pairs.append((a, b))
    return pairs


def test_no_area_of_the_sample_bank_lists_a_near_duplicate_task() -> None:
    """Every (test, area) of every sample bank file, exam and practice items
    together, has distinct tasks."""
    # given
    tasks: dict[tuple[str, str], list[str]] = defaultdict(list)
    files = sorted(Path(DATA).glob("*/*.json"))
    assert files
    for path in files:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        for item in bundle["items"]:
            if item.get("task"):
                tasks[(bundle["test"], item["area"])].append(item["task"])
    # when
    found = {key: near_duplicates(names) for key, names in tasks.items()}
    # then
    assert {key: pairs for key, pairs in found.items() if pairs} == {}


def test_the_check_catches_a_half_beside_the_whole() -> None:
    """The check itself: a combined task beside one of its halves, and a longer
    wording beside the short one, are near-duplicates; distinct tasks are not."""
    assert near_duplicates(
        [
            "Diagnose the cause of coolant consumption; determine needed action",
            "Diagnose the cause of coolant consumption and unusual engine exhaust "
            "color and odor; determine needed action",
            "Perform engine vacuum tests; determine needed action",
        ]
    ) == [
        (
            "Diagnose the cause of coolant consumption and unusual engine exhaust "
            "color and odor; determine needed action",
            "Diagnose the cause of coolant consumption; determine needed action",
        )
    ]
