"""Item images uploaded in the admin, checked as an import checks them
(``certwright.itemformats.images`` says what a figure may be)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from certwright.itemformats.images import MAX_IMAGE_BYTES, image_problem


def validate_item_image(upload: Any) -> None:
    """A form field validator: a newly uploaded file passes ``image_problem`` (a
    file already stored, or none, is left alone)."""
    if not isinstance(upload, UploadedFile):
        return
    upload.seek(0)
    data = upload.read(MAX_IMAGE_BYTES + 1)
    upload.seek(0)
    problem = image_problem(getattr(upload, "name", "") or "", data)
    if problem is not None:
        raise ValidationError(problem, code="image")
