"""Derived forecasts: where an upstream slip pushes a project, stored beside its manager's
forecast, and read by health's dependency dimension with its reason."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from portfolio.health import rollup
from portfolio.health.models import ProjectHealth
from projects.impact import derived_forecasts_refresh
from projects.models import DerivedForecast, Project
from tests.conftest import Cast
from tests.factories import DependencyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def downstream(cast: Cast) -> Project:
    """Project A2 (programme A2) starts on Monday 21 Dec 2026, after Project A1 finishes
    on Friday 18 Dec; its manager forecasts it will finish on time."""
    a2 = cast.project_a2
    a2.baseline_start, a2.baseline_finish = date(2026, 12, 21), date(2027, 6, 30)
    a2.forecast_finish = date(2027, 6, 30)
    a2.save()
    MilestoneFactory(project=a2, name="Go live", baseline_date=date(2027, 3, 1))
    DependencyFactory(upstream=cast.project_a1, downstream=a2)
    return a2


def _slip(project: Project, days: int) -> None:
    project.forecast_finish = project.baseline_finish + timedelta(days=days)
    project.save()


def test_an_upstream_slip_pushes_the_downstream_start_beside_its_managers_forecast(
    cast: Cast, downstream: Project
) -> None:
    _slip(cast.project_a1, 17)  # Friday 18 Dec → Monday 4 Jan
    assert derived_forecasts_refresh() == {downstream.pk}
    derived = DerivedForecast.objects.get(project=downstream)
    assert (derived.start, derived.start_pushed_days) == (date(2027, 1, 4), 14)
    assert derived.finish is not None and derived.finish > date(2027, 6, 30)
    assert derived.milestones_pushed == 1
    assert derived.caused_by == cast.project_a1
    assert derived.reason() == "An upstream slip (“Project A1”) pushes your start by 14 days"
    downstream.refresh_from_db()
    assert downstream.forecast_finish == date(2027, 6, 30)  # the manager's, untouched


def test_refreshing_twice_changes_nothing_and_a_recovered_slip_removes_the_push(
    cast: Cast, downstream: Project
) -> None:
    _slip(cast.project_a1, 17)
    derived_forecasts_refresh()
    assert derived_forecasts_refresh() == set()
    _slip(cast.project_a1, 0)
    assert derived_forecasts_refresh() == {downstream.pk}
    assert not DerivedForecast.objects.exists()


def test_a_slip_within_the_slack_pushes_nothing(cast: Cast, downstream: Project) -> None:
    _slip(cast.project_a1, 3)  # Monday 21 Dec: the day it was free to start anyway
    assert derived_forecasts_refresh() == set()


def test_health_says_why_an_upstream_slip_makes_the_dependency_dimension_red(
    cast: Cast, downstream: Project
) -> None:
    _slip(cast.project_a1, 45)
    derived_forecasts_refresh()
    rollup.recompute_projects([downstream.pk], date(2026, 11, 20))
    health = ProjectHealth.objects.get(project=downstream, is_current=True)
    reason = next(r for r in health.reasons if r["rule"] == "dependency.pushed")
    assert reason["rating"] == "red"
    assert reason["message"].startswith("An upstream slip (“Project A1”) pushes your start by")
    assert health.dimensions["dependencies"]["computed"] == "red"


def test_both_project_pages_show_the_slip_the_upstream_its_reach_the_downstream_its_push(
    cast: Cast, downstream: Project
) -> None:
    pmo = cast.client_for(cast.pmo)
    upstream_page = reverse("projects:detail", args=[cast.project_a1.pk])
    assert 'data-testid="slip-reach"' not in pmo.get(upstream_page).content.decode()

    _slip(cast.project_a1, 17)
    derived_forecasts_refresh()

    reach = pmo.get(upstream_page).content.decode()
    assert "This slip moves 1 milestone in 1 other project." in reach
    pushed = pmo.get(reverse("projects:detail", args=[downstream.pk])).content.decode()
    assert "An upstream slip (“Project A1”) pushes your start by 14 days" in pushed


def test_the_executive_dashboard_lists_a_slip_that_crosses_a_programme_boundary(
    cast: Cast, downstream: Project
) -> None:
    assert downstream.programme_id != cast.project_a1.programme_id
    dashboard = cast.client_for(cast.pmo)
    assert (
        'data-testid="crossing-slips"'
        not in dashboard.get(reverse("dashboards:portfolio")).content.decode()
    )

    _slip(cast.project_a1, 17)
    derived_forecasts_refresh()

    page = dashboard.get(reverse("dashboards:portfolio")).content.decode()
    listed = page.split('data-testid="crossing-slips"')[1].split("</ul>")[0]
    assert "Project A2" in listed and "pushed 14 days by Project A1" in listed


def test_a_milestone_late_past_its_own_finish_is_no_other_project_s_slip(
    cast: Cast, downstream: Project
) -> None:
    """Project A1's milestone forecast after A1's finish pushes A1's finish and A2's start:
    the reach counts A2 only, and A1's own push says it is its own."""
    a1 = cast.project_a1
    MilestoneFactory(
        project=a1,
        name="Handover",
        baseline_date=a1.baseline_finish - timedelta(days=7),
        forecast_date=a1.baseline_finish + timedelta(days=21),
    )
    derived_forecasts_refresh()
    own = DerivedForecast.objects.get(project=a1)
    assert own.caused_by == a1
    assert own.reason().startswith("Its own late milestones push your finish by")
    reach = DerivedForecast.objects.reach_of(a1)
    assert (reach.projects, reach.milestones) == (1, 1)
