"""The site's routes plus two that fail on purpose, for tests/core/test_errors.py."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from portfolio.urls import handler400, handler403, handler404, handler500


def refuse(request: HttpRequest) -> HttpResponse:
    raise BadRequest("period must be a week like 2026-W46")


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("test/refuse/", refuse),
    path("test/fail/", fail),
    path("", include("portfolio.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
