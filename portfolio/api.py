"""The REST API's router: every app's viewsets under /api/v1/, the OpenAPI schema and its
docs (mounted under /api/ by portfolio/urls.py). The plumbing they share is
`portfolio.core.api`."""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from portfolio.health import api as health_api
from programmes import api as programmes_api
from projects import api as projects_api


def build_router() -> DefaultRouter:
    """Every API resource, under /api/v1/."""
    router = DefaultRouter()
    routes = (*programmes_api.ROUTES, *projects_api.ROUTES, *health_api.ROUTES)
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    return router


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other URL under /api/ answers in JSON too, not with the HTML 404 page."""
    return JsonResponse(
        {"detail": "No such API route. Routes end with a slash; see /api/docs/."}, status=404
    )


def urls() -> list[URLPattern | URLResolver]:
    return [
        path("v1/", include(build_router().urls)),
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
        re_path(r"", not_found),
    ]
