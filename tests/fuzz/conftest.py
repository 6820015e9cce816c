"""The fuzz targets reuse the fixtures of the apps whose inputs they feed."""

from tests.delivery.conftest import (  # noqa: F401 (fixtures, found by name)
    authorised,
    candidate,
    centre,
    exam_form,
    frozen,
    proctor,
    seat,
    started,
)
