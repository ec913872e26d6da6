"""The registry of health inputs names every table the health rules read, and every write
to one of them asks for the recomputation of the subjects it affects."""

import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portfolio.core.periods import Period
from portfolio.health import rollup
from portfolio.health.inputs import input_tables
from portfolio.health.models import (
    HealthRequest,
    PortfolioHealth,
    PortfolioSummary,
    ProgrammeHealth,
    ProgrammeSummary,
    ProjectHealth,
)
from programmes.models import HealthPolicy
from projects.models import Dependency
from projects.reporting import status_report_open, status_report_save
from tests.conftest import Cast
from tests.factories import (
    AllocationFactory,
    BenefitFactory,
    BenefitMeasurementFactory,
    IssueFactory,
    MilestoneFactory,
    PersonFactory,
    ProjectFactory,
    RiskFactory,
)

TODAY = date(2026, 11, 18)
# What the roll-up reads besides its inputs: its own records and requests.
# What the roll-up writes (and reads back to compare): records, requests and the dashboard
# summaries, none of them an input.
OWN_TABLES = {
    model._meta.db_table
    for model in (
        ProjectHealth,
        ProgrammeHealth,
        PortfolioHealth,
        HealthRequest,
        ProgrammeSummary,
        PortfolioSummary,
    )
}
_TABLE = re.compile(r'(?:FROM|JOIN)\s+"([a-z_0-9]+)"', re.IGNORECASE)


def _pending(subject: str) -> set[int]:
    return set(HealthRequest.objects.filter(subject=subject).values_list("subject_id", flat=True))


def _forget_requests() -> None:
    HealthRequest.objects.all().delete()


def test_the_rules_read_no_table_the_registry_does_not_name(cast: Cast) -> None:
    MilestoneFactory(project=cast.project_a1)
    RiskFactory(project=cast.project_a1)
    RiskFactory(project=None, programme=cast.programme_a1)
    IssueFactory(project=cast.project_a1)
    AllocationFactory(project=cast.project_a1)
    BenefitMeasurementFactory(benefit=BenefitFactory(programme=cast.programme_a1))
    Dependency.objects.create(upstream=cast.project_a1_sibling, downstream=cast.project_a1)
    with CaptureQueriesContext(connection) as queries:
        rollup.recompute_everything(TODAY)
        rollup.recompute("project", cast.project_a1.pk, TODAY)
        rollup.recompute("programme", cast.programme_a1.pk, TODAY)
        rollup.recompute("portfolio", cast.portfolio_a.pk, TODAY)
    read = {table for query in queries for table in _TABLE.findall(query["sql"])}
    assert read - OWN_TABLES <= input_tables(), read - OWN_TABLES - input_tables()
    assert {"projects_milestone", "programmes_benefitmeasurement"} <= read


def test_moving_a_milestone_asks_for_its_project_and_the_projects_downstream(cast: Cast) -> None:
    Dependency.objects.create(upstream=cast.project_a1, downstream=cast.project_a2)
    milestone = MilestoneFactory(project=cast.project_a1)
    _forget_requests()
    milestone.forecast_date = milestone.baseline_date + timedelta(days=40)
    milestone.save()
    assert {cast.project_a1.pk, cast.project_a2.pk} <= _pending("project")


def test_moving_a_project_to_another_programme_asks_for_both_programmes(cast: Cast) -> None:
    _forget_requests()
    project = cast.project_a1
    project.programme = cast.programme_a2
    project.save()
    assert {cast.programme_a1.pk, cast.programme_a2.pk} <= _pending("programme")
    assert project.pk in _pending("project")


def test_archiving_a_project_asks_for_it_and_its_programme(cast: Cast) -> None:
    _forget_requests()
    cast.project_a1.archive()
    assert cast.project_a1.pk in _pending("project")
    assert cast.programme_a1.pk in _pending("programme")


def test_a_booking_asks_for_every_programme_the_person_is_booked_in(cast: Cast) -> None:
    person = PersonFactory()
    AllocationFactory(person=person, project=cast.project_b1)
    _forget_requests()
    AllocationFactory(person=person, project=cast.project_a1)
    assert {cast.programme_a1.pk, cast.programme_b1.pk} <= _pending("programme")


def test_a_persons_capacity_change_asks_for_the_programmes_booking_them(cast: Cast) -> None:
    person = PersonFactory()
    AllocationFactory(person=person, project=cast.project_b1)
    _forget_requests()
    person.weekly_capacity_hours = 10
    person.save()
    assert _pending("programme") == {cast.programme_b1.pk}


def test_a_policy_change_asks_for_every_subject_of_its_portfolio(cast: Cast) -> None:
    policy, _ = HealthPolicy.objects.get_or_create(portfolio=cast.portfolio_a)
    _forget_requests()
    policy.rollup = HealthPolicy.Rollup.BUDGET_WEIGHTED
    policy.save()
    assert cast.portfolio_a.pk in _pending("portfolio")
    assert {cast.programme_a1.pk, cast.programme_a2.pk} <= _pending("programme")
    assert {cast.project_a1.pk, cast.project_a2.pk} <= _pending("project")
    assert cast.project_b1.pk not in _pending("project")


def test_closing_a_risk_and_deleting_an_issue_ask_for_their_project(cast: Cast) -> None:
    risk, issue = RiskFactory(project=cast.project_a1), IssueFactory(project=cast.project_b1)
    _forget_requests()
    risk.status = risk.Status.CLOSED
    risk.save()
    issue.delete()
    assert {cast.project_a1.pk, cast.project_b1.pk} <= _pending("project")


def test_a_benefit_measurement_asks_for_its_programme(cast: Cast) -> None:
    benefit = BenefitFactory(programme=cast.programme_b1)
    _forget_requests()
    BenefitMeasurementFactory(benefit=benefit)
    assert _pending("programme") == {cast.programme_b1.pk}


def test_a_draft_autosave_asks_for_nothing(cast: Cast) -> None:
    report, _ = status_report_open(
        project=ProjectFactory(), period=Period.containing(TODAY), author=None
    )
    _forget_requests()
    status_report_save(
        report=report, version=report.version, changes={"accomplishments": "x"}, author=None
    )
    assert not HealthRequest.objects.exists()
