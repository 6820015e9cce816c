"""`certwright items import|export|generate` and `certwright forms
assemble|publish|show`: the bank from the command line, with bad input reported
and exit status 2."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from certwright.itembank.demo import sample_bank_dir
from certwright.itembank.models import Form, FormStatus, Item


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_export_generate(db: Any, tmp_path: Path) -> None:
    """Import the sample A1 file, generate 100 synthetic items, export A1 as JSON,
    CSV and QTI."""
    # when
    imported = _run("items", "import", str(sample_bank_dir() / "A1.json"))
    generated = _run("items", "generate", "--test", "A1", "--count", "100")
    outputs = {}
    for fmt, name in (("json", "A1.json"), ("csv", "A1.csv"), ("qti", "A1.zip")):
        _run(
            "items",
            "export",
            "--test",
            "A1",
            "--format",
            fmt,
            "--out",
            str(tmp_path / name),
        )
        outputs[fmt] = tmp_path / name
    # then
    assert "70 new items" in imported
    assert "100 new items" in generated
    assert Item.objects.filter(code__startswith="SYN1-A1-").count() == 100
    assert len(json.loads(outputs["json"].read_text())["items"]) == 170
    assert outputs["csv"].read_text().count("\n") > 170
    assert outputs["qti"].read_bytes()[:2] == b"PK"


def test_bad_file_exits_2_and_lists_problems(db: Any, tmp_path: Path) -> None:
    """A file with a bad key: exit status 2, the problem named on stderr, nothing
    imported."""
    # given
    doc = json.loads((sample_bank_dir() / "A1.json").read_text())
    doc["items"][0]["key"] = "X"
    path = tmp_path / "A1.json"
    path.write_text(json.dumps(doc))
    err = io.StringIO()
    # when
    with pytest.raises(CommandError) as failed:
        call_command("items", "import", str(path), stdout=io.StringIO(), stderr=err)
    # then
    assert failed.value.returncode == 2
    assert "A1.json: item A1-001: field key must be one of" in err.getvalue()
    assert not Item.objects.exists()


def test_forms_assemble_publish_show(db: Any) -> None:
    """Assemble and publish an A1 recert form, list it, show its items (keys only
    with --keys); an infeasible request exits 2 naming the area."""
    # given
    _run("items", "import", str(sample_bank_dir() / "A1.json"))
    # when
    assembled = _run(
        "forms",
        "assemble",
        "--test",
        "A1",
        "--kind",
        "recert",
        "--day",
        "2026-03-02",
        "--seed",
        "4",
        "--publish",
    )
    form = Form.objects.get()
    listing = _run("forms", "show")
    shown = _run("forms", "show", str(form.pk))
    with_keys = _run("forms", "show", str(form.pk), "--keys")
    with pytest.raises(CommandError, match="area A needs 26 operational items"):
        _run("forms", "assemble", "--test", "A2", "--day", "2026-03-02")
    # then
    assert "25 scored + 0 pretest items, 30 minutes" in assembled
    assert "published as A1 recert form 1: cut score 17" in assembled
    assert form.status == FormStatus.PUBLISHED
    assert "A1 recert form 1" in listing
    assert shown.count("scored") == 25
    assert "key " not in shown
    assert with_keys.count("key ") == 25
