"""The impact graph is kept until a write to the plan moves it: after any committed write to
a project's dates, a milestone or a dependency, by any path, the next read equals a fresh
read of the database; a write that changes no date of the plan (a draft) keeps it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from portfolio.core import pagecache
from portfolio.core.signals import health_inputs_changed
from portfolio.scenarios.services import scenario_apply, scenario_change_add, scenario_create
from projects.impact import impact_graph, read_impact_graph
from projects.models import Dependency, Milestone, Project, StatusReport
from tests.conftest import Cast
from tests.factories import DependencyFactory, MilestoneFactory

# Committed writes: the plan's version moves when a transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def plan(cast: Cast) -> Cast:
    """Project A1 sibling (programme A1) finishes before Project A2 (programme A2) starts;
    A2 has a milestone."""
    today = date(2026, 9, 1)
    upstream, downstream = cast.project_a1_sibling, cast.project_a2
    upstream.baseline_start, upstream.baseline_finish = today, today + timedelta(days=60)
    upstream.save()
    downstream.baseline_start = today + timedelta(days=70)
    downstream.baseline_finish = today + timedelta(days=200)
    downstream.save()
    MilestoneFactory(project=downstream, name="Go live", baseline_date=today + timedelta(days=150))
    DependencyFactory(upstream=upstream, downstream=downstream, lag_days=2)
    return cast


def _report(project: Project, state: str) -> StatusReport:
    submitted = timezone.now() if state == StatusReport.State.SUBMITTED else None
    return StatusReport.objects.create(
        project=project, period_start=date(2026, 8, 31), state=state, submitted_at=submitted
    )


def _milestone(cast: Cast) -> Milestone:
    return Milestone.objects.get(project=cast.project_a2)


def _by_milestone_form(cast: Cast) -> None:
    milestone = _milestone(cast)
    response = cast.client_for(cast.pmo).post(
        reverse("projects:milestone-edit", args=[milestone.pk]),
        {
            "name": milestone.name,
            "baseline_date": milestone.baseline_date,
            "forecast_date": "2027-03-05",
        },
    )
    assert response.status_code == 302


def _by_api_dependency_lag(cast: Cast) -> None:
    dependency = Dependency.objects.get()
    response = cast.client_for(cast.pmo).patch(
        f"/api/v1/dependencies/{dependency.pk}/", {"lag_days": 9}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def _by_api_milestone(cast: Cast) -> None:
    milestone = _milestone(cast)
    response = cast.client_for(cast.pmo).patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"forecast_date": "2027-04-01"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def _by_project_save(cast: Cast) -> None:
    project = Project.objects.get(pk=cast.project_a1_sibling.pk)
    project.forecast_finish = project.baseline_finish + timedelta(days=30)  # type: ignore[operator]
    project.save()


def _by_bulk_write_naming_its_rows(cast: Cast) -> None:
    """The importer's path: a bulk write sends `health_inputs_changed` with its rows."""
    with transaction.atomic():
        rows = list(Project.objects.filter(pk=cast.project_a2.pk))
        for row in rows:
            row.baseline_start = date(2026, 12, 1)
        Project.objects.bulk_update(rows, ["baseline_start"])
        health_inputs_changed.send(sender=Project, rows=rows)


def _by_submitted_report(cast: Cast) -> None:
    """A submit copies its forecast finish onto the project with an update."""
    with transaction.atomic():
        report = _report(cast.project_a1_sibling, StatusReport.State.SUBMITTED)
        Project.objects.filter(pk=report.project_id).update(forecast_finish=date(2027, 1, 29))


def _by_scenario_apply(cast: Cast) -> None:
    assert cast.pmo.user is not None
    scenario = scenario_create(owner=cast.pmo.user, name="Delay", scope=cast.programme_a1)
    project = Project.objects.get(pk=cast.project_a1_sibling.pk)
    scenario_change_add(scenario=scenario, kind="move", project=project, weeks=4)
    scenario_apply(scenario=scenario, user=cast.pmo.user)


def _by_dependency_delete(cast: Cast) -> None:
    Dependency.objects.get().delete()


def _by_new_milestone(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1_sibling, baseline_date=date(2026, 10, 1))


WRITES: dict[str, Callable[[Cast], None]] = {
    "milestone form": _by_milestone_form,
    "dependency through the API": _by_api_dependency_lag,
    "milestone through the API": _by_api_milestone,
    "project saved": _by_project_save,
    "bulk write (import)": _by_bulk_write_naming_its_rows,
    "submitted report": _by_submitted_report,
    "scenario applied": _by_scenario_apply,
    "dependency deleted": _by_dependency_delete,
    "milestone added": _by_new_milestone,
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_after_a_write_to_the_plan_the_next_read_equals_a_fresh_one(
    plan: Cast, write: Callable[[Cast], None]
) -> None:
    before = impact_graph()
    assert before == read_impact_graph()

    write(plan)

    after = impact_graph()
    assert after == read_impact_graph()
    assert after != before  # the write did change the plan: the test can fail


def test_a_kept_graph_is_served_without_a_query(
    plan: Cast, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = impact_graph()
    with django_assert_num_queries(0):
        assert impact_graph() is first


def test_another_process_reads_the_graph_from_the_cache(
    plan: Cast, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = impact_graph()
    pagecache._kept.clear()  # what another process holds: nothing yet
    with django_assert_num_queries(0):
        assert impact_graph() == first


def test_an_autosaved_draft_keeps_the_graph(
    plan: Cast, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = impact_graph()
    _report(plan.project_a2, StatusReport.State.DRAFT)
    with django_assert_num_queries(0):
        assert impact_graph() is first


def test_a_transaction_reads_its_own_uncommitted_write_and_files_nothing(plan: Cast) -> None:
    kept = impact_graph()
    with transaction.atomic():
        Dependency.objects.get().delete()
        inside = impact_graph()
        assert inside == read_impact_graph() != kept
        transaction.set_rollback(True)
    assert impact_graph() == read_impact_graph() == kept
