from django.contrib import admin
from django.urls import include, path

from portfolio import history, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("no-access/", views.no_access, name="no-access"),
    path("healthz", views.healthz, name="healthz"),
    path("history/<str:subject>/<int:pk>/", history.history, name="history"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("programmes/", include("programmes.urls")),
    path("projects/", include("projects.urls")),
    path("imports/", include("portfolio.import_urls")),
    path("admin/", admin.site.urls),
]
