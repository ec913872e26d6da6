from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from portfolio.scenarios.models import Scenario
from portfolio.scenarios.services import scenario_change_add
from projects.models import Project
from tests.scenarios.conftest import Plan

pytestmark = pytest.mark.django_db


def test_a_change_is_added_and_evaluated_through_the_api(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    added = client.post(
        reverse("api:scenario-changes", args=[plan.scenario.pk]),
        {"kind": "move", "project": plan.upstream.pk, "weeks": 6},
        content_type="application/json",
    )
    assert added.status_code == 201, added.json()
    assert added.json()["days"] == 42
    evaluation = client.get(reverse("api:scenario-evaluation", args=[plan.scenario.pk])).json()
    assert evaluation["capacity"]["people_over"] == {"live": 0, "scenario": 1}
    assert any(move["project"] == plan.downstream.pk for move in evaluation["dates"]["moves"])
    assert evaluation["health"]["changed"]


def test_bad_input_is_a_400_naming_the_field(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        reverse("api:scenario-changes", args=[plan.scenario.pk]),
        {"kind": "move", "project": plan.cast.project_a2.pk, "weeks": 6},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "project" in response.json()


def test_a_programme_manager_cannot_create_one_on_another_programme(plan: Plan) -> None:
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        reverse("api:scenario-list"),
        {"name": "Theirs", "programme": plan.cast.programme_a2.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "programme" in response.json()


def test_applying_with_conflicts_is_a_409_listing_them_until_confirmed(plan: Plan) -> None:
    scenario_change_add(scenario=plan.scenario, kind="move", project=plan.upstream, weeks=6)
    Project.objects.filter(pk=plan.upstream.pk).update(
        forecast_finish=plan.upstream.baseline_finish + timedelta(days=3)
    )
    client = plan.cast.client_for(plan.cast.programme_manager)
    url = reverse("api:scenario-apply", args=[plan.scenario.pk])
    refused = client.post(url, {}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["conflicts"][0]["description"].startswith("Delay")
    applied = client.post(url, {"confirm_conflicts": True}, content_type="application/json")
    assert applied.status_code == 200
    assert applied.json()["state"] == "applied"


def test_an_applied_scenario_refuses_changes_with_a_403(plan: Plan) -> None:
    Scenario.objects.filter(pk=plan.scenario.pk).update(state=Scenario.State.APPLIED)
    client = plan.cast.client_for(plan.cast.programme_manager)
    response = client.post(
        reverse("api:scenario-changes", args=[plan.scenario.pk]),
        {"kind": "cancel", "project": plan.upstream.pk},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "An applied or discarded scenario is read-only."
