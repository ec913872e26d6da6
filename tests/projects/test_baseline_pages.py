"""The baselines page of a project and its re-baseline form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from projects.baselines import NewBaseline, project_rebaseline
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
        project=project,
        name="Design signed off",
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 6, 21),
    )


def _rebaseline_url(cast: Cast) -> str:
    return reverse("projects:rebaseline", args=[cast.project_a1.pk])


def test_the_project_manager_rebaselines_from_the_form(cast: Cast, late: Milestone) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(
        _rebaseline_url(cast),
        {"name": "Gate 2 approval", "reason": "Design grew.", "from_forecasts": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:baselines", args=[cast.project_a1.pk])
    late.refresh_from_db()
    assert late.slippage_days == 0
    assert Baseline.objects.of(cast.project_a1).count() == 2


def test_a_missing_reason_is_shown_beside_its_field(cast: Cast, late: Milestone) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(_rebaseline_url(cast), {"name": "Gate 2", "from_forecasts": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [
        "Say why the plan changes: a new baseline needs a reason."
    ]
    assert not Baseline.objects.exists()


def test_a_finish_before_the_start_is_shown_beside_the_finish(cast: Cast, late: Milestone) -> None:
    client = cast.client_for(cast.pmo)
    response = client.post(
        _rebaseline_url(cast),
        {"name": "Replan", "reason": "Funding.", "baseline_finish": "2025-01-01"},
    )
    assert response.status_code == 400
    assert "baseline_finish" in response.context["form"].errors


def test_an_executive_may_not_rebaseline(cast: Cast, late: Milestone) -> None:
    client = cast.client_for(cast.executive)
    response = client.post(_rebaseline_url(cast), {"name": "X", "reason": "Y"})
    assert response.status_code == 404
    assert not Baseline.objects.exists()


def test_the_page_compares_the_original_with_the_baseline_in_force(
    cast: Cast, late: Milestone
) -> None:
    change = NewBaseline(name="Gate 2 approval", reason="Design grew.")
    project_rebaseline(project=cast.project_a1, change=change, user=cast.pmo.user)
    response = cast.client_for(cast.executive).get(
        reverse("projects:baselines", args=[cast.project_a1.pk]), {"compare": 1}
    )
    assert response.status_code == 200
    [row] = response.context["comparison"].milestones
    assert (row.variance_then, row.variance_now) == (20, 0)
    html = response.content.decode()
    assert "Gate 2 approval" in html and "Design grew." in html and "Pat PMO" in html
    assert "Rebaseline" not in html and "Re-baseline</a>" not in html


def test_a_milestone_added_later_reads_not_in_this_baseline(cast: Cast, late: Milestone) -> None:
    project_rebaseline(
        project=cast.project_a1, change=NewBaseline(name="G2", reason="R"), user=cast.pmo.user
    )
    MilestoneFactory(project=cast.project_a1, name="Pilot")
    response = cast.client_for(cast.pmo).get(
        reverse("projects:baselines", args=[cast.project_a1.pk]), {"compare": 1}
    )
    assert "not in this baseline" in response.content.decode()


def test_the_htmx_tab_gets_only_the_panel(cast: Cast, late: Milestone) -> None:
    response = cast.client_for(cast.pmo).get(
        reverse("projects:baselines", args=[cast.project_a1.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="baselines-panel"')
    assert "<nav" not in html


def test_the_baselines_page_reads_a_fixed_number_of_queries(
    cast: Cast, late: Milestone, django_assert_max_num_queries: object
) -> None:
    MilestoneFactory.create_batch(5, project=cast.project_a1)
    for n in range(3):
        project_rebaseline(
            project=cast.project_a1,
            change=NewBaseline(name=f"Gate {n}", reason="R"),
            user=cast.pmo.user,
        )
    client = cast.client_for(cast.pmo)
    url = reverse("projects:baselines", args=[cast.project_a1.pk])
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        assert client.get(url, {"compare": 1}).status_code == 200
