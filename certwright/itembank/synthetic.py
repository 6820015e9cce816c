"""Seeded synthetic items and responses, for load and psychometric tests.

The items read like ASE questions (the "Technician A says … Technician B says …"
pattern and "most likely cause" questions) but are unmistakably synthetic: every
code starts with ``SYN``, every stem with "[Synthetic]", and the content is
assembled from word lists, not written by anyone who knows the answer. Never load
them into a bank candidates sit.

Each item carries its generating 2PL parameters in ``stats`` (``sim_a``, ``sim_b``),
so a psychometric test can simulate answers with ``synthetic_responses`` and check
that calibration recovers them. They are not estimates: assembly reads only
``irt_b``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from certwright.assembly import recert_area_counts
from certwright.itembank.models import OPTION_LETTERS, ItemStatus
from certwright.itemformats import ExchangeItem, ItemBundle
from certwright.program.model import Program

VEHICLES = (
    "a front-wheel-drive sedan",
    "a V8 pickup",
    "a turbocharged four-cylinder hatchback",
    "a hybrid crossover",
    "a diesel van",
    "a rear-wheel-drive coupe",
)
CONDITIONS = (
    "at cold start",
    "at idle with the A/C on",
    "under light acceleration",
    "at highway speed",
    "after a heat soak",
    "while braking",
)
SYMPTOMS = (
    "an intermittent misfire",
    "a rattle from the front",
    "a pull to one side",
    "a slow crank",
    "a warning lamp with no stored code",
    "a whine that rises with speed",
    "higher than normal fuel trims",
    "a pulsation in the pedal",
)
CAUSES = (
    "a worn bearing",
    "a restricted passage",
    "an open circuit",
    "excessive resistance in a ground",
    "a leaking seal",
    "an incorrect adjustment",
    "a sticking valve",
    "a failed sensor",
    "low system pressure",
    "contaminated fluid",
)
TWO_TECHNICIANS = ("A only", "B only", "Both A and B", "Neither A nor B")
SYNTHETIC_PRETEST_SHARE = 0.15


def _stem_two(rng: random.Random, n: int, area: str) -> tuple[str, list[str]]:
    vehicle, symptom = rng.choice(VEHICLES), rng.choice(SYMPTOMS)
    first, second = rng.sample(CAUSES, 2)
    stem = (
        f"[Synthetic {area}-{n}] {vehicle.capitalize()} has {symptom} "
        f"{rng.choice(CONDITIONS)}. Technician A says {first} could be the cause. "
        f"Technician B says {second} could be the cause. Who is right?"
    )
    return stem, list(TWO_TECHNICIANS)


def _stem_cause(rng: random.Random, n: int, area: str) -> tuple[str, list[str]]:
    stem = (
        f"[Synthetic {area}-{n}] {rng.choice(VEHICLES).capitalize()} has "
        f"{rng.choice(SYMPTOMS)} {rng.choice(CONDITIONS)}. Which of these is the "
        "MOST likely cause?"
    )
    options = [c.capitalize() for c in rng.sample(CAUSES, 4)]
    return stem, options


def synthetic_items(
    *,
    program: Program,
    test: str,
    count: int,
    seed: int,
    day: dt.date,
    pretest_share: float = SYNTHETIC_PRETEST_SHARE,
    enemy_share: float = 0.02,
) -> ItemBundle:
    """``count`` items of ``test`` covering the blueprint in force on ``day``: per
    area in the blueprint's proportions (every area at least one operational item
    when ``count`` allows), ``pretest_share`` of them pretest, the rest operational;
    ``enemy_share * count`` enemy pairs within areas. The same arguments give the
    same items."""
    spec = program.tests[test]
    blueprint = spec.blueprint_on(day)
    if blueprint is None or not blueprint.areas:
        raise ValueError(f"{test} has no blueprint with content areas on {day}")
    counts = {a.code: a.questions or 1 for a in blueprint.areas}
    names = {a.code: a.name for a in blueprint.areas}
    rng = random.Random(seed)
    n_pretest = round(count * pretest_share)
    slots: list[tuple[str, str]] = []
    for role_count, role in (
        (count - n_pretest, ItemStatus.OPERATIONAL.value),
        (n_pretest, ItemStatus.PRETEST.value),
    ):
        for area, n in recert_area_counts(counts, role_count).items():
            slots += [(area, role)] * n
    rng.shuffle(slots)
    drafts: list[tuple[str, str, str, list[str], str, str, str, dict[str, float]]] = []
    for n, (area, status) in enumerate(slots, start=1):
        code = f"SYN{seed}-{test}-{n:05d}"
        write = _stem_two if rng.random() < 0.4 else _stem_cause
        stem, options = write(rng, n, f"{test}{area}")
        key = OPTION_LETTERS[rng.randrange(4)]
        params = {
            "sim_a": round(math.exp(rng.gauss(0.0, 0.3)), 3),
            "sim_b": round(rng.gauss(0.0, 1.0), 3),
        }
        task = f"{names[area]}: synthetic task {rng.randrange(1, 13)}"
        drafts.append((code, area, task, options, key, stem, status, params))
    by_area: dict[str, list[str]] = {}
    for code, area, *_rest in drafts:
        by_area.setdefault(area, []).append(code)
    enemies: dict[str, set[str]] = {}
    for _pair in range(round(count * enemy_share)):
        area = rng.choice(sorted(by_area))
        if len(by_area[area]) < 2:
            continue
        x, y = rng.sample(by_area[area], 2)
        enemies.setdefault(x, set()).add(y)
        enemies.setdefault(y, set()).add(x)
    items = [
        ExchangeItem(
            code=code,
            area=area,
            task=task,
            stem=stem,
            options=(options[0], options[1], options[2], options[3]),
            key=key,
            rationale="Synthetic item: generated, not written; the key is arbitrary.",
            enemies=tuple(sorted(enemies.get(code, ()))),
            status=status,
            stats={"synthetic": True, **params},
        )
        for code, area, task, options, key, stem, status, params in drafts
    ]
    return ItemBundle(test=test, items=items, program=program.id, source="synthetic")


def synthetic_responses(
    params: Sequence[tuple[float, float, int]], *, examinees: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int8]]:
    """Simulated answers to items with 2PL ``(a, b, key)``: abilities drawn from
    N(0, 1), each answer right with probability 1 / (1 + exp(-a (θ - b))), a wrong
    answer spread evenly over the three distractors. Returns (θ, choices) with
    choices an int8 matrix examinees × items of option indexes 0-3."""
    generator = np.random.default_rng(seed)
    theta = generator.standard_normal(examinees)
    a = np.array([p[0] for p in params])
    b = np.array([p[1] for p in params])
    keys = np.array([p[2] for p in params], dtype=np.int8)
    p_right = 1.0 / (1.0 + np.exp(-a[None, :] * (theta[:, None] - b[None, :])))
    right = generator.random(p_right.shape) < p_right
    # A wrong answer: key + 1..3 (mod 4), uniformly.
    shift = generator.integers(1, 4, size=p_right.shape, dtype=np.int8)
    choices = np.where(right, keys[None, :], (keys[None, :] + shift) % 4)
    return theta, choices.astype(np.int8)
