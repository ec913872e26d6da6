"""The health engine: rules with reasons, roll-up project → programme → portfolio,
idempotent and concurrent recomputation, coalesced requests, the broker-down sweep."""

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from portfolio.core.pagecache import move_pending
from portfolio.health import rollup
from portfolio.health.models import HealthRequest, PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.health.requests import health_request, health_sweep
from programmes.models import HealthPolicy
from projects.models import Issue, StatusReport
from tests.conftest import Cast
from tests.factories import (
    GREEN,
    AllocationFactory,
    DependencyFactory,
    IssueFactory,
    MilestoneFactory,
    ProjectFactory,
    RiskFactory,
)

TODAY = date(2026, 11, 20)


def _report(project, **fields) -> StatusReport:  # type: ignore[no-untyped-def]
    values = {**GREEN, "percent_complete": 50, **fields}
    return StatusReport.objects.create(
        project=project,
        period_start=date(2026, 11, 16),
        state="submitted",
        submitted_at=timezone.make_aware(datetime(2026, 11, 19, 12)),
        **values,
    )


def _health(project) -> ProjectHealth:  # type: ignore[no-untyped-def]
    rollup.recompute_projects([project.pk], TODAY)
    return ProjectHealth.objects.get(project=project, is_current=True)


def _rules(record) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r["rule"]: r["rating"] for r in record.reasons}


def test_a_green_report_with_green_data_is_green(cast: Cast) -> None:
    project = cast.project_a1
    _report(project)
    health = _health(project)
    assert (health.overall, health.reported, health.gap) == ("green", "green", False)


def test_forecast_slippage_beyond_the_red_threshold_is_red_with_its_reason(cast: Cast) -> None:
    project = cast.project_a1
    project.forecast_finish = project.baseline_finish + timedelta(days=45)
    project.save()
    _report(project)
    health = _health(project)
    assert health.overall == "red"
    assert health.dimensions["schedule"] == {
        "reported": "green",
        "computed": "red",
        "rating": "red",
    }
    reason = next(r for r in health.reasons if r["rule"] == "schedule.slippage")
    assert reason["observed"] == "45 days" and "red from 30" in reason["threshold"]
    assert health.gap  # the manager said green, the data says red


def test_milestone_slippage_counts_as_schedule(cast: Cast) -> None:
    MilestoneFactory(
        project=cast.project_a1,
        name="Go live",
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 6, 20),
    )
    _report(cast.project_a1)
    reason = next(r for r in _health(cast.project_a1).reasons if r["rule"] == "schedule.slippage")
    assert reason["rating"] == "amber" and "Go live" in reason["message"]


def test_cost_overrun_is_graded_against_the_policy(cast: Cast) -> None:
    project = cast.project_a1
    project.forecast_at_completion = project.budget * Decimal("1.07")
    project.save()
    _report(project)
    assert _rules(_health(project))["cost.overrun"] == "amber"


def test_an_unknown_budget_cannot_make_cost_red_and_the_reason_says_it_is_unknown(
    cast: Cast,
) -> None:
    project = cast.project_a1
    project.budget = None
    project.forecast_at_completion = Decimal("900000000")
    project.save()
    _report(project)
    health = _health(project)
    assert health.dimensions["cost"]["computed"] is None
    assert "cost.overrun" not in _rules(health)
    [reason] = [r for r in health.reasons if r["rule"] == "cost.budget_unknown"]
    assert reason["rating"] == "" and reason["message"].startswith("Budget unknown")


def test_open_high_risks_and_overdue_severe_issues_make_risk_red(cast: Cast) -> None:
    _report(cast.project_a1)
    RiskFactory(project=cast.project_a1, probability=5, impact=4)
    IssueFactory(
        project=cast.project_a1,
        severity=Issue.Severity.CRITICAL,
        due_date=TODAY - timedelta(days=3),
    )
    rules = _rules(_health(cast.project_a1))
    assert rules["risk.score"] == "red" and rules["issue.overdue"] == "red"


def test_a_closed_risk_does_not_count(cast: Cast) -> None:
    _report(cast.project_a1)
    RiskFactory(project=cast.project_a1, probability=5, impact=5, status="closed")
    assert _health(cast.project_a1).overall == "green"


