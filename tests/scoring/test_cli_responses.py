"""`certwright responses import|simulate`: a file is imported with a summary, a bad
one exits with status 2 naming the line; simulated sittings are seeded, marked
simulated and follow the items' parameters."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from certwright.itembank.models import Form, ItemVersion
from certwright.scoring.models import ExternalSitting
from certwright.scoring.selectors import form_response_matrix


def test_import_prints_a_summary_and_refuses_a_bad_file(
    scoring_form: Form, tmp_path: Path
) -> None:
    """The good file is stored; the bad one exits 2 and stores nothing more."""
    # given
    rows = [f"P-1,A1,initial,1,S-00{i},A\n" for i in range(1, 7)]
    good = tmp_path / "vendor.csv"
    good.write_text("sitting,test,kind,form,item,choice\n" + "".join(rows))
    bad = tmp_path / "bad.csv"
    bad.write_text("sitting,test,kind,form,item,choice\nQ-1,A1,initial,1,S-001,Z\n")
    out = StringIO()

    # when
    call_command("responses", "import", str(good), stdout=out)
    with pytest.raises(CommandError) as refused:
        call_command("responses", "import", str(bad))

    # then
    assert "A1 initial form 1: 1 sittings imported" in out.getvalue()
    assert refused.value.returncode == 2
    assert "line 2: choice 'Z'" in str(refused.value)
    assert ExternalSitting.objects.get().source == "vendor.csv"


def test_simulate_is_seeded_labelled_and_follows_the_parameters(
    scoring_form: Form,
) -> None:
    """The same seed gives the same answers; an item given b = -4 in the bank is
    answered right by nearly everyone, one with b = +4 by nearly no one."""
    # given
    easy, hard = (fi.item_version for fi in scoring_form.items.order_by("position")[:2])
    ItemVersion.objects.filter(pk=easy.pk).update(stats={"irt_a": 1.5, "irt_b": -4.0})
    ItemVersion.objects.filter(pk=hard.pk).update(stats={"sim_a": 1.5, "sim_b": 4.0})

    # when
    call_command(
        "responses",
        "simulate",
        "--form",
        "A1/initial/1",
        "--count",
        "400",
        "--seed",
        "3",
        stdout=StringIO(),
    )
    call_command(
        "responses",
        "simulate",
        "--form",
        str(scoring_form.pk),
        "--count",
        "400",
        "--seed",
        "3",
        "--source",
        "again",
        stdout=StringIO(),
    )

    # then
    sittings = ExternalSitting.objects.filter(form=scoring_form)
    assert sittings.count() == 800
    assert not sittings.filter(simulated=False).exists()
    assert set(sittings.values_list("source", flat=True)) == {
        "simulated field test (seed 3)",
        "again",
    }
    matrix = form_response_matrix(scoring_form.pk)
    first, second = matrix.choices[:400], matrix.choices[400:]
    assert np.array_equal(first, second)
    right = first == matrix.key
    assert right[:, 0].mean() > 0.95
    assert right[:, 1].mean() < 0.05
    with pytest.raises(CommandError, match="already has sittings"):
        call_command(
            "responses",
            "simulate",
            "--form",
            "A1/initial/1",
            "--count",
            "5",
            "--seed",
            "3",
        )
