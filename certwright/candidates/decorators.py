"""``candidate_required``: the one gate for pages only a candidate uses (experience,
the shop, booking, practice and study), in the app that owns technicians."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from certwright.candidates.selectors import technician_for_user

View = Callable[..., HttpResponse]


def candidate_required(refusal: str) -> Callable[[View], View]:
    """Signed in (else the sign-in page), with a technician record, which is passed
    to the view as ``technician``. An account without one gets the ``refusal``
    template with 403: each area says in its own words what the account cannot do
    there."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            technician = technician_for_user(request.user)
            if technician is None:
                return render(request, refusal, status=403)
            return view(request, technician, *args, **kwargs)

        return wrapper

    return decorate