def test_stale_reporting_turns_amber_then_red(cast: Cast) -> None:
    report = _report(cast.project_a1)
    report.submitted_at = timezone.make_aware(datetime(2026, 11, 1, 12))
    report.save()
    assert _rules(_health(cast.project_a1))["reporting.stale"] == "amber"
    report.submitted_at = timezone.make_aware(datetime(2026, 10, 20, 12))
    report.save()
    assert _rules(_health(cast.project_a1))["reporting.stale"] == "red"


def test_a_late_upstream_project_is_a_dependency_reason(cast: Cast) -> None:
    upstream = cast.project_a1_sibling
    upstream.forecast_finish = date(2027, 1, 31)
    upstream.save()
    downstream = ProjectFactory(
        programme=cast.programme_a1,
        baseline_start=date(2027, 1, 1),
        baseline_finish=date(2027, 12, 1),
    )
    DependencyFactory(upstream=upstream, downstream=downstream, lag_days=5)
    _report(downstream)
    health = _health(downstream)
    reason = next(r for r in health.reasons if r["rule"] == "dependency.late")
    assert reason["observed"] == "35 days"  # 30 days after it is needed, plus 5 days' lag
    assert health.dimensions["dependencies"]["rating"] == "red"  # red from 30 days


def test_recomputing_twice_stores_one_record(cast: Cast) -> None:
    _report(cast.project_a1)
    rollup.recompute_projects([cast.project_a1.pk], TODAY)
    assert rollup.recompute_projects([cast.project_a1.pk], TODAY) == 0
    assert ProjectHealth.objects.filter(project=cast.project_a1).count() == 1


def test_a_change_appends_a_snapshot_and_keeps_the_old_one(cast: Cast) -> None:
    _report(cast.project_a1)
    first = _health(cast.project_a1)
    RiskFactory(project=cast.project_a1, probability=5, impact=5)
    second = _health(cast.project_a1)
    first.refresh_from_db()
    assert (first.is_current, first.overall, second.overall) == (False, "green", "red")


def test_programme_rolls_up_its_projects_by_the_portfolio_policy(cast: Cast) -> None:
    HealthPolicy.objects.create(
        portfolio=cast.portfolio_a, rollup="red_share", red_share_percent=50
    )
    _report(cast.project_a1, overall="red", overall_reason="Blocked")
    _report(cast.project_a1_sibling)
    rollup.recompute_projects(None, TODAY)
    rollup.recompute_programmes([cast.programme_a1.pk], TODAY)
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    assert health.dimensions["projects"]["rating"] == "red"  # 1 of 2 red ≥ 50%
    assert "red when 50% are red" in health.reasons[0]["message"]


def test_people_booked_beyond_capacity_make_the_programme_amber(cast: Cast) -> None:

    person = cast.outsider
    for project in (cast.project_a1, cast.project_a2):
        AllocationFactory(
            person=person,
            project=project,
            start_date=TODAY - timedelta(days=7),
            finish_date=TODAY + timedelta(days=60),
            percent=70,
        )
    rollup.recompute_programmes([cast.programme_a1.pk], TODAY)
    health = ProgrammeHealth.objects.get(programme=cast.programme_a1, is_current=True)
    assert health.dimensions["resources"]["rating"] == "amber"
    assert any("140%" in r["message"] for r in health.reasons)


def test_portfolio_rolls_up_programmes_and_standalone_projects(cast: Cast) -> None:
    standalone = ProjectFactory(programme=None, portfolio=cast.portfolio_a, name="Solo")
    _report(standalone, overall="red", overall_reason="Stopped")
    rollup.recompute_everything(TODAY)
    health = PortfolioHealth.objects.get(portfolio=cast.portfolio_a, is_current=True)
    assert health.overall == "red" and "Solo" in health.reasons[0]["message"]


def test_the_portfolio_reason_counts_standalone_projects_apart_from_programmes(
    cast: Cast,
) -> None:
    standalone = ProjectFactory(programme=None, portfolio=cast.portfolio_a, name="Solo")
    _report(standalone, overall="red", overall_reason="Stopped")
    rollup.recompute_everything(TODAY)
    health = PortfolioHealth.objects.get(portfolio=cast.portfolio_a, is_current=True)
    programmes = cast.portfolio_a.programmes.active().count()
    assert health.reasons[0]["message"].startswith(
        f"{programmes} programmes and 1 standalone project: "
    )


