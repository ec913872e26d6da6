"""Each rule once: "overdue" (Issue, Milestone), and the pages and health that use it
agreeing about the same issue or milestone."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from portfolio.dashboards.executive import overview
from projects.models import Issue, Milestone
from tests.conftest import Cast
from tests.factories import IssueFactory, MilestoneFactory

TODAY = date(2026, 3, 2)  # a Monday


def on_day(day: date) -> Any:
    """Freeze the clock at noon of `day` (the pages ask timezone.localdate())."""
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC), tick=False)


def get(client: Client, url: str, day: date = TODAY) -> Any:
    with on_day(day):
        return client.get(url)


# Overdue -----------------------------------------------------------------------------------


def test_an_issue_past_its_due_date_is_overdue(cast: Cast) -> None:
    issue = IssueFactory(project=cast.project_a1, due_date=TODAY - timedelta(days=1))
    assert issue.is_overdue(TODAY)


def test_an_issue_due_today_is_not_overdue_yet(cast: Cast) -> None:
    issue = IssueFactory(project=cast.project_a1, due_date=TODAY)
    assert not issue.is_overdue(TODAY)


def test_a_closed_issue_is_never_overdue(cast: Cast) -> None:
    issue = IssueFactory(
        project=cast.project_a1, due_date=TODAY - timedelta(days=9), status=Issue.Status.CLOSED
    )
    assert not issue.is_overdue(TODAY)


def test_an_issue_without_a_due_date_is_never_overdue(cast: Cast) -> None:
    assert not IssueFactory(project=cast.project_a1, due_date=None).is_overdue(TODAY)


def test_overdue_issues_of_a_table_are_those_overdue_one_by_one(cast: Cast) -> None:
    for due, status in [
        (TODAY - timedelta(days=1), Issue.Status.OPEN),
        (TODAY - timedelta(days=1), Issue.Status.IN_PROGRESS),
        (TODAY - timedelta(days=1), Issue.Status.CLOSED),
        (TODAY, Issue.Status.OPEN),
        (None, Issue.Status.OPEN),
    ]:
        IssueFactory(project=cast.project_a1, due_date=due, status=status)
    one_by_one = {i.pk for i in Issue.objects.all() if i.is_overdue(TODAY)}
    assert set(Issue.objects.overdue(TODAY).values_list("pk", flat=True)) == one_by_one
    assert len(one_by_one) == 2


def test_a_milestone_past_its_forecast_without_an_actual_date_is_overdue(cast: Cast) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        forecast_date=TODAY - timedelta(days=1),
    )
    assert milestone.is_overdue(TODAY)


def test_a_milestone_forecast_for_later_is_not_overdue_though_its_baseline_passed(
    cast: Cast,
) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        forecast_date=TODAY + timedelta(days=10),
    )
    assert not milestone.is_overdue(TODAY)


def test_a_milestone_without_a_forecast_is_overdue_after_its_baseline(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, baseline_date=TODAY - timedelta(days=1))
    assert milestone.is_overdue(TODAY)


def test_a_reached_milestone_is_never_overdue(cast: Cast) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        baseline_date=TODAY - timedelta(days=30),
        actual_date=TODAY - timedelta(days=20),
    )
    assert not milestone.is_overdue(TODAY)


def test_overdue_milestones_of_a_table_are_those_overdue_one_by_one(cast: Cast) -> None:
    earlier, later = TODAY - timedelta(days=5), TODAY + timedelta(days=5)
    for forecast, actual in [(earlier, None), (later, None), (None, None), (earlier, earlier)]:
        MilestoneFactory(
            project=cast.project_a1,
            baseline_date=earlier,
            forecast_date=forecast,
            actual_date=actual,
        )
    one_by_one = {m.pk for m in Milestone.objects.all() if m.is_overdue(TODAY)}
    assert set(Milestone.objects.overdue(TODAY).values_list("pk", flat=True)) == one_by_one
    assert len(one_by_one) == 2


def test_the_programme_dashboard_and_the_programme_page_flag_the_same_overdue_issue(
    cast: Cast,
) -> None:
    for title, due in [("Late", TODAY - timedelta(days=1)), ("Due today", TODAY)]:
        IssueFactory(programme=cast.programme_a1, project=None, title=title, due_date=due)
    pmo = cast.client_for(cast.pmo)
    overdue = '<span class="badge text-bg-danger">Overdue</span>'

    pages = [
        get(pmo, reverse("dashboards:programme", args=[cast.programme_a1.pk])),
        get(pmo, cast.programme_a1.get_absolute_url()),
    ]

    for page in pages:
        html = page.content.decode()
        assert html.count(overdue) == 1
        assert html.index(overdue) > html.index(">Late<")


def test_an_overdue_milestone_is_flagged_on_its_project_page(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1, name="Go live", baseline_date=TODAY)
    page = get(cast.client_for(cast.pmo), cast.project_a1.get_absolute_url(), TODAY + timedelta(1))
    assert '<span class="badge text-bg-danger">Overdue</span>' in page.content.decode()


def test_upcoming_milestones_are_those_expected_in_the_next_45_days(cast: Cast) -> None:
    soon, later = TODAY + timedelta(days=10), TODAY + timedelta(days=60)
    for name, baseline, forecast in [
        ("Slipped out", soon, later),  # baseline soon, but now expected later
        ("Slipped in", TODAY - timedelta(days=5), soon),  # baseline passed, expected soon
        ("On plan", soon, None),
        ("Overdue", TODAY - timedelta(days=5), None),
    ]:
        MilestoneFactory(
            project=cast.project_a1, name=name, baseline_date=baseline, forecast_date=forecast
        )
    with on_day(TODAY):
        names = {m.name for m in overview(cast.pmo.user).milestones}
    assert names == {"Slipped in", "On plan"}
