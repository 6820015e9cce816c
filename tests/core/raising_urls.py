"""A URLconf with one view that fails, for the test that a 500 reaches stderr."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the test's own failure")


urlpatterns = [path("boom/", boom)]
