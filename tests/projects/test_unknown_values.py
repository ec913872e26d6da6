"""A project's start and budget may be unknown (imported returns often lack them): every
page and export says so, never 0 or an invented date."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import Project
from tests.conftest import Cast
from tests.factories import ProjectFactory

UNKNOWN_BUDGET = '<span class="unknown" title="The budget is unknown">Unknown</span>'


def _unknown_project(cast: Cast) -> Project:
    return ProjectFactory(
        programme=cast.programme_a1, name="Withheld", baseline_start=None, budget=None
    )


def test_the_project_page_says_the_start_and_budget_are_unknown(cast: Cast) -> None:
    project = _unknown_project(cast)
    page = cast.client_for(cast.pmo).get(project.get_absolute_url()).content.decode()
    assert '<span class="unknown" title="The start is unknown">Unknown</span> – 18 Dec 2026' in page
    assert UNKNOWN_BUDGET + " · spent" in page


def test_the_project_list_and_its_export_say_the_budget_is_unknown(cast: Cast) -> None:
    _unknown_project(cast)
    client = cast.client_for(cast.pmo)
    assert UNKNOWN_BUDGET in client.get(reverse("projects:list")).content.decode()
    response = client.get(reverse("projects:list") + "?export=csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert next(r for r in rows if r["Project"] == "Withheld")["Budget"] == "Unknown"


def test_a_portfolio_whose_budgets_are_all_unknown_shows_unknown_not_0(cast: Cast) -> None:
    Project.objects.update(budget=None)
    page = cast.client_for(cast.pmo).get(reverse("dashboards:portfolio-list")).content.decode()
    assert UNKNOWN_BUDGET in page
    assert '<td class="money">0</td>' not in page


def test_a_portfolio_total_counts_the_budgets_left_out_as_unknown(cast: Cast) -> None:
    _unknown_project(cast)
    page = cast.client_for(cast.pmo).get(reverse("dashboards:portfolio-list")).content.decode()
    assert "+ 1 unknown</span>" in page


def test_the_api_takes_and_gives_an_unknown_start_and_budget_as_null(cast: Cast) -> None:
    project = ProjectFactory(programme=cast.programme_a1)
    client = APIClient()
    client.force_authenticate(cast.pmo.user)
    url = reverse("api:project-detail", args=[project.pk])
    response = client.patch(url, {"baseline_start": None, "budget": None}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["baseline_start"], response.json()["budget"]) == (None, None)
    project.refresh_from_db()
    assert (project.baseline_start, project.budget) == (None, None)


def test_the_openapi_schema_says_an_unknown_start_and_budget_are_null(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.pmo.user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    fields = schema["components"]["schemas"]["Project"]["properties"]
    assert fields["baseline_start"]["nullable"] and fields["budget"]["nullable"]
