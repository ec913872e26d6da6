"""Mounted only when the benchmark turns it on (settings.BENCHMARK, from BENCHMARK=true)."""

from django.urls import path

from bench import views

urlpatterns = [
    path("bench/hello/", views.hello, name="bench-hello"),
]
