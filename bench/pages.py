"""The pages users live on, who opens each, and how many SQL queries each one runs.

The same usernames exist in the demo (portfolio.demo.organisation) and in the bench's large seed, so
one function names the targets on either database.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import reverse

HELLO = "hello"


@dataclass(frozen=True)
class Page:
    username: str
    url: str


def page_targets() -> dict[str, Page]:
    """Page name → (who opens it, its URL) on the current database.

    The programme is the "progman" login's largest; the project is the "pm" login's first;
    the timeline is that of the portfolio with the most projects (issue 16's "largest
    portfolio"), as the executive sees it.
    """
    from programmes.models import Portfolio, Programme
    from projects.models import Project

    programme = (
        Programme.objects.filter(manager__user__username="progman", archived_at__isnull=True)
        .annotate(n=Count("projects", filter=Q(projects__archived_at__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )
    project = Project.objects.active().filter(manager__user__username="pm").order_by("pk").first()
    portfolio = (
        Portfolio.objects.filter(archived_at__isnull=True)
        .annotate(n=Count("projects", filter=Q(projects__archived_at__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )
    if programme is None or project is None or portfolio is None:
        raise LookupError("no programme of 'progman' or project of 'pm' in this database")
    return {
        HELLO: Page("pm", reverse("bench-hello")),
        "executive_dashboard": Page("executive", reverse("dashboards:portfolio")),
        "programme_dashboard": Page(
            "progman", reverse("dashboards:programme", args=[programme.pk])
        ),
        "project_page": Page("pm", reverse("projects:detail", args=[project.pk])),
        "my_projects": Page("pm", reverse("projects:mine")),
        "pmo_reporting": Page("pmo", reverse("projects:reporting")),
        "portfolio_timeline": Page("executive", reverse("timeline:portfolio", args=[portfolio.pk])),
    }


def count_queries(pages: dict[str, Page]) -> dict[str, int]:
    """Each page once through Django's test client, after one warm-up request, so that
    per-process caches (content types, compiled templates) are warm as in a running server.
    The counted request renders the page: the page cache is emptied before it, so these
    are the queries of building the page, not of serving a cached body.
    """
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients: dict[str, Client] = {}
    counts: dict[str, int] = {}
    for name, page in pages.items():
        if page.username not in clients:
            # The host gunicorn is benchmarked on: ALLOWED_HOSTS is 127.0.0.1 there too.
            clients[page.username] = Client(HTTP_HOST="127.0.0.1")
            user = get_user_model().objects.get(username=page.username)
            clients[page.username].force_login(user)
        client = clients[page.username]
        client.get(page.url)
        empty_page_cache()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
        if response.status_code != 200:
            raise RuntimeError(f"{name} ({page.url}) answered {response.status_code}")
        counts[name] = len(queries.captured_queries)
    return counts


def empty_page_cache(location: str | None = None) -> None:
    """Every entry of Django's cache and nothing else: on Redis the Celery broker shares
    the database, and its queue must survive. `location`: another Redis than settings'."""
    location = location or settings.CACHES["default"].get("LOCATION")
    if not location or not str(location).startswith(("redis://", "rediss://", "unix://")):
        cache.clear()
        return
    client = redis.Redis.from_url(str(location))
    try:
        keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
