"""Pages that show what a person reads: the first response of the executive dashboard, a
programme dashboard and the reporting page stays small, in a bounded number of queries, for
a generated organisation of a few hundred programmes (the bench's seed, scaled down)."""

from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.seed import Sizes, seed
from programmes.models import Programme

BUDGET_BYTES = 150 * 1024
MAX_QUERIES = 25
TODAY = date(2026, 11, 25)
# A few hundred programmes, one of them large, and weeks of reports: what made the pages
# heavy at the bench's L size, in a size a test can seed in seconds.
SIZES = Sizes(
    portfolios=4,
    programmes=300,
    projects=700,
    report_weeks=3,
    risks=1500,
    issues=300,
    people=80,
    teams=4,
    trend_weeks=1,
    largest_programme=60,
    pm_projects=4,
)


@pytest.fixture
def organisation(db: None) -> None:
    seed(SIZES, today=TODAY, log=lambda _line: None)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _pages() -> dict[str, tuple[str, str]]:
    largest = Programme.objects.annotate(n=Count("projects")).order_by("-n").first()
    assert largest is not None
    return {
        "executive dashboard": ("executive", reverse("dashboards:portfolio")),
        "programme dashboard": ("pmo", reverse("dashboards:programme", args=[largest.pk])),
        "reporting": ("pmo", reverse("projects:reporting")),
    }


@pytest.mark.parametrize("page", ["executive dashboard", "programme dashboard", "reporting"])
def test_the_first_response_stays_under_the_budget_in_bounded_queries(
    organisation: None, django_assert_max_num_queries: Any, page: str
) -> None:
    username, url = _pages()[page]
    client = _client(username)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.content) <= BUDGET_BYTES, f"{page}: {len(response.content)} bytes"


def test_a_page_of_programme_cards_stays_under_the_budget(
    organisation: None, django_assert_max_num_queries: Any
) -> None:
    portfolio = Programme.objects.values("portfolio").annotate(n=Count("pk")).order_by("-n")[0]
    client = _client("executive")
    url = reverse("dashboards:portfolio-programmes", args=[portfolio["portfolio"]])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'data-testid="programme-card"' in response.text
    assert len(response.content) <= BUDGET_BYTES
