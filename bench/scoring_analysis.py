#!/usr/bin/env python
"""Benchmark: a form's response matrix and its item analysis at 100,000 sittings.

    .venv/bin/python bench/scoring_analysis.py                 # 100k sittings, SQLite
    .venv/bin/python bench/scoring_analysis.py --quick         # 10k, a smoke run

A fresh SQLite database (bench/.data/scoring.sqlite3, or DATABASE_URL) is migrated
and filled with one published 60-item form (50 scored, 10 pretest) and --sittings
delivered attempts (each with its appointment and one response row per item: 6
million rows at 100k) plus as many imported sittings, all answering from the 2PL.
Then it times, warm, what an analysis run does:

* ``form_response_matrix`` for the delivered sittings (the one LEFT JOIN query
  streamed into numpy) and for the imported ones (one query of byte strings);
* ``analysis_report`` on all of them: classical item analysis, the 2PL fit and
  EAP abilities for the curves, score groups and option curves.

The run is a background task (an operator never waits on a request for it); the
figures say how long the task takes. Results go in BENCHMARKS.md ("Scoring").
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
ITEMS, SCORED = 60, 50
BATCH = 20_000


def _setup(path: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{path}")
    os.environ.setdefault("CERTWRIGHT_SECRET_KEY", "bench-only")
    os.environ.setdefault("CERTWRIGHT_SITE_URL", "http://127.0.0.1:8000")
    os.environ.setdefault("CERTWRIGHT_SSL_REDIRECT", "0")
    os.environ.setdefault("CERTWRIGHT_TASKS", "immediate")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certwright.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _fill(n: int, seed: int) -> int:
    """The form, n delivered attempts with their responses, n imported sittings."""
    import numpy as np
    from django.db import connection, transaction

    from certwright.candidates.models import Technician
    from certwright.itembank.models import Form, FormItem, Item, ItemVersion
    from certwright.itembank.services import form_publish
    from certwright.psychometrics import simulate
    from certwright.scheduling.models import TestCentre
    from certwright.scoring.models import ExternalSitting

    rng = np.random.default_rng(seed)
    a, b = simulate.item_params(ITEMS, rng, b_mean=-0.5)
    key = rng.integers(0, 4, ITEMS)
    with transaction.atomic():
        form = Form.objects.create(
            test="A1",
            kind="initial",
            blueprint_effective=dt.date(2026, 1, 1),
            minutes=75,
        )
        for j in range(ITEMS):
            item = Item.objects.create(test="A1", code=f"BENCH-{j:03d}")
            version = ItemVersion.objects.create(
                item=item,
                number=1,
                status="operational" if j < SCORED else "pretest",
                stem=f"Bench item {j}?",
                options=["A", "B", "C", "D"],
                key=int(key[j]),
                area="A",
                written_by_label="bench",
                reviewed_by_label="reviewer",
            )
            FormItem.objects.create(
                form=form,
                position=j + 1,
                item_version=version,
                scored=j < SCORED,
                area="A",
            )
    form = form_publish(form_id=form.pk, actor="bench")
    form_items = list(form.items.order_by("position").values_list("pk", flat=True))
    centre = TestCentre.objects.create(
        code="bench",
        name="Bench",
        address_line1="1 Main",
        city="X",
        region="IL",
        postal_code="1",
        country="US",
        time_zone="UTC",
        seats=10,
    )
    technician = Technician.objects.create(
        certification_id="CWBENCH0001", name="Bench", email="bench@example.com"
    )
    now = dt.datetime(2026, 3, 2, 15, tzinfo=dt.UTC).isoformat(" ")
    end = dt.datetime(2026, 3, 2, 17, tzinfo=dt.UTC).isoformat(" ")
    with connection.cursor() as cursor:
        for start in range(0, n, BATCH):
            size = min(BATCH, n - start)
            ids = range(start + 1, start + size + 1)
            with transaction.atomic():
                cursor.executemany(
                    "INSERT INTO scheduling_appointment (id, technician_id, centre_id, "
                    "starts_at, ends_at, status, uid, sequence, booked_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, %s, 'completed', %s, 0, %s, %s)",
                    [
                        (i, technician.pk, centre.pk, now, end, f"b{i}", now, now)
                        for i in ids
                    ],
                )
                cursor.executemany(
                    "INSERT INTO scheduling_appointmenttest (id, appointment_id, "
                    "order_line_id, test, kind, minutes, must_take_by) "
                    "VALUES (%s, %s, %s, 'A1', 'initial', 75, '2026-12-31')",
                    [(i, i, i) for i in ids],
                )
                cursor.executemany(
                    "INSERT INTO delivery_attempt (id, technician_id, appointment_id, "
                    "appointment_test_id, test, kind, form_id, status, "
                    "authorised_by_label, budget_seconds, accommodation_seconds, "
                    "extended_seconds, paused_seconds, ended_by, area_scores, seed, "
                    "version, created_at, updated_at) VALUES (%s, %s, %s, %s, 'A1', "
                    "'initial', %s, 'submitted', '', 4500, 0, 0, 0, 'candidate', '[]', "
                    "0, 0, %s, %s)",
                    [(i, technician.pk, i, i, form.pk, now, now) for i in ids],
                )
                theta = simulate.abilities(size, rng)
                choices = simulate.choices(
                    simulate.responses(theta, a, b, rng), key, rng
                )
                cursor.executemany(
                    "INSERT INTO delivery_response (attempt_id, form_item_id, choice, "
                    "flagged, client_seq, saved_at) VALUES (%s, %s, %s, 0, 1, %s)",
                    [
                        (i, form_items[j], None if c == 255 else int(c), now)
                        for i, row in zip(ids, choices.tolist(), strict=True)
                        for j, c in enumerate(row)
                    ],
                )
            theta = simulate.abilities(size, rng)
            imported = simulate.choices(simulate.responses(theta, a, b, rng), key, rng)
            ExternalSitting.objects.bulk_create(
                (
                    ExternalSitting(
                        form=form,
                        source="bench",
                        reference=f"I{start + k}",
                        choices=row.tobytes(),
                        simulated=True,
                    )
                    for k, row in enumerate(imported)
                ),
                batch_size=5_000,
            )
            print(f"  filled {start + size:,} / {n:,}", flush=True)
    return form.pk


def _timed(label: str, fn: Any, repeat: int = 2) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - started)
    print(f"  {label}: {best:.2f} s", flush=True)
    return best, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sittings", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 sittings")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    n = 10_000 if args.quick else args.sittings
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / "scoring.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"migrating {path} ...", flush=True)
    _setup(path)
    print(f"filling {n:,} delivered and {n:,} imported sittings of a {ITEMS}-item form")
    started = time.perf_counter()
    form_id = _fill(n, args.seed)
    print(f"  ({time.perf_counter() - started:.0f} s)")

    from certwright.scoring.analysis import analysis_report
    from certwright.scoring.selectors import form_response_matrix

    print("timing (best of 2):")
    delivered_s, delivered = _timed(
        f"response matrix, {n:,} delivered sittings",
        lambda: form_response_matrix(form_id, sources="delivered"),
    )
    imported_s, _ = _timed(
        f"response matrix, {n:,} imported sittings",
        lambda: form_response_matrix(form_id, sources="imported"),
    )
    assert delivered.choices.shape == (n, ITEMS)
    both = form_response_matrix(form_id)
    report_s, report = _timed(
        f"item analysis + 2PL curves, {both.n:,} sittings",
        lambda: analysis_report(both, cut_score=33),
        repeat=1,
    )
    figures = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "sittings_delivered": n,
        "sittings_imported": n,
        "items": ITEMS,
        "matrix_delivered_s": round(delivered_s, 2),
        "matrix_imported_s": round(imported_s, 2),
        "analysis_s": round(report_s, 2),
        "kr20": report["kr20"],
        "load_average": os.getloadavg(),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
