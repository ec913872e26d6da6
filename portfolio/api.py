"""The REST API's router: every app's viewsets under /api/v1/, the OpenAPI schema and its
docs (mounted under /api/ by portfolio/urls.py). The plumbing they share is
`portfolio.core.api`."""

from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from portfolio.boardpacks import api as boardpacks_api
from portfolio.dashboards import capacity_api
from portfolio.health import api as health_api
from portfolio.imports import api as imports_api
from portfolio.imports.mspdi import api as mspdi_api
from portfolio.notifications import api as notifications_api
from portfolio.scenarios import api as scenarios_api
from portfolio.timeline import api as timeline_api
from programmes import api as programmes_api
from projects import api as projects_api
from projects import impact_api, money_api


def build_router() -> DefaultRouter:
    """Every API resource, under /api/v1/."""
    router = DefaultRouter()
    # The timeline shares the "portfolios" prefix and comes first: the API root lists one
    # entry per prefix, the last registered, which must be the portfolios' own list.
    routes = (
        *timeline_api.ROUTES,
        *money_api.ROUTES,
        *programmes_api.ROUTES,
        *projects_api.ROUTES,
        *health_api.ROUTES,
        *imports_api.ROUTES,
        *mspdi_api.ROUTES,
        *impact_api.ROUTES,
        *boardpacks_api.ROUTES,
        *notifications_api.ROUTES,
        *capacity_api.ROUTES,
        *scenarios_api.ROUTES,
    )
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    return router


@csrf_exempt
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other URL under /api/ answers in JSON too, not with the HTML 404 page (nor, for a
    write without a CSRF cookie, with the HTML 403 of the CSRF check: there is nothing here
    to protect)."""
    return JsonResponse(
        {"detail": "No such API route. Routes end with a slash; see /api/docs/."}, status=404
    )


def docs_are_public() -> bool:
    """The schema and its docs need a signed-in user (or a token) unless API_DOCS_PUBLIC:
    they name every route and field, which is more than an outsider needs to know."""
    return bool(settings.API_DOCS_PUBLIC)


class SignedInUnlessDocsPublic(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return docs_are_public() or bool(request.user and request.user.is_authenticated)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI; a person not signed in is sent to the login page and back."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (docs_are_public() or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


def urls() -> list[URLPattern | URLResolver]:
    return [
        path("v1/", include(build_router().urls)),
        path(
            "schema/",
            SpectacularAPIView.as_view(permission_classes=[SignedInUnlessDocsPublic]),
            name="schema",
        ),
        path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
        re_path(r"", not_found),
    ]
