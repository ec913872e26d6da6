"""POST /api/v1/impact/: what moves if these slip, for each role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from projects.models import Milestone
from tests.conftest import Cast
from tests.factories import DependencyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/impact/"


@pytest.fixture
def go_live(cast: Cast) -> Milestone:
    """Project A2 (programme A2) starts after Project A1 (programme A1) finishes."""
    a2 = cast.project_a2
    a2.baseline_start, a2.baseline_finish = date(2026, 12, 21), date(2027, 6, 30)
    a2.save()
    DependencyFactory(upstream=cast.project_a1, downstream=a2)
    return MilestoneFactory(project=a2, name="Go live", baseline_date=date(2027, 3, 1))


def _post(cast: Cast, role: str, body: Any) -> Any:
    return cast.client_for(getattr(cast, role)).post(URL, body, content_type="application/json")


def test_a_project_slipping_four_weeks_moves_another_programmes_milestone(
    cast: Cast, go_live: Milestone
) -> None:
    body = {"changes": [{"project": cast.project_a1.pk, "slip": 4, "unit": "weeks"}]}
    response = _post(cast, "executive", body)
    assert response.status_code == 200
    answer = response.json()
    (programme,) = answer["programmes"]
    assert (programme["programme"], programme["name"]) == (cast.programme_a2.pk, "Programme A2")
    item = next(i for i in programme["items"] if i["node"] == f"milestone:{go_live.pk}")
    assert item["old"] == "2027-03-01" and item["new"] > item["old"]
    assert [step["name"] for step in item["chain"]] == [
        "Project A1: Finish",
        "Project A2: Start",
        "Project A2: Go live",
    ]
    assert answer["moved"] == 3 and answer["hidden"] == 0


def test_a_milestone_slip_in_working_days_moves_its_project_finish(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, baseline_date=date(2026, 12, 1))
    response = _post(cast, "pmo", {"changes": [{"milestone": milestone.pk, "slip": 20}]})
    (programme,) = response.json()["programmes"]
    assert [item["node"] for item in programme["items"]] == [f"project:{cast.project_a1.pk}:finish"]


def test_moves_a_role_cannot_see_are_counted_not_named(cast: Cast) -> None:
    """The other project manager sees Project B1, and A2 joined to it by a dependency; A1,
    which waits on A2, is beyond their reach."""
    DependencyFactory(upstream=cast.project_b1, downstream=cast.project_a2, kind="ff")
    DependencyFactory(upstream=cast.project_a2, downstream=cast.project_a1, kind="ff")
    body = {"changes": [{"project": cast.project_b1.pk, "slip": 20}]}
    answer = _post(cast, "other_project_manager", body).json()
    assert [group["name"] for group in answer["programmes"]] == ["Programme A2"]
    assert answer["moved"] == 1 and answer["hidden"] == 1


def test_a_project_the_user_cannot_see_is_refused_as_if_it_did_not_exist(cast: Cast) -> None:
    body = {"changes": [{"project": cast.project_b1.pk, "slip": 5}]}
    response = _post(cast, "project_manager", body)
    assert response.status_code == 400
    assert list(response.json()) == ["changes[0].project"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slip": 5}, "changes[0].project"),
        ({"project": "A1", "slip": 5}, "changes[0].project"),
        ({"project": 0, "slip": -1}, "changes[0].slip"),
        ({"project": 0, "slip": 5, "unit": "fortnights"}, "changes[0].unit"),
    ],
)
def test_an_invalid_change_is_a_400_naming_its_field(
    cast: Cast, change: dict[str, Any], field: str
) -> None:
    change = {**change, "project": cast.project_a1.pk} if change.get("project") == 0 else change
    response = _post(cast, "pmo", {"changes": [change]})
    assert response.status_code == 400
    assert field in response.json()


def test_a_milestone_and_a_project_in_one_change_is_refused(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_a1)
    change = {"project": cast.project_a1.pk, "milestone": milestone.pk, "slip": 5}
    response = _post(cast, "pmo", {"changes": [change]})
    assert response.json() == {"changes[0].milestone": ["Name a project or a milestone, not both."]}


def test_no_changes_at_all_is_refused(cast: Cast) -> None:
    response = _post(cast, "pmo", {"changes": []})
    assert response.status_code == 400 and "changes" in response.json()


def test_an_anonymous_request_is_refused(db: None) -> None:
    assert Client().post(URL, {}, content_type="application/json").status_code == 401
