from django.contrib import admin
from django.urls import include, path

from portfolio import api, bench_views, history, token_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("no-access/", views.no_access, name="no-access"),
    path("healthz", views.healthz, name="healthz"),
    path("bench/hello/", bench_views.hello, name="bench-hello"),
    path("history/<str:subject>/<int:pk>/", history.history, name="history"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("programmes/", include("programmes.urls")),
    path("projects/", include("projects.urls")),
    path("imports/", include("portfolio.import_urls")),
    path("admin/", admin.site.urls),
    path("api/", include((api.urls(), "api"))),
    path("account/api-tokens/", token_views.api_tokens, name="api-tokens"),
    path("account/api-tokens/all/", token_views.all_api_tokens, name="api-tokens-all"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        token_views.api_token_revoke,
        name="api-token-revoke",
    ),
]