def test_ten_requests_for_one_programme_send_one_job(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    HealthRequest.objects.all().delete()  # the cast's own creation asked for health
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(10):
            health_request(subject="programme", subject_id=cast.programme_a1.pk)
    assert len([hook for hook in callbacks if hook is not move_pending]) == 1
    assert HealthRequest.objects.get().generation == 10
    assert rollup.recompute_requested("programme", cast.programme_a1.pk, TODAY)
    assert not rollup.recompute_requested("programme", cast.programme_a1.pk, TODAY)


def test_a_request_made_while_the_job_computes_keeps_the_mark_and_resends_the_job(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    health_request(subject="project", subject_id=cast.project_a1.pk)
    real_recompute = rollup.recompute

    def recompute_while_someone_writes(subject: str, subject_id: int, today: object) -> None:
        health_request(subject="project", subject_id=cast.project_a1.pk)
        real_recompute(subject, subject_id, TODAY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rollup.recompute = recompute_while_someone_writes  # type: ignore[assignment]
        try:
            assert rollup.recompute_requested("project", cast.project_a1.pk, TODAY)
        finally:
            rollup.recompute = real_recompute  # type: ignore[assignment]
    assert HealthRequest.objects.filter(subject="project", subject_id=cast.project_a1.pk).exists()
    assert any(hook is not move_pending for hook in callbacks)


def test_a_job_that_fails_leaves_its_request_for_the_retry(cast: Cast) -> None:
    health_request(subject="project", subject_id=cast.project_a1.pk)
    real_store = rollup._store

    def failing_store(*args: object, **kwargs: object) -> int:
        raise DatabaseError("the server closed the connection")

    rollup._store = failing_store  # type: ignore[assignment]
    try:
        with pytest.raises(DatabaseError):
            rollup.recompute_requested("project", cast.project_a1.pk, TODAY)
    finally:
        rollup._store = real_store  # type: ignore[assignment]
    assert HealthRequest.objects.filter(subject="project", subject_id=cast.project_a1.pk).exists()
    assert rollup.recompute_requested("project", cast.project_a1.pk, TODAY)
    assert not HealthRequest.objects.filter(
        subject="project", subject_id=cast.project_a1.pk
    ).exists()


def test_a_health_request_is_sent_only_when_the_transaction_commits(
    db: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        health_request(subject="project", subject_id=1)
        assert HealthRequest.objects.count() == 1  # the pending mark is part of the write
    jobs = [hook for hook in callbacks if hook is not move_pending]  # not the page cache's
    assert len(jobs) == 1  # the job itself leaves after commit


def test_the_sweep_resends_requests_whose_job_never_left(cast: Cast, settings) -> None:
    HealthRequest.objects.all().delete()  # the cast's own creation asked for health
    HealthRequest.objects.create(
        subject="project",
        subject_id=cast.project_a1.pk,
        requested_at=timezone.now() - timedelta(minutes=5),
    )
    from portfolio.celery import app

    app.conf.task_always_eager = True  # the resent job runs here, as the quick start does
    try:
        assert health_sweep() == 1
    finally:
        app.conf.task_always_eager = False
    assert ProjectHealth.objects.filter(project=cast.project_a1, is_current=True).exists()
    assert not HealthRequest.objects.filter(
        subject="project", subject_id=cast.project_a1.pk
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_recomputing_at_once_store_one_record(cast: Cast) -> None:
    _report(cast.project_a1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            rollup.recompute_projects([cast.project_a1.pk], TODAY)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert ProjectHealth.objects.filter(project=cast.project_a1).count() == 1


def test_the_health_api_refuses_a_filter_on_a_project_the_user_cannot_see(cast: Cast) -> None:
    rollup.recompute_everything(TODAY)
    client = cast.client_for(cast.other_project_manager)
    unseen = client.get("/api/v1/health/projects/", {"project": cast.project_a1.pk})
    seen = client.get("/api/v1/health/projects/", {"project": cast.project_b1.pk})
    assert unseen.status_code == 400 and "project" in unseen.json()
    assert seen.status_code == 200 and seen.json()["count"] >= 1
