#!/usr/bin/env python
"""Benchmark: IRT calibration against girth, batch scoring, and the other numpy paths.

    .venv/bin/python bench/psychometrics.py                 # full run, ~3 min (girth)
    .venv/bin/python bench/psychometrics.py --quick         # smoke run, < 30 s
    .venv/bin/python bench/psychometrics.py --json out.json --skip-girth

All data come from ``certwright.psychometrics.simulate`` with a fixed seed: 2PL items
with a ~ lognormal(0, 0.25), b ~ N(0, 1), abilities θ ~ N(0, 1). Phases:

calibration  2PL MML (``calibrate``, 41 Gauss–Hermite nodes, tol 1e-4, standard
             errors on) of N × 60: one cold run and the median of --repeat warm ones;
             RMSE, bias and correlation against the generating parameters.
girth        ``girth.twopl_mml`` on the same data with converged settings
             (max_iteration=200, quadrature_n=41), once; the speed ratio and the
             largest |Δa|, |Δb| between the two estimates.
rasch        Rasch calibration of the same size (score-group fast path).
pretest      60 anchors + 10 pretest items, each seen by 10–15 % of N, calibrated
             with the anchors fixed; RMSE of the pretest b and a.
neat         two groups of 5,000 sharing 20 anchors, the new one at θ ~ N(0.3, 1.1²);
             error of the Stocking–Lord constants.
ctt          item analysis of N × 75 option choices (60 scored + 15 pretest).
scoring      ``score_batch`` on 1,000,000 × 75 uint8 choices (60 scored in 6 areas,
             15 pretest), best of --repeat; ``score_attempt`` (pure Python) per
             candidate; EAP scoring of N × 60.

Peak RSS (``ru_maxrss``) is recorded after each phase: the high-water mark of this
process so far, so the figure after "calibration" is ours alone and later ones
include girth. Output: a markdown table (for BENCHMARKS.md) and, with --json, the
raw numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from certwright.psychometrics import (  # noqa: E402
    FormKey,
    calibrate,
    eap,
    item_analysis,
    link,
    score_attempt,
    score_batch,
    simulate,
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def rmse(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((x - y) ** 2)))


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    versions = {"numpy": np.__version__}
    for name in ("scipy", "girth"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {
        "date": time.strftime("%Y-%m-%d"),
        "nproc": nproc,
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(),
        **versions,
        "load_before": [round(v, 2) for v in os.getloadavg()],
    }


def bench_calibration(n: int, n_items: int, seed: int, repeat: int) -> dict[str, Any]:
    a, b = simulate.item_params(n_items, seed)
    theta = simulate.abilities(n, seed + 1)
    scored = simulate.responses(theta, a, b, seed + 2)
    cold, fit = timed(lambda: calibrate(scored))
    warm, cpu = [], []
    for _ in range(repeat):
        cpu_start = time.process_time()
        warm.append(timed(lambda: calibrate(scored))[0])
        cpu.append(time.process_time() - cpu_start)
    return {
        "data": (a, b, scored),
        "fit": fit,
        "cold_s": cold,
        "warm_s": statistics.median(warm),
        "warm_runs_s": warm,
        "cpu_s": statistics.median(cpu),
        "iterations": fit.iterations,
        "converged": fit.converged,
        "log_likelihood": fit.log_likelihood,
        "rmse_a": rmse(fit.a, a),
        "rmse_b": rmse(fit.b, b),
        "bias_a": float(np.mean(fit.a - a)),
        "bias_b": float(np.mean(fit.b - b)),
        "corr_a": float(np.corrcoef(fit.a, a)[0, 1]),
        "corr_b": float(np.corrcoef(fit.b, b)[0, 1]),
        "mean_se_a": float(fit.se_a.mean()),
        "mean_se_b": float(fit.se_b.mean()),
        "rss_mb": rss_mb(),
    }


def bench_girth(calibration: dict[str, Any], max_iteration: int) -> dict[str, Any]:
    import girth

    a, b, scored = calibration["data"]
    fit = calibration["fit"]
    seconds, result = timed(
        lambda: girth.twopl_mml(
            scored.T.astype(int),
            options={"max_iteration": max_iteration, "quadrature_n": 41},
        )
    )
    ga, gb = result["Discrimination"], result["Difficulty"]
    return {
        "examinees": scored.shape[0],
        "seconds": seconds,
        "speedup": seconds / calibration["warm_s"],
        "max_diff_a": float(np.abs(fit.a - ga).max()),
        "max_diff_b": float(np.abs(fit.b - gb).max()),
        "rmse_a": rmse(ga, a),
        "rmse_b": rmse(gb, b),
        "rss_mb": rss_mb(),
    }


def bench_rasch(n: int, n_items: int, seed: int) -> dict[str, Any]:
    _, b = simulate.item_params(n_items, seed, model="rasch")
    scored = simulate.responses(simulate.abilities(n, seed + 1), np.ones(n_items), b, 7)
    seconds, fit = timed(lambda: calibrate(scored, model="rasch"))
    return {"seconds": seconds, "iterations": fit.iterations, "rmse_b": rmse(fit.b, b)}


def bench_pretest(n: int, seed: int) -> dict[str, Any]:
    a, b = simulate.item_params(70, seed)
    scored = simulate.responses(simulate.abilities(n, seed + 1), a, b, seed + 2)
    scored = simulate.planned_missing(scored, range(60, 70), seed + 3)
    anchors = {j: (float(a[j]), float(b[j])) for j in range(60)}
    seconds, fit = timed(lambda: calibrate(scored, anchors=anchors))
    return {
        "seconds": seconds,
        "iterations": fit.iterations,
        "cases": int(np.mean(fit.n_responses[60:])),
        "rmse_b": rmse(fit.b[60:], b[60:]),
        "rmse_a": rmse(fit.a[60:], a[60:]),
        "mean_se_b": float(fit.se_b[60:].mean()),
    }


def bench_neat(seed: int) -> dict[str, Any]:
    a, b = simulate.item_params(100, seed)
    base = simulate.responses(simulate.abilities(5000, seed + 1), a[:60], b[:60], 1)
    new = simulate.responses(
        simulate.abilities(5000, seed + 2, mean=0.3, sd=1.1), a[40:], b[40:], 2
    )
    start = time.perf_counter()
    base_fit = calibrate(base, standard_errors=False)
    new_fit = calibrate(new, standard_errors=False)
    linking = link(new_fit.a[:20], new_fit.b[:20], base_fit.a[40:], base_fit.b[40:])
    return {
        "seconds": time.perf_counter() - start,
        "slope_error": linking.slope - 1.1,
        "intercept_error": linking.intercept - 0.3,
    }


def scoring_form(seed: int) -> tuple[FormKey, np.ndarray]:
    rng = np.random.default_rng(seed)
    n_items = 75
    key = rng.integers(0, 4, n_items)
    scored = np.arange(n_items) < 60
    area = np.where(scored, np.arange(n_items) % 6, 0)
    perm = rng.permutation(n_items)  # interleave pretest items and areas
    table = tuple(int(200 + 10 * r) for r in range(61))
    form = FormKey(
        tuple(int(v) for v in key[perm]),
        tuple(bool(v) for v in scored[perm]),
        tuple(int(v) for v in area[perm]),
        6,
        40,
        table,
    )
    return form, key[perm]


def bench_ctt(n: int, seed: int) -> dict[str, Any]:
    a, b = simulate.item_params(75, seed)
    scored = simulate.responses(simulate.abilities(n, seed + 1), a, b, seed + 2)
    key = np.random.default_rng(seed).integers(0, 4, 75)
    choices = simulate.choices(scored, key, seed + 3)
    in_total = np.arange(75) < 60
    seconds, analysis = timed(lambda: item_analysis(choices, key, in_total=in_total))
    return {"seconds": seconds, "kr20": analysis.kr20, "flags": len(analysis.flags)}


def bench_scoring(n: int, seed: int, repeat: int, singles: int) -> dict[str, Any]:
    form, key = scoring_form(seed)
    rng = np.random.default_rng(seed + 1)
    # Mostly right (65 %), as on a real form; 1 % omits. Built in blocks of uint8 so
    # the generator's temporaries do not dwarf the 75 MB matrix being scored.
    choices = np.empty((n, 75), dtype=np.uint8)
    for start in range(0, n, 50_000):
        rows = min(50_000, n - start)
        draw = rng.integers(0, 100, (rows, 75), dtype=np.uint8)
        block = np.where(draw < 65, key, rng.integers(0, 4, (rows, 75), dtype=np.uint8))
        block[draw >= 99] = 255
        choices[start : start + rows] = block
    best = min(timed(lambda: score_batch(choices, form))[0] for _ in range(repeat))
    result = score_batch(choices, form)
    rows = [[None if c == 255 else int(c) for c in row] for row in choices[:singles]]
    single_s, singles_out = timed(lambda: [score_attempt(r, form) for r in rows])
    agree = all(
        s.raw == int(result.raw[i]) and s.scaled == int(result.scaled[i])  # type: ignore[index]
        for i, s in enumerate(singles_out)
    )
    return {
        "examinees": n,
        "seconds": best,
        "examinees_per_s": n / best,
        "responses_per_s": n * 75 / best,
        "single_us": single_s / singles * 1e6,
        "single_agrees": agree,
        "pass_rate": float(result.passed.mean()),
        "rss_mb": rss_mb(),
    }


def bench_eap(n: int, seed: int) -> dict[str, Any]:
    a, b = simulate.item_params(60, seed)
    theta = simulate.abilities(n, seed + 1)
    scored = simulate.responses(theta, a, b, seed + 2)
    seconds, (estimate, _) = timed(lambda: eap(scored, a, b))
    return {
        "seconds": seconds,
        "examinees_per_s": n / seconds,
        "corr": float(np.corrcoef(estimate, theta)[0, 1]),
    }


def report(results: dict[str, Any]) -> str:
    m, cal, sc = results["machine"], results["calibration"], results["scoring"]
    n = results["examinees"]
    warm_runs = ", ".join(f"{t:.2f}" for t in cal["warm_runs_s"])
    lines = [
        f"Machine: {m['date']}, {m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB; "
        f"Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, girth "
        f"{m['girth']}; load average before {m['load_before']}, after "
        f"{results['load_after']}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| 2PL calibration {n:,} × 60, warm (median of {results['repeat']}) | "
        f"{cal['warm_s']:.2f} s (runs {warm_runs}; CPU {cal['cpu_s']:.2f} s), "
        f"{cal['iterations']} EM cycles, "
        f"{'converged' if cal['converged'] else 'NOT converged'} | ≤ 10 s |",
        f"| same, cold (first call) | {cal['cold_s']:.2f} s | |",
        f"| RMSE a / b vs true | {cal['rmse_a']:.4f} / {cal['rmse_b']:.4f} | ≤ 0.02 |",
        f"| bias a / b; corr a / b | {cal['bias_a']:+.4f} / {cal['bias_b']:+.4f}; "
        f"{cal['corr_a']:.4f} / {cal['corr_b']:.4f} | |",
        f"| mean SE a / b (XPD) | {cal['mean_se_a']:.4f} / {cal['mean_se_b']:.4f} | |",
        f"| peak RSS after our calibration | {cal['rss_mb']:.0f} MB | ≤ 1 GB |",
    ]
    if "girth" in results:
        g = results["girth"]
        lines += [
            f"| girth.twopl_mml, same data ({g['examinees']:,} × 60, max_iteration="
            f"{results['girth_iter']}, 41 nodes) | {g['seconds']:.1f} s; RMSE a / b "
            f"{g['rmse_a']:.4f} / "
            f"{g['rmse_b']:.4f} | |",
            f"| speed-up over girth (girth / ours warm) | {g['speedup']:.0f}× "
            "| ≥ 10× |",
            f"| max abs diff vs girth, a / b | {g['max_diff_a']:.4f} / "
            f"{g['max_diff_b']:.4f} | ≤ 0.02 |",
            f"| peak RSS after girth | {g['rss_mb']:.0f} MB | |",
        ]
    r, p, ne, ct, ea = (
        results["rasch"],
        results["pretest"],
        results["neat"],
        results["ctt"],
        results["eap"],
    )
    lines += [
        f"| Rasch calibration {n:,} × 60 (score groups) | "
        f"{r['seconds'] * 1000:.0f} ms, "
        f"RMSE b {r['rmse_b']:.4f} | < 100 ms |",
        f"| pretest: 10 items, ~{p['cases']:,} cases each, 60 fixed anchors | "
        f"{p['seconds']:.2f} s; RMSE b {p['rmse_b']:.3f}, a {p['rmse_a']:.3f} "
        f"(mean SE b {p['mean_se_b']:.3f}) | |",
        f"| NEAT 2 × 5,000, 20 anchors, Stocking–Lord | "
        f"error A {ne['slope_error']:+.3f}, "
        f"B {ne['intercept_error']:+.3f} ({ne['seconds']:.2f} s) | ≤ 0.03 logit |",
        f"| item analysis {n:,} × 75 (CTT, KR-20 {ct['kr20']:.3f}) | "
        f"{ct['seconds'] * 1000:.0f} ms | |",
        f"| batch scoring {sc['examinees']:,} × 75 (60 scored, 6 areas) | "
        f"{sc['seconds'] * 1000:.0f} ms: {sc['examinees_per_s'] / 1e6:.1f} M "
        f"examinees/s, {sc['responses_per_s'] / 1e6:.0f} M responses/s | "
        "≥ 1 M examinees/s |",
        f"| peak RSS after scoring | {sc['rss_mb']:.0f} MB | |",
        f"| one attempt, pure Python (`score_attempt`) | {sc['single_us']:.1f} µs, "
        f"agrees with batch: {sc['single_agrees']} | ≤ 50 µs |",
        f"| EAP {n:,} × 60, 41 nodes | {ea['examinees_per_s'] / 1e3:.0f} k examinees/s "
        f"(corr with θ {ea['corr']:.3f}) | ≥ 200 k/s |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run, < 30 s")
    parser.add_argument("--examinees", type=int, help="calibration N (100,000)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, help="warm runs to take the median of")
    parser.add_argument("--skip-girth", action="store_true")
    parser.add_argument("--girth-iterations", type=int, default=200)
    parser.add_argument("--json", type=Path, help="write the raw numbers here")
    args = parser.parse_args()

    n = args.examinees or (20_000 if args.quick else 100_000)
    repeat = args.repeat or (1 if args.quick else 3)
    results: dict[str, Any] = {
        "machine": machine(),
        "examinees": n,
        "repeat": repeat,
        "quick": args.quick,
    }

    def phase(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        print(f"... {name}", file=sys.stderr, flush=True)
        results[name] = fn()

    phase("calibration", lambda: bench_calibration(n, 60, args.seed, repeat))
    if not args.skip_girth:
        girth_cal = results["calibration"]
        if args.quick:  # girth on 20k takes ~20 s: compare on 5k in a smoke run
            girth_cal = bench_calibration(5000, 60, args.seed, 1)
        results["girth_iter"] = args.girth_iterations
        phase("girth", lambda: bench_girth(girth_cal, args.girth_iterations))
    phase("rasch", lambda: bench_rasch(n, 60, args.seed + 10))
    phase("pretest", lambda: bench_pretest(n, args.seed + 20))
    phase("neat", lambda: bench_neat(args.seed + 30))
    phase("ctt", lambda: bench_ctt(n, args.seed + 40))
    phase(
        "scoring",
        lambda: bench_scoring(
            200_000 if args.quick else 1_000_000, args.seed + 50, repeat + 2, 20_000
        ),
    )
    phase("eap", lambda: bench_eap(n, args.seed + 60))
    results["load_after"] = [round(v, 2) for v in os.getloadavg()]
    results["peak_rss_mb"] = rss_mb()

    print(report(results))
    if args.json:
        results["calibration"].pop("data")
        results["calibration"].pop("fit")
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
