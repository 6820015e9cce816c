"""The public home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

import certwright
from certwright.core.program import current_program


def home(request: HttpRequest) -> HttpResponse:
    program = current_program()
    return render(
        request,
        "core/home.html",
        {
            "program": program,
            "version": certwright.__version__,
            "series_count": len(program.series),
            "test_count": len(program.tests),
            "title_count": len(program.titles),
        },
    )
