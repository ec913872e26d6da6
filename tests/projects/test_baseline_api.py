"""The baselines API: list, re-baseline, compare; bad input is a 400 naming the field."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import Baseline, Milestone
from tests.conftest import Cast
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(cast: Cast) -> Milestone:
    project = cast.project_a1
    project.forecast_finish = project.baseline_finish + timedelta(days=30)
    project.save()
    return MilestoneFactory(
        project=project, baseline_date=date(2026, 6, 1), forecast_date=date(2026, 6, 21)
    )


def _client(cast: Cast) -> APIClient:
    client = APIClient()
    client.force_authenticate(cast.project_manager.user)
    return client


def _rebaseline(client: APIClient, body: dict[str, object]) -> object:
    return client.post(reverse("api:baseline-list"), body, format="json")


def test_a_rebaseline_through_the_api_keeps_the_original_and_compares(
    cast: Cast, late: Milestone
) -> None:
    client = _client(cast)
    made = _rebaseline(client, {"project": cast.project_a1.pk, "name": "G2", "reason": "Grew."})
    assert made.status_code == 201, made.content  # type: ignore[attr-defined]
    assert made.json()["number"] == 2  # type: ignore[attr-defined]
    assert made.json()["approved_by"] == "Pam Project"  # type: ignore[attr-defined]
    listed = client.get(reverse("api:baseline-list"), {"project": cast.project_a1.pk}).json()
    assert [b["number"] for b in listed["results"]] == [2, 1]
    original = Baseline.objects.get(project=cast.project_a1, number=1)
    compared = client.get(reverse("api:baseline-compare", args=[original.pk])).json()
    [row] = compared["milestones"]
    assert (row["then"], row["now"], row["variance_then"], row["variance_now"]) == (
        "2026-06-01",
        "2026-06-21",
        20,
        0,
    )
    assert compared["finish"]["variance_then"] == 30


def test_a_rebaseline_on_given_dates_moves_the_named_milestones(
    cast: Cast, late: Milestone
) -> None:
    body = {
        "project": cast.project_a1.pk,
        "name": "Replan",
        "reason": "Funding.",
        "from_forecasts": False,
        "baseline_finish": "2027-12-17",
        "milestones": [{"milestone": late.pk, "baseline_date": "2027-06-01"}],
    }
    assert _rebaseline(_client(cast), body).status_code == 201  # type: ignore[attr-defined]
    late.refresh_from_db()
    assert late.baseline_date == date(2027, 6, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "G2"}, "reason"),
        ({"name": "G2", "reason": "  "}, "reason"),
        ({"reason": "Why"}, "name"),
        (
            {"name": "G2", "reason": "R", "from_forecasts": False, "baseline_finish": "2020-01-01"},
            "baseline_finish",
        ),
        ({"name": "G2", "reason": "R", "baseline_finish": "soon"}, "baseline_finish"),
        (
            {
                "name": "G2",
                "reason": "R",
                "milestones": [{"milestone": 0, "baseline_date": "2026-01-01"}],
            },
            "milestones",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    cast: Cast, late: Milestone, body: dict[str, object], field: str
) -> None:
    response = _rebaseline(_client(cast), {"project": cast.project_a1.pk, **body})
    assert response.status_code == 400, response.content  # type: ignore[attr-defined]
    assert field in response.json()  # type: ignore[attr-defined]
    assert not Baseline.objects.exists()


def test_another_projects_milestone_is_refused(cast: Cast, late: Milestone) -> None:
    stranger = MilestoneFactory(project=cast.project_b1)
    body = {
        "project": cast.project_a1.pk,
        "name": "G2",
        "reason": "R",
        "from_forecasts": False,
        "milestones": [{"milestone": stranger.pk, "baseline_date": "2026-01-01"}],
    }
    response = _rebaseline(_client(cast), body)
    assert response.status_code == 400
    assert "milestones" in response.json()  # type: ignore[attr-defined]


def test_a_project_manager_may_not_rebaseline_a_sibling_project(cast: Cast) -> None:
    body = {"project": cast.project_a1_sibling.pk, "name": "G2", "reason": "R"}
    response = _rebaseline(_client(cast), body)
    assert response.status_code == 403
    assert "re-baselines" in response.json()["detail"]  # type: ignore[attr-defined]


def test_the_schema_documents_the_baseline_routes(cast: Cast) -> None:
    client = APIClient()
    client.force_authenticate(cast.pmo.user)
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/baselines/" in schema["paths"]
    assert "/api/v1/baselines/{id}/compare/" in schema["paths"]
    assert "RebaselineRequest" in schema["components"]["schemas"]
