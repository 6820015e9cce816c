"""`items import --dry-run` runs every check the import runs, those that need the
bank included: an unknown enemy, or a pool change for an item candidates have seen,
fails the dry run with exit 2 as it would fail the import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from certwright.itembank.models import ItemVersion
from tests.itembank.import_files import document, item, stored, write_json


def _dry_run(path: Path) -> tuple[int, str]:
    err = io.StringIO()
    try:
        call_command(
            "items", "import", str(path), "--dry-run", stdout=io.StringIO(), stderr=err
        )
    except CommandError as exc:
        return exc.returncode, err.getvalue()
    return 0, err.getvalue()


def test_an_unknown_enemy_fails_the_dry_run(db: Any, tmp_path: Path) -> None:
    """An enemy in neither the file nor the bank: the dry run exits 2."""
    # given
    path = write_json(tmp_path, document(item("A1-001", enemies=["A1-999"])))
    # when
    status, err = _dry_run(path)
    # then
    assert status == 2
    assert "A1.json: item A1-001: field enemies: no item A1-999 in A1" in err
    assert stored() == (0, 0, 0)


def test_a_seen_items_pool_change_fails_the_dry_run(
    make_version: Any, tmp_path: Path
) -> None:
    """An exam item on a published form cannot become a practice item: the dry run
    says so as the import would."""
    # given
    version = make_version("A1-001")
    ItemVersion.objects.filter(pk=version.pk).update(frozen_at=timezone.now())
    path = write_json(tmp_path, document(item("A1-001", pool="practice")))
    # when
    status, err = _dry_run(path)
    # then
    assert status == 2
    assert "item A1-001: field pool: candidates have seen this exam item" in err


@pytest.mark.parametrize("enemies", [[], ["A1-002"]])
def test_a_good_file_passes_the_dry_run(
    db: Any, tmp_path: Path, enemies: list[str]
) -> None:
    """The control: a good file (enemies within it) passes and nothing is stored."""
    # given
    path = write_json(
        tmp_path, document(item("A1-001", enemies=enemies), item("A1-002"))
    )
    # when
    status, _ = _dry_run(path)
    # then
    assert status == 0
    assert stored() == (0, 0, 0)
