"""The proctor console's tests stand on exam delivery's fixtures: a published A1
form, a Chicago centre, a candidate and the clock frozen on exam day (the helpers
of the console's own tests are in tests/delivery/proctor_support.py)."""

from tests.delivery.conftest import (  # noqa: F401 (fixtures, found by name)
    _seats_forgotten,
    authorised,
    candidate,
    centre,
    exam_form,
    frozen,
    proctor,
    seat,
    started,
)
