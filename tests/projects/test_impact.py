"""The impact engine's graph read from the database, and what each role sees of a result."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import pairwise

import pytest
from pytest_django import DjangoAssertNumQueries

from portfolio.core.impact import Change, Graph, milestone, project_finish, project_start
from projects.impact import impact_graph, impact_report
from projects.models import Dependency, Project
from tests.conftest import Cast
from tests.factories import (
    BenefitFactory,
    DependencyFactory,
    MilestoneFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(cast: Cast) -> dict[str, object]:
    """Project A1 (programme A1) finishes on Friday 18 Dec 2026; Project A2 (programme
    A2) starts after it on Monday 21 Dec and reaches "Go live" on 1 Mar 2027."""
    a2 = cast.project_a2
    a2.baseline_start, a2.baseline_finish = date(2026, 12, 21), date(2027, 6, 30)
    a2.save()
    go_live = MilestoneFactory(project=a2, name="Go live", baseline_date=date(2027, 3, 1))
    DependencyFactory(upstream=cast.project_a1, downstream=a2)
    benefit = BenefitFactory(programme=cast.programme_a2, target_date=date(2027, 7, 15))
    return {"go_live": go_live, "benefit": benefit}


def test_a_dependency_joins_the_ends_its_kind_names(cast: Cast) -> None:
    kinds = {
        Dependency.Kind.FINISH_TO_START: (project_finish, project_start),
        Dependency.Kind.START_TO_START: (project_start, project_start),
        Dependency.Kind.FINISH_TO_FINISH: (project_finish, project_finish),
    }
    for kind in kinds:
        DependencyFactory(upstream=ProjectFactory(), downstream=ProjectFactory(), kind=kind)
    links = {link.dependency_id: link for link in impact_graph().links if link.dependency_id}
    for dependency in Dependency.objects.all():
        source, target = kinds[Dependency.Kind(dependency.kind)]
        link = links[dependency.pk]
        assert (link.upstream, link.downstream) == (
            source(dependency.upstream_id),
            target(dependency.downstream_id),
        )


def test_a_dependency_pinned_to_milestones_joins_the_milestones(cast: Cast) -> None:
    api = MilestoneFactory(project=cast.project_a1)
    integration = MilestoneFactory(project=cast.project_b1)
    dependency = DependencyFactory(
        upstream=cast.project_a1,
        downstream=cast.project_b1,
        upstream_milestone=api,
        downstream_milestone=integration,
        lag_days=3,
    )
    (link,) = [link for link in impact_graph().links if link.dependency_id == dependency.pk]
    assert (link.upstream, link.downstream, link.lag) == (
        milestone(api.pk),
        milestone(integration.pk),
        3,
    )


def test_a_milestone_reached_is_fixed_and_one_forecast_sits_on_its_forecast(cast: Cast) -> None:
    reached = MilestoneFactory(project=cast.project_a1, actual_date=date(2026, 5, 29))
    forecast = MilestoneFactory(project=cast.project_a1, forecast_date=date(2026, 7, 1))
    nodes = impact_graph().nodes
    assert nodes[milestone(reached.pk)].fixed
    assert nodes[milestone(reached.pk)].on == date(2026, 5, 29)
    assert nodes[milestone(forecast.pk)].on == date(2026, 7, 1)
    assert not nodes[milestone(forecast.pk)].fixed


def test_a_slip_crosses_into_another_programme_and_reaches_its_milestone(
    cast: Cast, chain: dict[str, object]
) -> None:
    report = impact_report(cast.pmo.user, [Change.weeks(project_finish(cast.project_a1.pk), 4)])
    (group,) = report.groups
    assert group.label == "Programme A2"
    rows = {row.move.node.id: row for row in group.rows}
    go_live = rows[milestone(chain["go_live"].pk)]  # type: ignore[attr-defined]
    assert go_live.move.old == date(2027, 3, 1)
    assert go_live.move.new > go_live.move.old
    assert [step.label for step in go_live.chain] == [
        "Project A1: Finish",
        "Project A2: Start",
        "Project A2: Go live",
    ]


def test_a_benefit_whose_programme_now_finishes_late_is_hit(
    cast: Cast, chain: dict[str, object]
) -> None:
    report = impact_report(cast.pmo.user, [Change.weeks(project_finish(cast.project_a1.pk), 4)])
    assert [hit.benefit.id for hit in report.benefits] == [chain["benefit"].pk]  # type: ignore[attr-defined]


def test_a_programme_manager_sees_the_project_their_dependency_joins_and_only_counts_beyond(
    cast: Cast, chain: dict[str, object]
) -> None:
    """The manager of programme A1 sees Project A2 (joined to A1 by a dependency, as on their
    roadmap) but not Project B1, which waits on A2."""
    b1 = cast.project_b1
    b1.baseline_start, b1.baseline_finish = date(2027, 7, 1), date(2027, 9, 30)
    b1.save()
    DependencyFactory(upstream=cast.project_a2, downstream=b1)
    BenefitFactory(programme=cast.programme_b1, target_date=date(2027, 10, 15))
    change = Change.weeks(project_finish(cast.project_a1.pk), 8)
    report = impact_report(cast.programme_manager.user, [change])
    assert [group.label for group in report.groups] == ["Programme A2"]
    assert report.hidden_moves == 2  # B1's start and finish
    assert [hit.benefit.programme_id for hit in report.benefits] == [cast.programme_a2.pk]
    assert report.hidden_benefits == 1  # programme B1's
    assert impact_report(cast.pmo.user, [change]).hidden_moves == 0


def test_a_project_without_dates_moves_nothing_and_does_not_crash(cast: Cast) -> None:
    a2 = cast.project_a2
    DependencyFactory(upstream=cast.project_a1, downstream=a2)
    read = impact_graph()
    start = project_start(a2.pk)
    graph = Graph({**read.nodes, start: replace(read.nodes[start], on=None)}, read.links)
    report = impact_report(cast.pmo.user, [Change(project_finish(cast.project_a1.pk), 50)], graph)
    assert report.is_empty()


def test_reading_the_graph_takes_four_queries_however_large_the_plan(
    cast: Cast, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    programmes = [ProgrammeFactory(portfolio=cast.portfolio_b) for _ in range(3)]
    projects: list[Project] = [ProjectFactory(programme=p) for p in programmes for _ in range(4)]
    for upstream, downstream in pairwise(projects):
        DependencyFactory(upstream=upstream, downstream=downstream)
        MilestoneFactory(project=downstream)
        BenefitFactory(programme=downstream.programme)
    with django_assert_max_num_queries(4):
        graph = impact_graph()
    assert len(graph.links) > len(projects)
