from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portfolio.scenarios.models import Scenario, ScenarioChange
from portfolio.scenarios.services import scenario_change_add, scenario_create
from projects.models import Project
from tests.scenarios.conftest import Plan

pytestmark = pytest.mark.django_db


def test_a_programme_manager_creates_a_scenario_on_their_programme(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        reverse("scenarios:list"),
        {"name": "Later", "scope": f"programme-{plan.cast.programme_a1.pk}"},
    )
    created = Scenario.objects.get(name="Later")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()


def test_a_programme_manager_cannot_build_on_another_programme(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        reverse("scenarios:list"),
        {"name": "Theirs", "scope": f"programme-{plan.cast.programme_a2.pk}"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Scenario.objects.filter(name="Theirs").exists()


def test_a_programme_manager_does_not_see_a_scenario_of_another_programme(plan: Plan) -> None:
    assert plan.cast.pmo.user is not None
    other = scenario_create(owner=plan.cast.pmo.user, name="A2", scope=plan.cast.programme_a2)
    client = plan.cast.client_for(plan.cast.programme_manager)
    assert client.get(other.get_absolute_url()).status_code == 404


def test_adding_a_delay_on_the_page_shows_it_on_every_panel(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        plan.scenario.get_absolute_url(),
        {"kind": "delay", "project": plan.upstream.pk, "weeks": 6},
        follow=True,
    )
    page = response.content.decode()
    assert f"Delay {plan.upstream.name} by 6 weeks" in page
    assert "Tara Singh" in page  # capacity: over-booked in the scenario
    assert "Project A1: Start" in page  # dates: the downstream moves
    assert "42 days behind baseline" in page  # health


def test_a_change_missing_its_fields_is_refused_beside_the_field(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(plan.scenario.get_absolute_url(), {"kind": "delay", "weeks": 6})
    assert response.status_code == 400
    assert response.context["form"].errors["project"] == ["This field is required."]


def test_a_bad_number_of_weeks_is_refused_beside_the_field(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        plan.scenario.get_absolute_url(),
        {"kind": "delay", "project": plan.upstream.pk, "weeks": "soon"},
    )
    assert response.status_code == 400
    assert "weeks" in response.context["form"].errors


def test_applying_on_the_page_lists_conflicts_and_needs_the_box_ticked(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    Project.objects.filter(pk=plan.upstream.pk).update(
        forecast_finish=plan.upstream.baseline_finish + timedelta(days=3)
    )
    client = plan.cast.client_for(plan.cast.pmo)
    url = reverse("scenarios:apply", args=[plan.scenario.pk])
    assert b"Live data changed since" in client.get(url).content
    assert client.post(url).status_code == 409
    response = client.post(url, {"confirm_conflicts": "on"})
    assert response.status_code == 302
    assert Scenario.objects.get(pk=plan.scenario.pk).state == Scenario.State.APPLIED


def test_an_applied_scenario_refuses_new_changes(plan: Plan) -> None:
    Scenario.objects.filter(pk=plan.scenario.pk).update(state=Scenario.State.APPLIED)
    client = plan.cast.client_for(plan.cast.pmo)
    response = client.post(
        plan.scenario.get_absolute_url(),
        {"kind": "delay", "project": plan.upstream.pk, "weeks": 6},
    )
    assert response.status_code == 403
    assert not ScenarioChange.objects.exists()


def test_discarding_on_the_page_makes_it_read_only(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    client.post(reverse("scenarios:discard", args=[plan.scenario.pk]))
    assert Scenario.objects.get(pk=plan.scenario.pk).state == Scenario.State.DISCARDED
    assert b"read-only" in client.get(plan.scenario.get_absolute_url()).content


def test_compare_shows_two_scenarios_side_by_side(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    assert plan.cast.pmo.user is not None
    other = scenario_create(owner=plan.cast.pmo.user, name="Cancel", scope=plan.cast.programme_a1)
    scenario_change_add(scenario=other, kind="cancel", project=plan.upstream)
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.get(reverse("scenarios:compare"), {"a": plan.scenario.pk, "b": other.pk})
    page = response.content.decode()
    assert page.count('data-testid="compare-column"') == 2
    assert f"Cancel {plan.upstream.name}" in page


def test_choosing_a_kind_shows_only_its_fields(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.get(
        plan.scenario.get_absolute_url(), {"kind": "capacity"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith("<form")
    assert 'name="person"' in page
    assert 'name="weeks"' not in page


def test_a_move_to_a_date_before_the_finish_is_refused_beside_the_date(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        plan.scenario.get_absolute_url(),
        {
            "kind": "move_to",
            "project": plan.upstream.pk,
            "to_date": (plan.upstream.baseline_finish - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["to_date"][0].startswith("A move goes later")


def test_a_change_of_booking_on_the_page_keeps_what_is_not_given(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    client.post(
        plan.scenario.get_absolute_url(),
        {"kind": "booking", "allocation": plan.booking.pk, "percent": 30},
    )
    (change,) = ScenarioChange.objects.filter(scenario=plan.scenario)
    made = change.booking(plan.booking)
    assert made is not None
    assert (made.percent, made.start_date) == (30, plan.booking.start_date)
