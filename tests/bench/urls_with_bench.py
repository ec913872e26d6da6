"""The site's routes plus the benchmark's, as `BENCHMARK=true` mounts them."""

from django.urls import include, path

from portfolio.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("", include("bench.urls"))]
