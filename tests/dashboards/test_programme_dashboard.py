"""The programme dashboard: who sees it, and the numbers it shows
(portfolio/dashboards/programme.py)."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.core.benefits import planned_value
from portfolio.dashboards.programme import (
    DependencyCheck,
    bar_start,
    benefit_progress,
    programme_risks,
    risk_matrix,
)
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Programme,
    Stakeholder,
)
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk, StatusReport
from tests.conftest import Cast
from tests.factories import (
    AllocationFactory,
    DependencyFactory,
    IssueFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
)

# 25, and four for money by month (projects, phasings, entered months, reports).
MAX_QUERIES = 29
# A Monday; the heat map then shows the weeks of 2 Mar 2026 to 18 May 2026.
TODAY = date(2026, 3, 2)


def dashboard_url(programme: Programme) -> str:
    """The dashboard with every panel inline (as without JavaScript), to read them all."""
    return reverse("dashboards:programme", args=[programme.pk]) + "?panels=all"


def get_dashboard(client: Client, programme: Programme, on: date = TODAY) -> Any:
    with time_machine.travel(datetime.combine(on, datetime.min.time(), tzinfo=UTC), tick=False):
        return client.get(dashboard_url(programme))


def roadmap_json(response: Any) -> dict[str, Any]:
    match = re.search(
        r'<script id="roadmap-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries the roadmap as JSON"
    return json.loads(match[1])


def project_in_a1(cast: Cast, name: str, *, start: date) -> Project:
    return ProjectFactory(
        programme=cast.programme_a1,
        name=name,
        baseline_start=start,
        baseline_finish=start + timedelta(days=90),
    )


def depends(upstream: Project, downstream: Project, *, lag: int = 0, **kw: Any) -> DependencyCheck:
    return DependencyCheck.of(
        DependencyFactory(upstream=upstream, downstream=downstream, lag_days=lag, **kw)
    )


@pytest.fixture
def pair(cast: Cast) -> tuple[Project, Project]:
    """Upstream and downstream in programme A1: the sibling delivers, project A1 needs it."""
    upstream, downstream = cast.project_a1_sibling, cast.project_a1
    upstream.baseline_start, upstream.baseline_finish = date(2026, 1, 5), date(2026, 5, 29)
    upstream.forecast_finish = date(2026, 6, 1)
    downstream.baseline_start, downstream.baseline_finish = date(2026, 6, 5), date(2026, 12, 18)
    upstream.save()
    downstream.save()
    return upstream, downstream


# Who sees it -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pmo", "executive", "programme_manager", "project_manager"])
def test_everyone_who_may_read_the_programme_sees_its_dashboard(cast: Cast, role: str) -> None:
    response = get_dashboard(cast.client_for(getattr(cast, role)), cast.programme_a1)
    assert response.status_code == 200
    assert "No health computed yet." in response.content.decode()


@pytest.mark.parametrize("role", ["other_project_manager", "outsider"])
def test_someone_who_may_not_read_the_programme_gets_not_found(cast: Cast, role: str) -> None:
    response = get_dashboard(cast.client_for(getattr(cast, role)), cast.programme_a1)
    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, cast: Cast) -> None:
    response = client.get(dashboard_url(cast.programme_a1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_htmx_refresh_answers_with_the_dashboard_body_only(cast: Cast) -> None:
    client = cast.client_for(cast.programme_manager)
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        response = client.get(dashboard_url(cast.programme_a1), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-body"')
    assert "<nav" not in html
    assert 'id="roadmap-data"' in html


def test_a_programme_with_nothing_in_it_shows_an_empty_dashboard(cast: Cast) -> None:
    empty = ProgrammeFactory(portfolio=cast.portfolio_a, name="Empty")
    response = get_dashboard(cast.client_for(cast.executive), empty)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No projects to show." in html
    assert 'id="roadmap-data"' not in html
    assert "Nobody is booked on this programme" in html


# Projects side by side ---------------------------------------------------------------------


def report(project: Project, week: date, revision: int = 1, **fields: Any) -> StatusReport:
    submitted = fields.pop("state", StatusReport.State.SUBMITTED) == StatusReport.State.SUBMITTED
    return StatusReport.objects.create(
        project=project,
        period_start=week,
        revision=revision,
        state=StatusReport.State.SUBMITTED if submitted else StatusReport.State.DRAFT,
        submitted_at=timezone.now() if submitted else None,
        **fields,
    )


def test_each_project_shows_the_newest_submitted_revision_of_its_newest_reported_week(
    cast: Cast,
) -> None:
    project = cast.project_a1
    report(project, date(2026, 2, 16), schedule="red", percent_complete=10)
    report(project, date(2026, 2, 23), schedule="amber", percent_complete=20)
    newest = report(project, date(2026, 2, 23), revision=2, schedule="green", percent_complete=25)
    report(project, date(2026, 3, 2), state=StatusReport.State.DRAFT, schedule="red")

    response = get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1)

    rows = {row.project: row for row in response.context["dashboard"].rows}
    assert rows[project].report == newest
    assert rows[cast.project_a1_sibling].report is None
    html = response.content.decode()
    assert '<td class="rag-cell rag-green" title="Green">G</td>' in html
    assert "25%" in html


def test_the_projects_table_shows_slippage_in_days_and_the_cost_variance(cast: Cast) -> None:
    project = cast.project_a1
    project.baseline_finish, project.forecast_finish = date(2026, 12, 18), date(2027, 1, 1)
    project.budget, project.forecast_at_completion = Decimal(200_000), Decimal(230_000)
    project.save()

    response = get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1)

    [row] = [r for r in response.context["dashboard"].rows if r.project == project]
    assert (row.project.slippage_days, row.cost_variance, row.cost_variance_percent) == (
        14,
        Decimal(30_000),
        15,
    )
    html = response.content.decode()
    assert "+14" in html
    assert "+15%" in html


# Late upstream -----------------------------------------------------------------------------


def test_an_upstream_finishing_after_the_downstream_start_is_late_by_the_days_between(
    pair: tuple[Project, Project],
) -> None:
    check = depends(*pair)  # ready 1 Jun, needed 5 Jun: on time
    assert (check.ready_on, check.needed_on, check.days_late, check.is_late) == (
        date(2026, 6, 1),
        date(2026, 6, 5),
        -4,
        False,
    )


def test_a_lag_is_time_the_downstream_waits_after_the_upstream_so_it_can_make_it_late(
    pair: tuple[Project, Project],
) -> None:
    # Lags count working days: ready Mon 1 Jun + 7 = Wed 10 Jun, needed Fri 5 Jun; so it
    # must be ready by Wed 27 May (5 Jun less 7 working days).
    check = depends(*pair, lag=7)
    assert (check.ready_by, check.days_late, check.is_late) == (date(2026, 5, 27), 5, True)


def test_a_negative_lag_is_a_lead_that_gives_the_upstream_more_time(
    pair: tuple[Project, Project],
) -> None:
    upstream, downstream = pair
    upstream.forecast_finish = date(2026, 6, 10)
    upstream.save()
    assert depends(upstream, downstream).days_late == 5
    Dependency.objects.all().delete()
    # Wed 10 Jun less 7 working days is Mon 1 Jun: four days before Fri 5 Jun.
    assert depends(upstream, downstream, lag=-7).days_late == -4


def test_pinned_milestones_compare_the_upstream_expected_date_with_the_downstream_baseline(
    pair: tuple[Project, Project],
) -> None:
    upstream, downstream = pair
    api_live = MilestoneFactory(
        project=upstream, baseline_date=date(2026, 4, 1), forecast_date=date(2026, 4, 20)
    )
    integration = MilestoneFactory(
        project=downstream, baseline_date=date(2026, 4, 14), forecast_date=date(2026, 5, 30)
    )
    check = depends(
        upstream, downstream, lag=2, upstream_milestone=api_live, downstream_milestone=integration
    )
    # Ready Mon 20 Apr (forecast); needed Tue 14 Apr (baseline, not its forecast) less 2
    # working days of lag: Fri 10 Apr. Late by 20 Apr + 2 working days − 14 Apr.
    assert (check.ready_on, check.ready_by, check.days_late) == (
        date(2026, 4, 20),
        date(2026, 4, 10),
        8,
    )
    assert (check.upstream_item, check.downstream_item) == (api_live.name, integration.name)


def test_a_finish_to_finish_dependency_needs_the_upstream_by_the_downstream_finish(
    pair: tuple[Project, Project],
) -> None:
    check = depends(*pair, kind=Dependency.Kind.FINISH_TO_FINISH)
    assert (check.needed_on, check.is_late) == (date(2026, 12, 18), False)


def test_the_dashboard_lists_only_the_late_dependencies_with_their_days_late(
    cast: Cast, pair: tuple[Project, Project]
) -> None:
    upstream, downstream = pair
    DependencyFactory(upstream=upstream, downstream=downstream, lag_days=7)
    on_time = project_in_a1(cast, "On time downstream", start=date(2026, 9, 1))
    DependencyFactory(upstream=upstream, downstream=on_time)

    response = get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1)

    dashboard = response.context["dashboard"]
    assert len(dashboard.checks) == 2
    assert [(c.dependency.downstream, c.days_late) for c in dashboard.late_upstream] == [
        (downstream, 5)  # ready 1 Jun + 7 working days = 10 Jun, needed 5 Jun
    ]
    table = re.search(r'data-testid="late-upstream">(.*?)</table>', response.content.decode(), re.S)
    assert table
    assert "On time downstream" not in table[1]
    assert '<td class="text-end text-danger fw-semibold">5</td>' in table[1]


# Roadmap -----------------------------------------------------------------------------------


def test_the_roadmap_json_has_a_bar_per_project_and_the_downstream_bar_depends_on_the_upstream(
    cast: Cast, pair: tuple[Project, Project]
) -> None:
    upstream, downstream = pair
    DependencyFactory(upstream=upstream, downstream=downstream, lag_days=7)
    MilestoneFactory(project=downstream, name="Go live", baseline_date=date(2026, 12, 1))

    data = roadmap_json(get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1))

    tasks = {task["id"]: task for task in data["tasks"]}
    up, down = tasks[f"project-{upstream.pk}"], tasks[f"project-{downstream.pk}"]
    assert down["dependencies"] == [f"project-{upstream.pk}"]
    assert up["dependencies"] == []
    assert (up["start"], up["end"], up["custom_class"]) == (
        "2026-01-05",
        "2026-06-01",
        "bar-slipped",
    )
    assert [m["name"] for m in down["milestones"]] == ["Go live"]
    assert data["arrows"] == [{"from": up["id"], "to": down["id"], "late": True, "days_late": 5}]


def test_a_bar_without_a_known_start_starts_at_its_first_milestone() -> None:
    project = ProjectFactory.build(baseline_start=None, baseline_finish=date(2026, 12, 18))
    milestones = [
        MilestoneFactory.build(baseline_date=date(2026, 9, 1)),
        MilestoneFactory.build(baseline_date=date(2026, 7, 1), forecast_date=date(2026, 8, 1)),
    ]
    assert bar_start(project, milestones) == (date(2026, 7, 1), False)


def test_a_bar_without_a_known_start_or_milestones_is_a_marker_on_its_finish() -> None:
    project = ProjectFactory.build(
        baseline_start=None, baseline_finish=date(2026, 12, 18), forecast_finish=date(2027, 1, 8)
    )
    assert bar_start(project, []) == (date(2027, 1, 8), False)


def test_the_roadmap_marks_a_bar_whose_start_is_unknown(cast: Cast) -> None:
    project = ProjectFactory(programme=cast.programme_a1, baseline_start=None)
    data = roadmap_json(get_dashboard(cast.client_for(cast.pmo), cast.programme_a1))
    task = next(t for t in data["tasks"] if t["id"] == f"project-{project.pk}")
    assert (task["start"], task["end"]) == ("2026-12-18", "2026-12-18")
    assert (task["start_known"], task["custom_class"]) == (False, "bar-start-unknown")


def test_a_project_of_another_programme_joined_by_a_dependency_gets_a_bar_of_its_own(
    cast: Cast,
) -> None:
    DependencyFactory(upstream=cast.project_a2, downstream=cast.project_a1)

    data = roadmap_json(get_dashboard(cast.client_for(cast.executive), cast.programme_a1))

    external = [task for task in data["tasks"] if task["external"]]
    assert [task["id"] for task in external] == [f"project-{cast.project_a2.pk}"]
    assert external[0]["custom_class"] == "bar-external"


# Resource heat map -------------------------------------------------------------------------


@pytest.fixture
def ada(cast: Cast) -> Person:
    """Booked 60% on a project of this programme and 60% on one of another, for two weeks."""
    ada = PersonFactory(name="Ada", user=None, weekly_capacity_hours=Decimal("37.5"))
    for project in (cast.project_a1, cast.project_a2):
        AllocationFactory(
            person=ada,
            project=project,
            start_date=date(2026, 3, 9),
            finish_date=date(2026, 3, 20),
            percent=60,
        )
    return ada


def load_row(response: Any, person: Person) -> Any:
    [row] = [r for r in response.context["dashboard"].load.rows if r.person == person]
    return row


def test_a_person_booked_60_percent_on_two_projects_in_a_week_shows_120_percent_over_allocated(
    cast: Cast, ada: Person
) -> None:
    response = get_dashboard(cast.client_for(cast.executive), cast.programme_a1)

    row = load_row(response, ada)
    assert [c.monday for c in row.cells[:4]] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]
    assert [(c.hours, c.percent, c.level) for c in row.cells[:4]] == [
        (Decimal(0), 0, "free"),
        (Decimal(45), 120, "over"),
        (Decimal(45), 120, "over"),
        (Decimal(0), 0, "free"),
    ]
    assert all(c.percent == 0 for c in row.cells[3:])
    assert len(row.cells) == 12
    assert row.over_weeks == 2
    html = response.content.decode()
    assert (
        '<td class="load-cell load-over" title="Ada, week of 9 Mar 2026: 45 h booked of 37.5 h '
        '(120%, over-allocated). Project A1 22.5 h; Project A2 22.5 h" '
        'data-level="over">120%<span class="load-flag">over</span></td>'
    ) in html


def test_hours_on_projects_the_viewer_may_not_see_count_but_are_not_named(
    cast: Cast, ada: Person
) -> None:
    response = get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1)

    cell = load_row(response, ada).cells[1]
    assert (cell.percent, cell.is_over) == (120, True)
    assert "Project A2" not in cell.title
    assert cell.title.endswith("Project A1 22.5 h; other work 22.5 h")


def test_load_bands_are_up_to_80_up_to_100_and_over_100_percent(cast: Cast) -> None:
    people = {
        percent: PersonFactory(name=f"At {percent}", user=None, weekly_capacity_hours=40)
        for percent in (80, 81, 100)
    }
    for percent, person in people.items():
        AllocationFactory(
            person=person,
            project=cast.project_a1,
            start_date=date(2026, 3, 2),
            finish_date=date(2026, 3, 6),
            percent=percent,
        )

    response = get_dashboard(cast.client_for(cast.pmo), cast.programme_a1)

    assert {p: load_row(response, person).cells[0].level for p, person in people.items()} == {
        80: "ok",
        81: "full",
        100: "full",
    }


def test_people_booked_only_on_other_programmes_are_not_on_the_heat_map(cast: Cast) -> None:
    AllocationFactory(project=cast.project_a2, start_date=TODAY, finish_date=TODAY)
    response = get_dashboard(cast.client_for(cast.pmo), cast.programme_a1)
    assert response.context["dashboard"].load.rows == []


# Risks -------------------------------------------------------------------------------------


def test_the_risk_heat_map_counts_the_open_risks_of_the_programme_and_its_projects(
    cast: Cast,
) -> None:
    RiskFactory(project=cast.project_a1, probability=3, impact=4)
    RiskFactory(project=cast.project_a1_sibling, probability=3, impact=4)
    RiskFactory(project=None, programme=cast.programme_a1, probability=5, impact=5)
    RiskFactory(
        project=cast.project_a1,
        programme=cast.programme_a1,
        escalated_at=timezone.now(),
        probability=1,
        impact=2,
        status=Risk.Status.MITIGATING,
    )
    RiskFactory(project=cast.project_a1, probability=3, impact=4, status=Risk.Status.CLOSED)
    RiskFactory(project=cast.project_a2, probability=3, impact=4)  # another programme

    response = get_dashboard(cast.client_for(cast.programme_manager), cast.programme_a1)

    matrix = response.context["dashboard"].risk_matrix
    counts = {(c.probability, c.impact): c.count for row in matrix for c in row if c.count}
    assert counts == {(3, 4): 2, (5, 5): 1, (1, 2): 1}
    assert [row[0].probability for row in matrix] == [5, 4, 3, 2, 1]
    assert [cell.impact for cell in matrix[0]] == [1, 2, 3, 4, 5]
    register = f"{reverse('projects:risk-list')}?programme={cast.programme_a1.pk}"
    assert f'<a href="{register}">2</a>' in response.content.decode()


def test_risk_cells_are_banded_by_the_portfolios_thresholds(cast: Cast) -> None:
    HealthPolicy.objects.create(portfolio=cast.portfolio_a, risk_amber_score=6, risk_red_score=15)
    policy = cast.portfolio_a.policy
    matrix = risk_matrix(programme_risks(cast.pmo.user, cast.programme_a1), policy)
    bands = {(c.probability, c.impact): c.band for row in matrix for c in row}
    assert (bands[1, 5], bands[2, 3], bands[3, 5], bands[5, 5]) == (
        "low",
        "medium",
        "high",
        "high",
    )


def test_programme_risks_and_issues_show_the_project_they_were_escalated_from(
    cast: Cast,
) -> None:
    escalated = RiskFactory(
        project=cast.project_a1,
        programme=cast.programme_a1,
        escalated_at=timezone.now(),
        title="Supplier insolvency",
    )
    own = IssueFactory(project=None, programme=cast.programme_a1, title="No sponsor")
    RiskFactory(project=cast.project_a1, title="Not escalated")

    response = get_dashboard(cast.client_for(cast.executive), cast.programme_a1)

    dashboard = response.context["dashboard"]
    assert dashboard.escalated_risks == [escalated]
    assert dashboard.escalated_issues == [own]
    html = response.content.decode()
    assert (
        f'<a href="{cast.project_a1.get_absolute_url()}">Project A1</a> '
        '<span class="badge text-bg-warning">Escalated</span>'
    ) in html
    assert "Not escalated" not in html


# Benefits ----------------------------------------------------------------------------------


def test_the_planned_value_runs_straight_from_the_baseline_to_the_target() -> None:
    line = {
        "baseline": Decimal(100),
        "target": Decimal(200),
        "start": date(2026, 1, 1),
        "target_date": date(2026, 12, 31),
    }
    assert planned_value(**line, on=date(2025, 12, 1)) == Decimal(100)
    assert planned_value(**line, on=date(2026, 7, 2)) == Decimal(150)
    assert planned_value(**line, on=date(2027, 6, 1)) == Decimal(200)


def test_a_benefit_shows_its_planned_value_today_and_how_much_of_the_target_is_realised(
    cast: Cast,
) -> None:
    benefit = Benefit.objects.create(
        programme=cast.programme_a1,
        name="Calls answered online",
        measure="calls",
        baseline=Decimal(100),
        target=Decimal(200),
        target_date=date(2026, 12, 31),
    )
    for day, value in [(date(2026, 1, 1), 110), (date(2026, 7, 1), 140)]:
        BenefitMeasurement.objects.create(benefit=benefit, measured_on=day, value=value)

    [progress] = benefit_progress(cast.programme_a1, today=date(2026, 7, 2))

    assert progress.latest is not None and progress.latest.value == Decimal(140)
    assert progress.planned_today == Decimal(150)
    assert (progress.realised_percent, progress.planned_percent) == (40, 50)
    assert progress.series()["planned"] == [
        {"x": "2026-01-01", "y": 0},
        {"x": "2026-12-31", "y": 100},
    ]
    assert [p["y"] for p in progress.series()["actual"]] == [10.0, 40.0]


def test_a_benefit_that_reduces_a_measure_counts_the_reduction_as_progress(cast: Cast) -> None:
    benefit = Benefit.objects.create(
        programme=cast.programme_a1,
        name="Fewer complaints",
        measure="complaints a month",
        baseline=Decimal(100),
        target=Decimal(50),
        target_date=date(2026, 12, 31),
    )
    BenefitMeasurement.objects.create(benefit=benefit, measured_on=date(2026, 6, 1), value=75)

    [progress] = benefit_progress(cast.programme_a1, today=date(2026, 6, 1))

    assert progress.realised_percent == 50


def test_a_benefit_without_measurements_plans_from_the_programme_start(cast: Cast) -> None:
    cast.programme_a1.start_date = date(2026, 1, 1)
    cast.programme_a1.save()
    Benefit.objects.create(
        programme=cast.programme_a1,
        name="Savings",
        measure="£k",
        target=Decimal(364),
        target_date=date(2026, 12, 31),
    )
    [progress] = benefit_progress(cast.programme_a1, today=date(2026, 1, 31))
    assert (progress.latest, progress.planned_today, progress.realised_percent) == (
        None,
        Decimal(30),
        None,
    )


# Queries -----------------------------------------------------------------------------------


def populate(cast: Cast, projects: int, batch: str = "Q") -> None:
    """A programme with `projects` projects, each with milestones, two people, risks, an
    issue, a report and a dependency on the one before; plus benefits and stakeholders."""
    programme = cast.programme_a1
    created = Project.objects.bulk_create(
        Project(
            portfolio=cast.portfolio_a,
            programme=programme,
            code=f"{batch}{i:03d}",
            name=f"Load {batch}{i}",
            manager=cast.project_manager,
            baseline_start=date(2026, 1, 5) + timedelta(days=7 * i),
            baseline_finish=date(2026, 9, 4) + timedelta(days=7 * i),
            forecast_finish=date(2026, 9, 18) + timedelta(days=7 * i),
        )
        for i in range(projects)
    )
    milestones = Milestone.objects.bulk_create(
        Milestone(project=p, name=f"M{n}", baseline_date=p.baseline_start + timedelta(days=30 * n))
        for p in created
        for n in (1, 2, 3)
    )
    Dependency.objects.bulk_create(
        Dependency(
            upstream=up,
            downstream=down,
            upstream_milestone=milestones[3 * i + 2],
            lag_days=i % 5,
        )
        for i, (up, down) in enumerate(pairwise(created))
    )
    people = Person.objects.bulk_create(
        Person(name=f"Worker {batch}{i}", weekly_capacity_hours=Decimal("37.5"))
        for i in range(projects)
    )
    Allocation.objects.bulk_create(
        Allocation(
            person=people[(i + k) % len(people)],
            project=p,
            start_date=TODAY - timedelta(days=30),
            finish_date=TODAY + timedelta(days=120),
            percent=40,
        )
        for i, p in enumerate(created)
        for k in (0, 1)
    )
    Allocation.objects.bulk_create(  # the same people wanted elsewhere too
        Allocation(
            person=person,
            project=cast.project_a2,
            start_date=TODAY,
            finish_date=TODAY + timedelta(days=30),
            percent=50,
        )
        for person in people
    )
    Risk.objects.bulk_create(
        Risk(project=p, title=f"Risk {p.code}", probability=1 + i % 5, impact=1 + (i * 3) % 5)
        for i, p in enumerate(created)
    )
    Risk.objects.bulk_create(
        Risk(
            project=p,
            programme=programme,
            escalated_at=timezone.now(),
            title=f"Escalated {p.code}",
            probability=4,
            impact=4,
        )
        for p in created[::2]
    )
    Issue.objects.bulk_create(
        Issue(project=p, programme=programme, escalated_at=timezone.now(), title=f"Issue {p.code}")
        for p in created[::3]
    )
    StatusReport.objects.bulk_create(
        StatusReport(
            project=p,
            period_start=date(2026, 2, 23),
            state=StatusReport.State.SUBMITTED,
            submitted_at=timezone.now(),
            overall="amber",
            schedule="green",
            percent_complete=30,
        )
        for p in created
    )
    benefits = Benefit.objects.bulk_create(
        Benefit(
            programme=programme,
            name=f"Benefit {i}",
            measure="things",
            target=Decimal(100),
            target_date=date(2027, 1, 1),
        )
        for i in range(max(1, projects // 10))
    )
    BenefitMeasurement.objects.bulk_create(
        BenefitMeasurement(benefit=b, measured_on=date(2026, m, 1), value=Decimal(10 * m))
        for b in benefits
        for m in (1, 2)
    )
    Stakeholder.objects.bulk_create(
        Stakeholder(programme=programme, name=f"Stakeholder {i}", influence=1 + i % 5, interest=3)
        for i in range(max(1, projects // 10))
    )


def count_queries(client: Client, programme: Programme) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = get_dashboard(client, programme)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("projects", [3, 60])
@pytest.mark.parametrize("role", ["programme_manager", "executive", "pmo"])
def test_the_dashboard_stays_within_its_query_bound_at_any_size(
    cast: Cast, django_assert_max_num_queries: Any, projects: int, role: str
) -> None:
    populate(cast, projects)
    client = cast.client_for(getattr(cast, role))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = get_dashboard(client, cast.programme_a1)
    dashboard = response.context["dashboard"]
    assert len(dashboard.rows) == projects + 2
    assert len(dashboard.load.rows) == projects
    assert len(dashboard.checks) == projects - 1


def test_the_dashboard_runs_the_same_number_of_queries_for_3_and_60_projects(
    cast: Cast,
    settings: Any,
) -> None:
    settings.PAGE_CACHE_SECONDS = 0  # what a render costs (fixtures bulk-create unheard)
    client = cast.client_for(cast.programme_manager)
    populate(cast, 3, batch="S")
    small = count_queries(client, cast.programme_a1)
    populate(cast, 57, batch="L")
    large = count_queries(client, cast.programme_a1)
    assert small == large <= MAX_QUERIES


def test_the_first_response_carries_health_and_loads_the_heavy_panels_on_reveal(
    cast: Cast,
) -> None:
    url = reverse("dashboards:programme", args=[cast.programme_a1.pk])
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        html = cast.client_for(cast.executive).get(url).content.decode()
    assert 'data-testid="health-summary"' in html
    assert 'data-testid="load-grid"' not in html and 'id="roadmap-data"' not in html
    for panel in ("projects", "roadmap", "load", "money", "risks", "benefits", "stakeholders"):
        assert f'hx-get="{url}?panel={panel}" hx-trigger="revealed"' in html


def test_a_panel_loaded_on_reveal_answers_with_that_panel_only(cast: Cast) -> None:
    url = reverse("dashboards:programme", args=[cast.programme_a1.pk])
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False):
        response = cast.client_for(cast.executive).get(
            url, {"panel": "roadmap"}, headers={"HX-Request": "true"}
        )
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="mb-5" aria-labelledby="roadmap-heading">')
    assert 'id="roadmap-data"' in html and 'id="health-summary"' not in html
