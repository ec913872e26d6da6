"""Per-row rules in model clean(): errors keyed by the field a form shows them next to.

Each test also checks the error is the only one raised: the database constraint backing the
same rule must not add a second, non-field copy of it.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.forms import modelform_factory
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.models import Dependency, Issue, Milestone, Project, Risk
from tests.conftest import errors_of
from tests.factories import (
    AllocationFactory,
    IssueFactory,
    MilestoneFactory,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
)

pytestmark = pytest.mark.django_db

ESCALATED_AT = timezone.make_aware(datetime(2026, 3, 2, 9, 0))


# Projects ---------------------------------------------------------------------------


def unsaved_project(**fields: Any) -> Project:
    """A project as a form would build it: unsaved, in a saved programme and portfolio."""
    return ProjectFactory.build(programme=ProgrammeFactory(), **fields)


def test_a_project_finishing_before_it_starts_is_refused_on_its_baseline_finish() -> None:
    project = unsaved_project(baseline_start=date(2026, 5, 1), baseline_finish=date(2026, 4, 1))
    assert errors_of(project) == {
        "baseline_finish": ["The baseline finish cannot be before the baseline start (1 May 2026)."]
    }


def test_a_project_may_finish_on_the_day_it_starts() -> None:
    unsaved_project(baseline_start=date(2026, 5, 1), baseline_finish=date(2026, 5, 1)).full_clean()


def test_a_forecast_finish_before_the_baseline_start_is_refused_on_the_forecast_finish() -> None:
    project = unsaved_project(baseline_start=date(2026, 5, 1), forecast_finish=date(2026, 4, 30))
    assert errors_of(project) == {
        "forecast_finish": ["The forecast finish cannot be before the baseline start (1 May 2026)."]
    }


def test_a_project_may_leave_its_start_and_budget_unknown() -> None:
    project = unsaved_project(baseline_start=None, budget=None, forecast_finish=date(2026, 4, 1))
    project.full_clean()
    project.save()  # the database's checks hold for an unknown start and budget too
    project.refresh_from_db()
    assert (project.baseline_start, project.budget) == (None, None)


def test_projects_totals_leave_unknown_budgets_out_and_count_them() -> None:
    programme = ProgrammeFactory()
    ProjectFactory(programme=programme, budget=Decimal(100))
    ProjectFactory(programme=programme, budget=None)
    unknown_only = ProjectFactory(budget=None).programme_id
    totals = Project.objects.totals_by("programme")
    assert (totals[programme.pk].budget, totals[programme.pk].unknown_budgets) == (100, 1)
    assert (totals[unknown_only].budget, totals[unknown_only].unknown_budgets) == (None, 1)


def test_a_project_in_a_programme_of_another_portfolio_is_refused_on_its_programme() -> None:
    elsewhere = ProgrammeFactory(name="Borders", portfolio=PortfolioFactory(name="Home Office"))
    project = ProjectFactory.build(programme=elsewhere, portfolio=PortfolioFactory(name="Treasury"))
    assert errors_of(project) == {
        "programme": ["Borders is in the Home Office portfolio; choose a programme of Treasury."]
    }


def test_a_standalone_project_needs_no_programme() -> None:
    ProjectFactory.build(programme=None, portfolio=PortfolioFactory()).full_clean()


def test_a_project_form_shows_the_date_error_next_to_the_field_and_nowhere_else() -> None:
    programme = ProgrammeFactory()
    form_class = modelform_factory(
        Project,
        fields=["portfolio", "programme", "code", "name", "baseline_start", "baseline_finish"],
    )
    form = form_class(
        data={
            "portfolio": programme.portfolio.pk,
            "programme": programme.pk,
            "code": "PAY",
            "name": "Payments",
            "baseline_start": "2026-05-01",
            "baseline_finish": "2026-04-01",
        }
    )
    assert not form.is_valid()
    assert form.errors == {
        "baseline_finish": ["The baseline finish cannot be before the baseline start (1 May 2026)."]
    }


# Milestones ---------------------------------------------------------------------------


def test_a_milestone_needs_a_baseline_date() -> None:
    milestone = Milestone(project=ProjectFactory(), name="Go live")
    assert set(errors_of(milestone)) == {"baseline_date"}


def test_a_milestone_may_be_forecast_and_delivered_before_its_baseline() -> None:
    # Early delivery is good news, not an error; and an actual date is not checked against
    # today, so a report can be corrected after the fact.
    MilestoneFactory.build(
        project=ProjectFactory(),
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 5, 1),
        actual_date=date(2026, 5, 4),
    ).full_clean()


# Allocations ---------------------------------------------------------------------------


def test_a_booking_finishing_before_it_starts_is_refused_on_its_finish_date() -> None:
    booking = AllocationFactory.build(
        project=ProjectFactory(),
        person=PersonFactory(user=None),
        start_date=date(2026, 3, 1),
        finish_date=date(2026, 2, 1),
    )
    assert errors_of(booking) == {"finish_date": ["The booking cannot finish before it starts."]}


def test_a_booking_needs_a_percentage_or_hours_per_week() -> None:
    booking = AllocationFactory.build(
        project=ProjectFactory(), person=PersonFactory(user=None), percent=None
    )
    assert errors_of(booking) == {"percent": ["Give a percentage or hours per week."]}


def test_a_booking_cannot_have_both_a_percentage_and_hours_per_week() -> None:
    booking = AllocationFactory.build(
        project=ProjectFactory(),
        person=PersonFactory(user=None),
        percent=50,
        hours_per_week=Decimal(10),
    )
    assert errors_of(booking) == {"percent": ["Give a percentage or hours per week, not both."]}


def test_a_booking_overlapping_another_of_the_same_person_on_the_project_names_its_dates() -> None:
    first = AllocationFactory(
        person=PersonFactory(name="Ada", user=None),
        start_date=date(2026, 1, 1),
        finish_date=date(2026, 3, 31),
    )
    second = AllocationFactory.build(
        person=first.person,
        project=first.project,
        start_date=date(2026, 3, 31),
        finish_date=date(2026, 6, 30),
    )
    assert errors_of(second) == {
        "start_date": ["Ada is already booked on this project from 1 Jan 2026 to 31 Mar 2026."]
    }


def test_bookings_back_to_back_or_on_another_project_do_not_overlap() -> None:
    first = AllocationFactory(start_date=date(2026, 1, 1), finish_date=date(2026, 3, 31))
    AllocationFactory.build(
        person=first.person,
        project=first.project,
        start_date=date(2026, 4, 1),
        finish_date=date(2026, 6, 30),
    ).full_clean()
    AllocationFactory.build(
        person=first.person,
        project=ProjectFactory(),
        start_date=date(2026, 2, 1),
        finish_date=date(2026, 2, 28),
    ).full_clean()


def test_a_saved_booking_does_not_overlap_itself() -> None:
    booking = AllocationFactory(start_date=date(2026, 1, 1), finish_date=date(2026, 3, 31))
    booking.finish_date = date(2026, 4, 30)
    booking.full_clean()


def test_weekly_hours_are_a_share_of_capacity_or_the_hours_given() -> None:
    person = PersonFactory(user=None, weekly_capacity_hours=Decimal("37.5"))
    assert AllocationFactory.build(person=person, percent=40).weekly_hours() == Decimal(15)
    by_hours = AllocationFactory.build(person=person, percent=None, hours_per_week=Decimal(12))
    assert by_hours.weekly_hours() == Decimal(12)


# Dependencies ---------------------------------------------------------------------------


def test_a_project_depending_on_itself_is_refused_on_downstream() -> None:
    project = ProjectFactory()
    assert errors_of(Dependency(upstream=project, downstream=project)) == {
        "downstream": ["A project cannot depend on itself."]
    }


def test_an_upstream_milestone_of_another_project_is_refused() -> None:
    upstream, downstream = ProjectFactory(name="Payments"), ProjectFactory(name="Accounts")
    elsewhere = MilestoneFactory(name="API live", project=ProjectFactory(name="Identity"))
    dependency = Dependency(upstream=upstream, downstream=downstream, upstream_milestone=elsewhere)
    assert errors_of(dependency) == {
        "upstream_milestone": [
            "API live is a milestone of Identity, not of the upstream project Payments."
        ]
    }


def test_a_downstream_milestone_of_another_project_is_refused() -> None:
    upstream, downstream = ProjectFactory(name="Payments"), ProjectFactory(name="Accounts")
    wrong_side = MilestoneFactory(name="Integration start", project=upstream)
    dependency = Dependency(
        upstream=upstream, downstream=downstream, downstream_milestone=wrong_side
    )
    assert errors_of(dependency) == {
        "downstream_milestone": [
            "Integration start is a milestone of Payments, not of the downstream project Accounts."
        ]
    }


def test_milestones_of_their_own_projects_are_accepted() -> None:
    upstream, downstream = ProjectFactory(), ProjectFactory()
    Dependency(
        upstream=upstream,
        downstream=downstream,
        upstream_milestone=MilestoneFactory(project=upstream),
        downstream_milestone=MilestoneFactory(project=downstream),
    ).full_clean()


def test_a_dependency_on_a_start_that_is_unknown_is_not_counted_late_or_on_time() -> None:
    no_start = ProjectFactory(baseline_start=None)
    known = ProjectFactory()
    needs_start = Dependency(upstream=known, downstream=no_start)  # finish to start
    from_start = Dependency(upstream=no_start, downstream=known, kind="ss")
    assert (needs_start.needed_on(), needs_start.days_late()) == (None, None)
    assert (from_start.ready_on(), from_start.days_late()) == (None, None)
    finish_to_finish = Dependency(upstream=known, downstream=no_start, kind="ff")
    assert finish_to_finish.days_late() == 0  # both finishes are known


@settings(max_examples=300, deadline=None)
@given(
    needed=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    lag=st.integers(min_value=-30, max_value=30),
    offset=st.integers(min_value=-60, max_value=60),
)
def test_ready_by_is_the_last_working_day_on_time_by_the_days_late_rule(
    needed: date, lag: int, offset: int
) -> None:
    # The dashboard's "ready by" and "days late" must never disagree, weekends included.
    ready = needed + timedelta(days=offset)
    dependency = Dependency(
        upstream=Project(baseline_finish=ready),
        downstream=Project(baseline_start=needed, baseline_finish=needed),
        lag_days=lag,
    )
    ready_by = dependency.ready_by()
    assert ready_by is not None and ready_by.weekday() < 5
    if ready.weekday() < 5:
        is_late = (dependency.days_late() or 0) > 0
        assert is_late == (ready > ready_by)


def test_the_same_pair_twice_is_refused_on_upstream() -> None:
    upstream, downstream = ProjectFactory(name="Payments"), ProjectFactory(name="Accounts")
    Dependency.objects.create(upstream=upstream, downstream=downstream)
    assert errors_of(Dependency(upstream=upstream, downstream=downstream)) == {
        "upstream": ["Accounts already depends on Payments."]
    }


# Risks and issues -----------------------------------------------------------------------

RegisterModel = type[Risk] | type[Issue]
Factory = type[RiskFactory] | type[IssueFactory]

register_models = pytest.mark.parametrize(
    "model, factory", [(Risk, RiskFactory), (Issue, IssueFactory)], ids=["risk", "issue"]
)


@register_models
def test_a_register_item_must_be_raised_on_a_project_or_a_programme(
    model: RegisterModel, factory: Factory
) -> None:
    item = factory.build(project=None, programme=None)
    what = model._meta.verbose_name
    assert errors_of(item) == {"project": [f"Raise the {what} on a project or a programme."]}


@register_models
def test_an_item_escalated_to_another_programme_than_its_projects_is_refused(
    model: RegisterModel, factory: Factory
) -> None:
    project = ProjectFactory(name="Payments")
    item = factory.build(
        project=project,
        programme=ProgrammeFactory(portfolio=project.portfolio),
        escalated_at=ESCALATED_AT,
    )
    what = model._meta.verbose_name
    assert errors_of(item) == {
        "programme": [f"An escalated {what} sits on the programme of Payments."]
    }


@register_models
def test_a_project_item_reaches_a_programme_only_by_escalation(
    model: RegisterModel, factory: Factory
) -> None:
    project = ProjectFactory()
    item = factory.build(project=project, programme=project.programme, escalated_at=None)
    assert set(errors_of(item)) == {"programme"}


@register_models
def test_project_programme_and_escalated_items_are_valid(
    model: RegisterModel, factory: Factory
) -> None:
    project = ProjectFactory()
    factory.build(project=project).full_clean()
    factory.build(project=None, programme=ProgrammeFactory()).full_clean()
    factory.build(
        project=project, programme=project.programme, escalated_at=ESCALATED_AT
    ).full_clean()
