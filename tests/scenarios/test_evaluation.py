from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portfolio.scenarios.evaluation import MonthRow, evaluate
from portfolio.scenarios.services import scenario_change_add
from projects.models import Allocation, Milestone, Project
from tests.scenarios.conftest import Plan

pytestmark = pytest.mark.django_db


def _values(plan: Plan) -> list[object]:
    return [
        list(Project.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(Allocation.objects.order_by("pk").values()),
    ]


def test_a_delay_moves_the_downstream_project_by_the_dependency(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    moved = {
        (row.move.node.project_id, row.move.node.label): row.move
        for group in evaluate(plan.scenario).dates.groups
        for row in group.rows
    }
    start = moved[(plan.downstream.pk, "Start")]
    assert start.old == plan.downstream.baseline_start
    assert start.new == plan.downstream.baseline_start + timedelta(weeks=6)
    assert (plan.downstream.pk, "Finish") in moved


def test_a_delay_makes_an_over_allocation_the_live_plan_does_not_have(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    capacity = evaluate(plan.scenario).capacity
    (tara,) = [row for row in capacity.people if row.person == plan.tara]
    assert tara.live == []
    assert tara.verdict == "new"
    assert "110 %" in tara.scenario_summary


def test_a_reduced_booking_clears_the_over_allocation_the_delay_made(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    scenario_change_add(scenario=plan.scenario, kind="booking", allocation=plan.booking, percent=40)
    assert evaluate(plan.scenario).capacity.scenario_people_over == 0


def test_a_delay_shifts_the_money_still_to_spend_and_keeps_the_total(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    money = evaluate(plan.scenario).money
    assert money.live_total == money.scenario_total
    assert money.changed
    last = max(row.month for row in money.months if row.scenario)
    assert last > max(row.month for row in money.months if row.live)


def test_a_cancelled_project_drops_its_months_to_come(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="cancel", project=plan.upstream)
    money = evaluate(plan.scenario).money
    assert money.scenario_total < money.live_total
    health = evaluate(plan.scenario).health
    assert health.scenario_counts["cancelled"] == 1


def test_a_delay_beyond_the_red_threshold_turns_the_project_red(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    health = evaluate(plan.scenario).health
    (row,) = [row for row in health.changed if row.project == plan.upstream]
    assert row.scenario == "red"
    assert any("42 days behind baseline" in reason for reason in row.reasons)
    assert health.scenario_counts.get("red", 0) > health.live_counts.get("red", 0)


def test_added_capacity_clears_an_over_allocation(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    scenario_change_add(scenario=plan.scenario, kind="capacity", person=plan.tara, hours=50)
    assert evaluate(plan.scenario).capacity.scenario_people_over == 0


def test_evaluating_leaves_live_data_untouched(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    scenario_change_add(scenario=plan.scenario, kind="remove_booking", allocation=plan.booking)
    before = _values(plan)
    evaluate(plan.scenario)
    assert _values(plan) == before


def test_evaluation_reads_in_a_fixed_number_of_queries(
    plan: Plan, django_assert_max_num_queries: object
) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        evaluate(plan.scenario)


def test_a_move_to_a_date_before_the_finish_is_refused_on_the_field(plan: Plan) -> None:
    with pytest.raises(ValidationError) as refused:
        scenario_change_add(
            scenario=plan.scenario,
            kind="move",
            project=plan.upstream,
            to_date=plan.upstream.baseline_finish - timedelta(days=1),
        )
    assert "to_date" in refused.value.message_dict


def test_a_project_of_another_programme_is_refused(plan: Plan) -> None:
    with pytest.raises(ValidationError) as refused:
        scenario_change_add(
            scenario=plan.scenario, kind="move", project=plan.cast.project_a2, weeks=2
        )
    assert "project" in refused.value.message_dict


def test_a_new_booking_needs_a_load(plan: Plan) -> None:
    with pytest.raises(ValidationError) as refused:
        scenario_change_add(
            scenario=plan.scenario,
            kind="new_booking",
            project=plan.upstream,
            person=plan.tara,
            start_date=plan.today,
            finish_date=plan.today + timedelta(days=30),
        )
    assert refused.value.message_dict["percent"] == ["Give a percentage or hours per week."]


def test_a_change_records_the_live_values_it_was_built_on(plan: Plan) -> None:
    change = scenario_change_add(
        scenario=plan.scenario, kind="booking", allocation=plan.booking, hours=Decimal("10")
    )
    assert change.base["percent"] == 60
    assert change.base["finish_date"] == plan.booking.finish_date.isoformat()


def test_a_month_whose_difference_reads_0_is_no_change_and_others_say_which_way() -> None:
    month = date(2027, 2, 1)

    assert MonthRow(month, Decimal("546261.10"), Decimal("546261.40")).change == ""
    assert MonthRow(month, Decimal("100"), Decimal("100.50")).change == "up"
    assert MonthRow(month, Decimal("100"), Decimal("99.40")).change == "down"
