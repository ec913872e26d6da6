"""Lists and dashboards run a fixed number of SQL queries however many rows exist.

Measured at the size of the real US portfolio: 26 portfolios, 437 programmes, 1,547 projects.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from bench.seed import analyze_tables
from programmes.models import Person, Portfolio, Programme
from projects.models import Issue, Project, Risk
from tests.conftest import Cast

MAX_QUERIES = 15
# The executive dashboard reads health, trends, benefits, milestones and risks too.
DASHBOARD_MAX_QUERIES = 20


@pytest.fixture
def large_portfolio(cast: Cast) -> None:
    managers = Person.objects.bulk_create(Person(name=f"Manager {i}") for i in range(50))
    portfolios = Portfolio.objects.bulk_create(
        Portfolio(code=f"AG{i:02d}", name=f"Agency {i}") for i in range(26)
    )
    cast.executive.executive_portfolios.add(*portfolios)
    programmes = Programme.objects.bulk_create(
        Programme(
            portfolio=portfolios[i % 26],
            code=f"INV{i:03d}",
            name=f"Investment {i}",
            manager=managers[i % 50],
        )
        for i in range(437)
    )
    projects = Project.objects.bulk_create(
        Project(
            portfolio=programmes[i % 437].portfolio,
            programme=programmes[i % 437],
            code=f"P{i:04d}",
            name=f"Project {i}",
            manager=managers[i % 50],
            baseline_start=date(2026, 1, 1),
            baseline_finish=date(2026, 12, 31),
            budget=Decimal(i * 1000),
        )
        for i in range(1547)
    )
    Risk.objects.bulk_create(
        Risk(project=p, title=f"Risk {p.code}", probability=3, impact=4) for p in projects
    )
    Issue.objects.bulk_create(Issue(project=p, title=f"Issue {p.code}") for p in projects[::3])
    analyze_tables()  # else a join may be planned for empty tables, and take minutes


PAGES = [
    ("projects:list", {}),
    ("projects:list", {"sort": "-budget", "q": "Project 1"}),
    ("programmes:list", {}),
    ("programmes:person-list", {}),
    ("projects:risk-list", {}),
    ("projects:issue-list", {}),
    ("dashboards:portfolio-list", {}),
    ("dashboards:portfolio", {}),
]


@pytest.mark.parametrize("role", ["pmo", "executive"])
@pytest.mark.parametrize(("page", "params"), PAGES, ids=[f"{p}{q}" for p, q in PAGES])
def test_list_pages_keep_a_fixed_number_of_queries_at_1547_projects(
    cast: Cast,
    large_portfolio: None,
    django_assert_max_num_queries,
    role: str,
    page: str,
    params: dict[str, str],
) -> None:
    client = cast.client_for(getattr(cast, role))
    bound = DASHBOARD_MAX_QUERIES if page == "dashboards:portfolio" else MAX_QUERIES
    with django_assert_max_num_queries(bound):
        response = client.get(reverse(page), params)
    assert response.status_code == 200


def test_a_programme_page_keeps_a_fixed_number_of_queries(
    cast: Cast, large_portfolio: None, django_assert_max_num_queries
) -> None:
    programme = Programme.objects.get(code="INV000")
    client = cast.client_for(cast.pmo)
    with django_assert_max_num_queries(MAX_QUERIES + 5):
        response = client.get(programme.get_absolute_url())
    assert len(response.context["projects"]) == 4
