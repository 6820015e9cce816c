"""How long one sitting of a test takes: read from the program data alone.

Pure (program + date in, minutes out), so that both the booking (``scheduling``)
and form assembly (``itembank``) can ask without one work-layer app importing the
other: a form and its appointment never disagree about the time.
"""

from __future__ import annotations

import datetime as dt

from certwright.program.model import Program

# Minutes assumed for a test whose time the program does not state (ASE publishes the
# time of only a few tests; 90 covers the published standard ones, 75-90 minutes, and
# a centre would rather hold a seat too long than too short). Where it matters, the
# program data should state the time: then this is never used.
DEFAULT_TEST_MINUTES = 90


def sitting_minutes(*, program: Program, test: str, kind: str, day: dt.date) -> int:
    """How long one sitting of ``test`` takes on ``day``.

    A recertification test takes its own time where the program states one; otherwise
    (and for initial tests) the blueprint in force that day; otherwise the default.
    """
    spec = program.tests.get(test)
    if spec is None:
        return DEFAULT_TEST_MINUTES
    if kind == "recert" and spec.recert is not None and spec.recert.minutes:
        return spec.recert.minutes
    blueprint = spec.blueprint_on(day) or (
        spec.blueprints[0] if spec.blueprints else None
    )
    if blueprint is not None and blueprint.minutes:
        return blueprint.minutes
    return DEFAULT_TEST_MINUTES
