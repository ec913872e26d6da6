"""The promise "health is computed, never typed in", as an invariant: after any sequence of
valid writes (through the services, the models and the API) and once the jobs they queued
have run, the stored current health of every project, programme and portfolio equals a
recomputation from scratch, reasons included; and so does every programme card's and
portfolio section's summary (the read models the executive dashboard renders from)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from portfolio.core.periods import Period
from portfolio.health import rollup, summaries
from programmes.models import HealthPolicy, Person, Portfolio, Programme
from projects import services
from projects.models import Dependency, Issue, Milestone, Project, Risk
from projects.reporting import status_report_open, status_report_submit
from tests.factories import (
    AllocationFactory,
    BenefitFactory,
    BenefitMeasurementFactory,
    MilestoneFactory,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.health.jobs import run_queued_jobs

RATINGS = ("green", "amber", "red")
DIMENSIONS = ("schedule", "cost", "scope", "resources", "risk", "overall")


class HealthStaysTrue(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.pmo = Client()
        pmo = PersonFactory(access=Person.Access.PMO)
        assert pmo.user is not None
        self.pmo.force_login(pmo.user)
        portfolio = PortfolioFactory()
        HealthPolicy.objects.create(portfolio=portfolio)
        programmes = [ProgrammeFactory(portfolio=portfolio) for _ in range(2)]
        self.projects = [ProjectFactory(programme=programmes[i % 2]) for i in range(4)]
        self.projects.append(ProjectFactory(programme=None, portfolio=portfolio))
        self.milestones = [MilestoneFactory(project=p) for p in self.projects[:3]]
        self.people = [PersonFactory(user=None) for _ in range(2)]
        self.benefit = BenefitFactory(programme=programmes[0])
        run_queued_jobs()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    # Writes -----------------------------------------------------------------------------

    @rule(which=st.integers(0, 4), overall=st.sampled_from(RATINGS), percent=st.integers(0, 100))
    def submit_a_report(self, which: int, overall: str, percent: int) -> None:
        project = self.projects[which]
        report, _ = status_report_open(
            project=project, period=Period.containing(timezone.localdate()), author=None
        )
        if report.state != report.State.DRAFT:
            return  # this week's is already a record
        changes: dict[str, Any] = {name: "green" for name in DIMENSIONS}
        changes |= {"overall": overall, "percent_complete": percent}
        if overall != "green":
            changes["overall_reason"] = "Because"
        changes["forecast_finish"] = project.baseline_finish + timedelta(days=percent)
        status_report_submit(report=report, version=report.version, changes=changes, author=None)

    @rule(which=st.integers(0, 2), slip=st.integers(-10, 90))
    def move_a_milestone(self, which: int, slip: int) -> None:
        milestone = Milestone.objects.get(pk=self.milestones[which].pk)
        milestone.forecast_date = milestone.baseline_date + timedelta(days=slip)
        milestone.save()

    @rule(which=st.integers(0, 4), probability=st.integers(1, 5), impact=st.integers(1, 5))
    def raise_a_risk(self, which: int, probability: int, impact: int) -> None:
        Risk.objects.create(
            project=self.projects[which],
            title="A risk",
            probability=probability,
            impact=impact,
        )

    @rule()
    def close_the_worst_risk(self) -> None:
        risk = Risk.objects.exclude(status=Risk.Status.CLOSED).order_by("-probability").first()
        if risk is not None:
            risk.status = Risk.Status.CLOSED
            risk.save()

    @rule(which=st.integers(0, 4), days_ago=st.integers(-5, 20))
    def raise_a_severe_issue_through_the_api(self, which: int, days_ago: int) -> None:
        due = timezone.localdate() - timedelta(days=days_ago)
        response = self.pmo.post(
            "/api/v1/issues/",
            {
                "project": self.projects[which].pk,
                "title": "An issue",
                "severity": Issue.Severity.HIGH,
                "due_date": due.isoformat(),
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content

    @rule(which=st.integers(0, 4), days=st.integers(-20, 120))
    def change_a_forecast_through_the_api(self, which: int, days: int) -> None:
        project = Project.objects.get(pk=self.projects[which].pk)
        forecast = project.baseline_finish + timedelta(days=days)
        response = self.pmo.patch(
            f"/api/v1/projects/{project.pk}/",
            {"forecast_finish": forecast.isoformat(), "forecast_at_completion": "300000"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    @rule(rollup_rule=st.sampled_from(HealthPolicy.Rollup.values), red_days=st.integers(30, 90))
    def change_the_policy(self, rollup_rule: str, red_days: int) -> None:
        policy = HealthPolicy.objects.get()
        policy.rollup, policy.schedule_red_days = rollup_rule, red_days
        policy.save()

    @rule(scale=st.sampled_from(Portfolio.RatingScale.values))
    def change_the_rating_scale(self, scale: str) -> None:
        portfolio = Portfolio.objects.get(pk=self.projects[0].portfolio_id)
        portfolio.rating_scale = scale
        portfolio.save()

    @rule(who=st.integers(0, 1), which=st.integers(0, 4), percent=st.integers(10, 100))
    def book_someone(self, who: int, which: int, percent: int) -> None:
        today = timezone.localdate()
        allocation = AllocationFactory.build(
            person=self.people[who],
            project=self.projects[which],
            start_date=today + timedelta(days=7 * who),
            finish_date=today + timedelta(days=40),
            percent=percent,
        )
        try:
            services.allocation_save(allocation=allocation)
        except Exception as refused:  # an overlapping booking is refused, as on the page
            assert "start_date" in str(refused) or "overlap" in str(refused).lower()

    @rule(who=st.integers(0, 1), hours=st.integers(5, 40))
    def change_someones_capacity(self, who: int, hours: int) -> None:
        person = Person.objects.get(pk=self.people[who].pk)
        person.weekly_capacity_hours = Decimal(hours)
        person.save()

    @rule(which=st.integers(0, 3))
    def move_a_project_to_the_other_programme(self, which: int) -> None:
        project = Project.objects.get(pk=self.projects[which].pk)
        other = Programme.objects.filter(portfolio=project.portfolio).exclude(
            pk=project.programme_id
        )
        project.programme = other.first()
        project.save()

    @rule(which=st.integers(0, 4))
    def archive_or_restore_a_project(self, which: int) -> None:
        project = Project.objects.get(pk=self.projects[which].pk)
        if project.is_archived:
            project.restore()
        else:
            project.archive()

    @rule(up=st.integers(0, 2), down=st.integers(3, 4), lag=st.integers(-5, 10))
    def add_a_dependency(self, up: int, down: int, lag: int) -> None:
        upstream, downstream = self.projects[up], self.projects[down]
        if not Dependency.objects.filter(upstream=upstream, downstream=downstream).exists():
            Dependency.objects.create(
                upstream=upstream,
                downstream=downstream,
                upstream_milestone=Milestone.objects.filter(project=upstream).first(),
                lag_days=lag,
            )

    @rule(value=st.integers(0, 100), days=st.integers(0, 300))
    def measure_the_benefit(self, value: int, days: int) -> None:
        day = timezone.localdate() - timedelta(days=days)
        if not self.benefit.measurements.filter(measured_on=day).exists():
            BenefitMeasurementFactory(benefit=self.benefit, measured_on=day, value=value)

    @rule(which=st.integers(0, 4), budget=st.integers(0, 900), spend=st.integers(0, 900))
    def change_the_money_of_a_project(self, which: int, budget: int, spend: int) -> None:
        project = Project.objects.get(pk=self.projects[which].pk)
        project.budget, project.spend_to_date = Decimal(budget * 1000), Decimal(spend * 1000)
        project.save()

    @rule(which=st.integers(0, 1), goal=st.integers(1, 200))
    def add_a_benefit(self, which: int, goal: int) -> None:
        programme = Programme.objects.order_by("pk")[which]
        BenefitMeasurementFactory(benefit=BenefitFactory(programme=programme, target=goal))

    # The promise ----------------------------------------------------------------------

    @invariant()
    def stored_health_equals_a_recomputation_from_scratch(self) -> None:
        run_queued_jobs()
        assert rollup.stale_subjects() == []

    @invariant()
    def every_dashboard_summary_equals_a_fresh_computation(self) -> None:
        run_queued_jobs()
        assert summaries.stale_programme_summaries() == []
        assert summaries.stale_portfolio_summaries() == []


@pytest.mark.django_db
def test_stored_health_always_equals_a_recomputation_from_scratch() -> None:
    run_state_machine_as_test(
        HealthStaysTrue,
        settings=settings(
            max_examples=20,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
