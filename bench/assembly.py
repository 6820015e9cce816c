#!/usr/bin/env python
"""Benchmark: assembling a 60-item exam form from a 2,000-item bank with HiGHS.

    .venv/bin/python bench/assembly.py              # every scenario, 7 seeds (~20 s)
    .venv/bin/python bench/assembly.py --quick      # smoke run, 3 seeds, 5 forms (~5 s)
    .venv/bin/python bench/assembly.py --pool 5000 --seeds 5 --json out.json

The bank is ``tests.assembly.pools.synthetic_pool``: seeded, 85% operational
items over the five A1 areas in blueprint proportion (IRT b ~ N(0, 1)), 15% pretest
items, enemy pairs for 5% of the bank (four in five within one area), exposure mixed
(half the items fresh, a few already on five live forms). Each run assembles the
older A1 blueprint: 50 scored items (15/10/10/8/7) plus 10 pretest items, with an
exposure limit of 4 live forms (the items on 4 already, about 5% of the bank, are
out). Timed: the whole ``assemble`` call (checks, model building, HiGHS), in this
process, with ``time_limit`` 5 s.

Scenarios (seed s: bank seed s and form seed s, so every run is another bank):

plain      no target difficulty: exposure plus the tie-break.
target     target mean difficulty 0.5 logit (off the bank's centre).
enemies    the target, on a bank with enemy pairs for 25% of the items.
rotation   the harder realistic case: 30 successive forms from one bank with the
           target on, each form's items one use older for the next (limit 4). After
           about ten forms the fresh pretest items of the small areas run out, then
           the operational ones: the solver trades exposure, pretest spread and
           difficulty against each other, and proving the best form gets harder.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from certwright.assembly import Assembly, FormSpec, PoolItem, assemble  # noqa: E402
from tests.assembly.pools import A1_AREAS, synthetic_pool  # noqa: E402

TARGET = 0.5
MAX_EXPOSURE = 4


@dataclass
class Scenario:
    name: str
    runs: list[dict[str, Any]] = field(default_factory=list)

    def add(self, pool: list[PoolItem], spec: FormSpec, form: Assembly) -> None:
        by_id = {i.id: i for i in pool}
        chosen = [by_id[i] for i in (*form.scored, *form.pretest)]
        mean_b = statistics.fmean(by_id[i].difficulty or 0.0 for i in form.scored)
        self.runs.append(
            {
                "seconds": form.seconds,
                "optimal": form.optimal,
                "usable": sum(
                    i.id not in spec.exclude
                    and (spec.max_exposure is None or i.exposure < spec.max_exposure)
                    for i in pool
                ),
                "exposure": sum(i.exposure for i in chosen),
                "mean_b": mean_b,
                "off_target": (
                    abs(mean_b - spec.target_difficulty)
                    if spec.target_difficulty is not None
                    else None
                ),
            }
        )

    def row(self) -> dict[str, Any]:
        seconds = [r["seconds"] for r in self.runs]
        off = [r["off_target"] for r in self.runs if r["off_target"] is not None]
        return {
            "scenario": self.name,
            "runs": len(self.runs),
            "median_s": statistics.median(seconds),
            "max_s": max(seconds),
            "optimal": sum(r["optimal"] for r in self.runs),
            "usable": statistics.median(r["usable"] for r in self.runs),
            "exposure": statistics.fmean(r["exposure"] for r in self.runs),
            "max_off_target": max(off) if off else None,
        }


def spec(seed: int, target: float | None) -> FormSpec:
    return FormSpec(
        A1_AREAS,
        pretest=10,
        max_exposure=MAX_EXPOSURE,
        seed=seed,
        target_difficulty=target,
        time_limit=5.0,
    )


def independent(
    name: str, size: int, seeds: range, target: float | None, enemy_share: float
) -> Scenario:
    scenario = Scenario(name)
    for seed in seeds:
        pool = synthetic_pool(size, enemy_share=enemy_share, seed=seed)
        form_spec = spec(seed, target)
        scenario.add(pool, form_spec, assemble(pool, form_spec))
    return scenario


def rotation(size: int, forms: int, seed: int) -> Scenario:
    scenario = Scenario("rotation")
    pool = synthetic_pool(size, seed=seed)
    for n in range(forms):
        form_spec = spec(seed * 100 + n, TARGET)
        form = assemble(pool, form_spec)
        scenario.add(pool, form_spec, form)
        used = {*form.scored, *form.pretest}
        pool = [
            dataclasses.replace(i, exposure=i.exposure + 1) if i.id in used else i
            for i in pool
        ]
    return scenario


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kib / 2**20:.1f} GiB",
        "python": platform.python_version(),
        "highspy": version("highspy"),
        "numpy": version("numpy"),
    }


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| scenario | forms | median s | max s | proven optimal | usable items "
        "| exposure of the 60 (mean) | max off target (logit) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        off = "–" if r["max_off_target"] is None else f"{r['max_off_target']:.4f}"
        lines.append(
            f"| {r['scenario']} | {r['runs']} | {r['median_s']:.3f} | {r['max_s']:.3f} "
            f"| {r['optimal']}/{r['runs']} | {r['usable']:.0f} | {r['exposure']:.1f} "
            f"| {off} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", type=int, default=2000, help="bank size (2000)")
    parser.add_argument("--seeds", type=int, default=7, help="runs per scenario (7)")
    parser.add_argument("--forms", type=int, default=30, help="rotation forms (30)")
    parser.add_argument("--quick", action="store_true", help="3 seeds, 5 forms")
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    args = parser.parse_args()
    seeds = range(1, 1 + (3 if args.quick else args.seeds))
    forms = 5 if args.quick else args.forms
    before = load()
    scenarios: list[Callable[[], Scenario]] = [
        lambda: independent("plain", args.pool, seeds, None, 0.05),
        lambda: independent("target", args.pool, seeds, TARGET, 0.05),
        lambda: independent("enemies", args.pool, seeds, TARGET, 0.25),
        lambda: rotation(args.pool, forms, seed=1),
    ]
    results = []
    for run in scenarios:
        scenario = run()
        results.append(scenario)
        row = scenario.row()
        print(
            f"{row['scenario']:9} median {row['median_s']:.3f} s, "
            f"max {row['max_s']:.3f} s",
            file=sys.stderr,
        )
    after = load()
    info = machine()
    print(
        f"{info['date']}; nproc {info['nproc']}, {info['cpu']}, {info['ram']}; "
        f"Python {info['python']}, highspy {info['highspy']}, numpy {info['numpy']}"
    )
    print(f"load before: {before}\nload after:  {after}\n")
    print(table([s.row() for s in results]))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "load": [before, after],
                    "args": {k: str(v) for k, v in vars(args).items()},
                    "scenarios": {s.name: s.runs for s in results},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
