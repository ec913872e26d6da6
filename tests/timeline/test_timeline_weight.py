"""The timeline of the largest portfolio of a generated organisation (the bench's seed,
scaled down) stays within issue 12's page budget: the first response, and the largest
programme opened, each under 150 KB in a bounded number of queries."""

import time
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.signals import post_init
from django.test import Client
from django.urls import reverse

from bench.seed import Sizes, seed
from portfolio.timeline.views import GROUPS_PER_PAGE
from programmes.models import Portfolio, Programme
from projects.models import Project

BUDGET_BYTES = 150 * 1024
# An opened group also reads the impact graph (4 queries) for its critical chain.
MAX_QUERIES = 20
TODAY = date(2026, 11, 25)
SIZES = Sizes(
    portfolios=2,
    programmes=120,
    projects=500,
    report_weeks=1,
    risks=100,
    issues=20,
    people=40,
    teams=2,
    trend_weeks=1,
    largest_programme=60,
    pm_projects=4,
)


@pytest.fixture
def largest(db: None) -> Portfolio:
    seed(SIZES, today=TODAY, log=lambda _line: None)
    found = Portfolio.objects.annotate(n=Count("projects")).order_by("-n").first()
    assert found is not None
    return found


def _client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="executive"))
    return client


def test_the_largest_portfolio_s_first_response_stays_under_the_budget(
    largest: Portfolio, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    url = reverse("timeline:portfolio", args=[largest.pk])
    client = _client()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    groups = response.text.count('<details class="tl-group"')
    assert groups == GROUPS_PER_PAGE  # the rest load as they come into view
    assert 'hx-trigger="revealed"' in response.text
    assert len(response.content) <= BUDGET_BYTES, len(response.content)
    print(f"largest portfolio: {groups} groups, {len(response.content)} bytes")


def test_the_largest_programme_opened_stays_under_the_budget(
    largest: Portfolio, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    programme = Programme.objects.annotate(n=Count("projects")).order_by("-n").first()
    assert programme is not None
    url = reverse("timeline:portfolio", args=[programme.portfolio_id])
    client = _client()
    started = time.perf_counter()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(
            url, {"group": f"programme:{programme.pk}"}, headers={"HX-Request": "true"}
        )
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    assert response.text.count('<li class="tl-label') >= 60
    assert len(response.content) <= BUDGET_BYTES, len(response.content)
    print(f"largest programme: {len(response.content)} bytes in {elapsed * 1000:.0f} ms")


def test_the_first_response_reads_no_project_row_so_it_does_not_grow_with_the_portfolio(
    largest: Portfolio, settings: Any
) -> None:
    """Groups come from one aggregate per programme: a portfolio three times the size
    costs the first response no more rows."""
    settings.PAGE_CACHE_SECONDS = 0
    built: list[int] = []

    def count(sender: type, instance: Project, **kwargs: Any) -> None:
        built.append(instance.pk)

    post_init.connect(count, sender=Project)
    try:
        response = _client().get(reverse("timeline:portfolio", args=[largest.pk]))
    finally:
        post_init.disconnect(count, sender=Project)
    assert response.status_code == 200
    assert '<details class="tl-group"' in response.text
    assert built == []
