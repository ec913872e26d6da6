"""Every route of the site. Names are global for site-level pages (home, history, API
tokens) and namespaced by app elsewhere (programmes:, projects:, dashboards:, imports:)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portfolio import api
from portfolio.core import views as core_views

urlpatterns = [
    path("", include("portfolio.accounts.urls")),
    path("", include("portfolio.dashboards.urls")),
    path("", include("portfolio.timeline.urls")),
    path("", include("portfolio.calendars.urls")),
    path("", include("portfolio.audit.urls")),
    path("", include("portfolio.notifications.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("choices/<str:kind>/", core_views.choices_search, name="choices-search"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("programmes/", include("programmes.urls")),
    path("projects/", include("projects.urls")),
    path("imports/", include("portfolio.imports.urls")),
    path("board-packs/", include("portfolio.boardpacks.urls")),
    path("scenarios/", include("portfolio.scenarios.urls")),
    path("health/", include("portfolio.health.urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api.urls(), "api"))),
]

# Friendly pages in the site layout; the app's own refusals use them under DEBUG too
# (portfolio.core.errors.FriendlyErrorsMiddleware).
handler400 = "portfolio.core.errors.bad_request"
handler403 = "portfolio.core.errors.permission_denied"
handler404 = "portfolio.core.errors.page_not_found"
handler500 = "portfolio.core.errors.server_error"

if settings.BENCHMARK:
    urlpatterns.append(path("", include("bench.urls")))
