from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolio.health.models import HealthRequest
from portfolio.scenarios.access import may_apply_scenario
from portfolio.scenarios.models import Scenario
from portfolio.scenarios.services import (
    ConflictsFound,
    scenario_apply,
    scenario_change_add,
    scenario_conflicts,
    scenario_discard,
)
from programmes.models import Person
from projects.models import Allocation, Project
from tests.factories import TeamFactory
from tests.scenarios.conftest import Plan

pytestmark = pytest.mark.django_db(transaction=True)


def _user(plan: Plan) -> object:
    return plan.cast.pmo.user


def test_applying_moves_the_project_its_milestones_and_bookings(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    upstream = Project.objects.get(pk=plan.upstream.pk)
    assert upstream.baseline_start == plan.upstream.baseline_start + timedelta(weeks=6)
    assert upstream.forecast_finish == plan.upstream.baseline_finish + timedelta(weeks=6)
    plan.milestone.refresh_from_db()
    assert plan.milestone.forecast_date == plan.milestone.baseline_date + timedelta(weeks=6)
    booking = Allocation.objects.get(pk=plan.booking.pk)
    assert booking.start_date == plan.booking.start_date + timedelta(weeks=6)
    assert Scenario.objects.get(pk=plan.scenario.pk).state == Scenario.State.APPLIED


def test_applied_writes_are_in_history_naming_the_scenario(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    record = plan.upstream.history.latest()  # type: ignore[attr-defined]
    assert record.history_change_reason == "Scenario “Delay”"
    assert record.history_user == _user(plan)
    booking = plan.booking.history.latest()  # type: ignore[attr-defined]
    assert booking.history_change_reason == "Scenario “Delay”"


def test_applying_requests_the_moved_projects_health(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    HealthRequest.objects.all().delete()
    scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    assert HealthRequest.objects.filter(subject="project", subject_id=plan.upstream.pk).exists()


def test_a_refused_write_rolls_every_change_back(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    # Tara is already booked on the upstream for these days: the booking save refuses it.
    scenario_change_add(
        scenario=plan.scenario,
        kind="new_booking",
        project=plan.upstream,
        person=plan.tara,
        start_date=plan.booking.finish_date + timedelta(days=7),
        finish_date=plan.booking.finish_date + timedelta(days=14),
        percent=10,
    )
    with pytest.raises(ValidationError):
        scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    upstream = Project.objects.get(pk=plan.upstream.pk)
    assert upstream.forecast_finish is None
    assert Allocation.objects.get(pk=plan.booking.pk).start_date == plan.booking.start_date
    assert Scenario.objects.get(pk=plan.scenario.pk).state == Scenario.State.DRAFT


def test_a_live_change_since_is_a_conflict_that_applying_refuses_unconfirmed(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    Project.objects.filter(pk=plan.upstream.pk).update(
        forecast_finish=plan.upstream.baseline_finish + timedelta(days=10)
    )
    (conflict,) = scenario_conflicts(plan.scenario)
    assert conflict.differences[0].startswith("Forecast finish")
    with pytest.raises(ConflictsFound):
        scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    assert Scenario.objects.get(pk=plan.scenario.pk).state == Scenario.State.DRAFT


def test_a_confirmed_conflict_applies_from_the_live_value(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=1)
    later = plan.upstream.baseline_finish + timedelta(days=10)
    Project.objects.filter(pk=plan.upstream.pk).update(forecast_finish=later)
    scenario_apply(
        scenario=plan.scenario,
        user=_user(plan),  # type: ignore[arg-type]
        confirm_conflicts=True,
    )
    assert Project.objects.get(pk=plan.upstream.pk).forecast_finish == later + timedelta(weeks=1)


def test_an_applied_or_discarded_scenario_is_read_only(plan: Plan) -> None:
    scenario_discard(scenario=plan.scenario)
    plan.scenario.refresh_from_db()
    with pytest.raises(ValidationError):
        scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        scenario_discard(scenario=plan.scenario)


def test_a_programme_manager_may_not_apply_a_change_of_capacity(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="capacity", person=plan.tara, hours=30)
    assert not may_apply_scenario(plan.cast.programme_manager.user, plan.scenario)
    assert may_apply_scenario(plan.cast.pmo.user, plan.scenario)


def test_applying_placeholders_adds_people_to_the_team(plan: Plan) -> None:
    team = TeamFactory(name="Signals")
    scenario_change_add(
        scenario=plan.scenario,
        kind="placeholder",
        team=team,
        count=2,
        hours=Decimal("37.5"),
        start_date=plan.today,
    )
    scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    added = Person.objects.filter(team=team)
    assert added.count() == 2
    assert {p.weekly_capacity_hours for p in added} == {Decimal("37.5")}


def test_applying_a_cancellation_closes_the_project_and_drops_bookings_to_come(
    plan: Plan,
) -> None:
    scenario_change_add(scenario=plan.scenario, kind="cancel", project=plan.upstream)
    scenario_apply(scenario=plan.scenario, user=_user(plan))  # type: ignore[arg-type]
    assert Project.objects.get(pk=plan.upstream.pk).stage == Project.Stage.CLOSED
    assert not Allocation.objects.filter(pk=plan.booking.pk).exists()  # it had not started
