"""The API's behaviour: ETags and If-Match, the services behind its writes, filters,
pagination, and JSON errors (never a 500) for bad input. Who may do what is in
tests/access/test_api_access.py, its tokens in tests/accounts/test_api_tokens.py."""

from __future__ import annotations

from datetime import date
from typing import Any
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.core.periods import Period
from portfolio.health.models import HealthRequest
from programmes.models import HealthPolicy, Person, Portfolio, Programme, Team
from projects.models import Dependency, Project, Risk, StatusReport
from projects.reporting import status_report_submit
from tests.api_world import World, call, make_world
from tests.conftest import ROLES, VISIBLE_PROJECTS
from tests.factories import GREEN, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Any) -> World:
    return make_world(cast)


def _url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


# ETag and If-Match ---------------------------------------------------------------------------


def test_a_stale_if_match_is_a_412_and_changes_nothing(world: World) -> None:
    client = world.client("pmo")
    url = _url("project-detail", world.project_a1.pk)
    etag = client.get(url)["ETag"]
    first = client.patch(url, {"name": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    second = client.patch(url, {"name": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json() == {
        "detail": "Someone changed this since you read it: read it again, then retry.",
        "code": "precondition_failed",
        "etag": first["ETag"],
    }
    assert second["ETag"] == first["ETag"]
    world.project_a1.refresh_from_db()
    assert world.project_a1.name == "First"


def test_the_etag_of_a_read_matches_if_match_on_the_write(world: World) -> None:
    client = world.client("programme_manager")
    url = _url("benefit-detail", world.benefit.pk)
    etag = client.get(url)["ETag"]
    response = client.put(
        url,
        {"name": "Faster", "measure": "days", "target": "5", "target_date": "2027-01-31"},
        format="json",
        HTTP_IF_MATCH=f"W/{etag}",
    )
    assert response.status_code == 200
    assert client.get(url)["ETag"] == response["ETag"]


def test_if_match_is_optional_and_star_matches_any_version(world: World) -> None:
    client = world.client("pmo")
    url = _url("team-detail", world.team.pk)
    assert client.patch(url, {"name": "No header"}, format="json").status_code == 200
    assert client.patch(url, {"name": "Star"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_a_stale_delete_is_a_412_and_keeps_the_row(world: World) -> None:
    client = world.client("project_manager")
    url = _url("milestone-detail", world.milestone.pk)
    assert client.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    assert client.get(url).status_code == 200
    etag = client.get(url)["ETag"]
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 204


def test_a_reports_etag_is_its_version(world: World) -> None:
    client = world.client("project_manager")
    url = _url("status-report-detail", world.draft.pk)
    assert client.get(url)["ETag"] == f'"v{world.draft.version}"'
    saved = client.patch(url, {"next_steps": "Ship"}, format="json", HTTP_IF_MATCH='"v1"')
    assert saved.status_code == 200
    assert saved["ETag"] == '"v2"'
    stale = client.patch(url, {"next_steps": "Other"}, format="json", HTTP_IF_MATCH='"v1"')
    assert stale.status_code == 412
    assert stale.json()["etag"] == '"v2"'
    world.draft.refresh_from_db()
    assert world.draft.next_steps == "Ship"


# Writes go through the services ---------------------------------------------------------------


def test_a_dependency_closing_a_cycle_is_refused_on_upstream(world: World) -> None:
    response = world.client("programme_manager").post(
        _url("dependency-list"),
        {"upstream": world.project_a1.pk, "downstream": world.project_a1_sibling.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["upstream"]
    assert "This would create a cycle" in response.json()["upstream"][0]
    assert Dependency.objects.count() == 1


def test_a_dependency_update_that_closes_a_cycle_is_refused_too(world: World) -> None:
    client = world.client("pmo")
    third = client.post(
        _url("dependency-list"),
        {"upstream": world.project_a1.pk, "downstream": world.project_a1_third.pk},
        format="json",
    )
    assert third.status_code == 201
    response = client.patch(
        _url("dependency-detail", world.dependency.pk),
        {"upstream": world.project_a1_third.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["upstream"][0]


def test_a_project_cannot_depend_on_itself(world: World) -> None:
    response = world.client("pmo").post(
        _url("dependency-list"),
        {"upstream": world.project_a1.pk, "downstream": world.project_a1.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"downstream": ["A project cannot depend on itself."]}


def test_an_overlapping_booking_is_refused_on_start_date(world: World) -> None:
    response = world.client("programme_manager").post(
        _url("allocation-list"),
        {
            "person": world.allocation.person_id,
            "project": world.project_a1.pk,
            "start_date": "2026-03-01",
            "finish_date": "2026-03-31",
            "percent": 10,
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["start_date"]
    assert "already booked" in response.json()["start_date"][0]


def test_a_booking_needs_a_percentage_or_hours_not_both(world: World) -> None:
    response = world.client("pmo").patch(
        _url("allocation-detail", world.allocation.pk), {"hours_per_week": "8"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"percent": ["Give a percentage or hours per week, not both."]}


def test_a_new_portfolio_comes_with_its_health_policy(world: World) -> None:
    response = world.client("pmo").post(
        _url("portfolio-list"),
        {"code": "TRN", "name": "Transformation", "executives": [world.executive.pk]},
        format="json",
    )
    assert response.status_code == 201
    portfolio = Portfolio.objects.get(code="TRN")
    assert HealthPolicy.objects.filter(portfolio=portfolio).exists()
    assert list(portfolio.executives.all()) == [world.executive]
    assert response.json()["executives"] == [world.executive.pk]


@pytest.mark.parametrize("route", ["programme-detail", "project-detail"])
def test_a_code_taken_in_the_portfolio_is_refused_on_code(world: World, route: str) -> None:
    twin = world.programme_a2 if route == "programme-detail" else world.project_a1_sibling
    target = world.programme_a1 if route == "programme-detail" else world.project_a1
    response = world.client("pmo").patch(_url(route, target.pk), {"code": twin.code}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert twin.code in response.json()["code"][0]


def test_a_portfolio_code_is_unique(world: World) -> None:
    response = world.client("pmo").post(
        _url("portfolio-list"), {"code": world.portfolio_a.code, "name": "Twin"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["code"]


def test_escalating_a_risk_sends_it_to_the_programme_and_twice_explains(world: World) -> None:
    client = world.client("project_manager")
    url = _url("risk-escalate", world.risk.pk)
    first = client.post(url)
    assert first.status_code == 200
    assert first.json()["programme"] == world.programme_a1.pk
    assert first.json()["project"] == world.project_a1.pk
    again = client.post(url)
    assert again.status_code == 400
    assert "already escalated" in again.json()["programme"][0]


def test_a_programme_manager_writes_an_escalated_risk_but_cannot_escalate(world: World) -> None:
    world.client("project_manager").post(_url("risk-escalate", world.risk.pk))
    client = world.client("programme_manager")
    response = client.patch(
        _url("risk-detail", world.risk.pk), {"status": "mitigating"}, format="json"
    )
    assert response.status_code == 200
    assert client.post(_url("issue-escalate", world.issue.pk)).status_code == 403


def test_a_risk_needs_a_project_or_a_programme(world: World) -> None:
    response = world.client("pmo").post(
        _url("risk-list"), {"title": "Floating", "probability": 1, "impact": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"project": ["Raise the risk on a project or a programme."]}


def test_a_risk_is_raised_on_a_programme_by_its_manager(world: World) -> None:
    response = world.client("programme_manager").post(
        _url("risk-list"),
        {"programme": world.programme_a1.pk, "title": "Funding cut", "probability": 2, "impact": 5},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["score"] == 10
    assert Risk.objects.get(title="Funding cut").programme == world.programme_a1


def test_a_milestone_stays_on_its_project(world: World) -> None:
    response = world.client("pmo").patch(
        _url("milestone-detail", world.milestone.pk),
        {"project": world.project_b1.pk, "name": "Moved?"},
        format="json",
    )
    assert response.status_code == 200
    world.milestone.refresh_from_db()
    assert (world.milestone.project, world.milestone.name) == (world.project_a1, "Moved?")


def test_a_project_in_another_portfolios_programme_is_refused(world: World) -> None:
    response = world.client("pmo").patch(
        _url("project-detail", world.project_a1.pk),
        {"programme": world.programme_b1.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["programme"]


# Status reports -------------------------------------------------------------------------------


def test_posting_a_report_opens_a_draft_carried_forward_from_the_last_one(world: World) -> None:
    next_week = Period.containing(timezone.localdate()).next()
    world.draft.delete()
    response = world.client("project_manager").post(
        _url("status-report-list"),
        {"project": world.project_a1.pk, "period": next_week.label, "next_steps": "Pilot"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["revision"], body["period"]) == ("draft", 1, next_week.label)
    assert body["percent_complete"] == 10  # carried forward from last week's submission
    assert body["next_steps"] == "Pilot"
    assert body["author"] == world.project_manager.user.username
    assert response["ETag"] == f'"v{body["version"]}"'


def test_a_second_draft_for_a_period_is_a_409_naming_the_first(world: World) -> None:
    response = world.client("project_manager").post(
        _url("status-report-list"),
        {"project": world.project_a1.pk, "period": world.draft.period.label},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["id"] == world.draft.pk
    assert response["ETag"] == f'"v{world.draft.version}"'
    assert StatusReport.objects.filter(project=world.project_a1).count() == 2


def test_submitting_goes_through_the_reporting_service_and_enqueues_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """The service owns what a submission sets off (the roll-up); the API only calls it."""
    HealthRequest.objects.all().delete()  # the world's creation asked for health already
    with (
        mock.patch("projects.api.status_report_submit", wraps=status_report_submit) as submit,
        django_capture_on_commit_callbacks() as callbacks,
    ):
        response = world.client("project_manager").post(
            _url("status-report-submit", world.draft.pk),
            {"spend_to_date": "123456.00"},
            format="json",
        )
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    submit.assert_called_once()
    assert submit.call_args.kwargs["author"] == world.project_manager.user
    assert len(callbacks) >= 1  # the job is sent once the submission has committed
    world.project_a1.refresh_from_db()
    assert str(world.project_a1.spend_to_date) == "123456.00"


def test_an_incomplete_report_is_not_submitted_and_says_why(world: World) -> None:
    response = world.client("project_manager").post(
        _url("status-report-submit", world.draft.pk),
        {"cost": "amber", "percent_complete": None},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "cost_reason": ["Say in one line why cost is not green."],
        "percent_complete": ["Give the percent complete."],
    }
    world.draft.refresh_from_db()
    assert (world.draft.state, world.draft.cost) == ("draft", "green")


def test_a_submitted_report_is_read_only_and_corrected_by_a_new_draft(world: World) -> None:
    client = world.client("project_manager")
    url = _url("status-report-detail", world.submitted.pk)
    refused = client.patch(url, {"next_steps": "Rewrite history"}, format="json")
    assert refused.status_code == 409
    assert client.post(_url("status-report-submit", world.submitted.pk)).status_code == 409
    correction = client.post(
        _url("status-report-list"),
        {"project": world.project_a1.pk, "period": world.submitted.period.label},
        format="json",
    )
    assert correction.status_code == 201
    assert correction.json()["revision"] == 2
    world.submitted.refresh_from_db()
    assert world.submitted.next_steps == ""


def test_ratings_are_on_the_portfolios_scale(world: World) -> None:
    client = world.client("project_manager")
    url = _url("status-report-detail", world.draft.pk)
    response = client.patch(url, {"schedule": "amber_green"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["schedule"]
    Portfolio.objects.filter(pk=world.portfolio_a.pk).update(rating_scale="dca5")
    assert client.patch(url, {"schedule": "amber_green"}, format="json").status_code == 200


def test_a_bad_period_is_a_400_on_period(world: World) -> None:
    for period in ("2026-W99", "next week", 2026):
        response = world.client("project_manager").post(
            _url("status-report-list"),
            {"project": world.project_a1.pk, "period": period},
            format="json",
        )
        assert response.status_code == 400, period
        assert response.json() == {"period": ["Give an ISO week like 2026-W47."]}


# Lists: scoping, filters, ordering, pagination --------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_project_list_holds_exactly_what_the_pages_show(world: World, role: str) -> None:
    response = world.client(role).get(_url("project-list"), {"page_size": 200})
    names = {project["name"] for project in response.json()["results"]}
    expected = {getattr(world.cast, name).name for name in VISIBLE_PROJECTS[role]}
    if role in ("pmo", "executive", "programme_manager", "project_manager"):
        expected.add("Project A1 third")
    assert names == expected


LIST_ROUTES = [
    ("portfolio-list", Portfolio, {"state": "all"}),
    ("programme-list", Programme, {"state": "all"}),
    ("project-list", Project, {"state": "all"}),
    ("status-report-list", StatusReport, {}),
    ("risk-list", Risk, {}),
    ("dependency-list", Dependency, {}),
]


@pytest.mark.parametrize("route,model,params", LIST_ROUTES, ids=[r[0] for r in LIST_ROUTES])
def test_an_outsider_lists_nothing(
    world: World, route: str, model: Any, params: dict[str, str]
) -> None:
    response = world.client("outsider").get(_url(route), params)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert model.objects.exists()


def test_projects_filter_by_portfolio_programme_stage_and_manager(world: World) -> None:
    Project.objects.filter(pk=world.project_a1.pk).update(stage="delivery")
    client = world.client("pmo")

    def names(**params: Any) -> set[str]:
        response = client.get(_url("project-list"), params)
        assert response.status_code == 200, response.json()
        return {project["name"] for project in response.json()["results"]}

    assert names(portfolio=world.portfolio_b.pk) == {"Project B1"}
    assert names(programme=world.programme_a1.pk, stage="delivery") == {"Project A1"}
    assert names(manager=world.other_project_manager.pk) == {"Project B1"}
    assert names(q="sibling") == {"Project A1 sibling"}


def test_a_filter_naming_an_invisible_programme_is_refused_like_a_missing_one(
    world: World,
) -> None:
    client = world.client("project_manager")
    invisible = client.get(_url("project-list"), {"programme": world.programme_b1.pk})
    missing = client.get(_url("project-list"), {"programme": 10**9})
    assert invisible.status_code == missing.status_code == 400
    assert list(invisible.json()) == ["programme"]
    assert invisible.json()["programme"][0].replace(str(world.programme_b1.pk), "N") == (
        missing.json()["programme"][0].replace(str(10**9), "N")
    )


def test_archived_rows_are_listed_only_when_asked(world: World) -> None:
    world.project_a1_third.archive()
    client = world.client("pmo")
    assert world.project_a1_third.name not in {
        p["name"] for p in client.get(_url("project-list")).json()["results"]
    }
    archived = client.get(_url("project-list"), {"state": "archived"}).json()["results"]
    assert [p["name"] for p in archived] == [world.project_a1_third.name]
    detail = client.get(_url("project-detail", world.project_a1_third.pk))
    assert detail.status_code == 200


def test_lists_order_by_the_listed_fields_only(world: World) -> None:
    client = world.client("pmo")
    descending = client.get(_url("project-list"), {"ordering": "-name"}).json()["results"]
    assert [p["name"] for p in descending] == sorted((p["name"] for p in descending), reverse=True)
    ignored = client.get(_url("project-list"), {"ordering": "objective"})
    assert ignored.status_code == 200
    assert [p["name"] for p in ignored.json()["results"]] == sorted(
        p["name"] for p in ignored.json()["results"]
    )


def test_pages_hold_50_by_default_and_never_more_than_200(world: World) -> None:
    Team.objects.bulk_create(Team(name=f"Team {i:03d}") for i in range(230))
    client = world.client("pmo")
    default = client.get(_url("team-list")).json()
    assert (default["count"], len(default["results"])) == (231, 50)
    capped = client.get(_url("team-list"), {"page_size": 1000}).json()
    assert len(capped["results"]) == 200
    assert capped["next"] is not None


def test_reports_filter_to_the_latest_submitted_revision(world: World) -> None:
    StatusReport.objects.create(
        project=world.project_a1,
        period_start=world.submitted.period_start,
        revision=2,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        **GREEN,
        percent_complete=15,
    )
    response = world.client("executive").get(
        _url("status-report-list"), {"programme": world.programme_a1.pk, "latest": "true"}
    )
    assert [(r["period"], r["revision"]) for r in response.json()["results"]] == [
        (world.submitted.period.label, 2)
    ]


@pytest.mark.parametrize(
    "route",
    [
        "portfolio-list",
        "programme-list",
        "project-list",
        "milestone-list",
        "dependency-list",
        "person-list",
        "team-list",
        "allocation-list",
        "status-report-list",
        "risk-list",
        "issue-list",
        "benefit-list",
        "benefit-measurement-list",
        "stakeholder-list",
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    world: World, route: str, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        project = ProjectFactory(programme=world.programme_a1, name=f"Extra {i}")
        Risk.objects.create(project=project, title=f"Risk {i}", probability=2, impact=2)
        StatusReport.objects.create(project=project, period_start=date(2026, 3, 2))
    client = world.client("executive")
    client.get(_url(route))  # records the token's use, once a minute
    with django_assert_max_num_queries(8):
        assert client.get(_url(route), {"page_size": 200}).status_code == 200


# Bad input is a 4xx in JSON, never a 500 ------------------------------------------------------

VALID_PROJECT = {
    "code": "X1",
    "name": "Fuzz",
    "baseline_start": "2026-01-05",
    "baseline_finish": "2026-06-26",
}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"baseline_start": "2026-13-45"}, "baseline_start"),
        ({"baseline_finish": "2025-01-01"}, "baseline_finish"),
        ({"budget": "1e40"}, "budget"),
        ({"budget": "-5"}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"priority": 10**20}, "priority"),
        ({"priority": [1, 2]}, "priority"),
        ({"name": "a\x00b"}, "name"),
        ({"name": {"nested": True}}, "name"),
        ({"name": "x" * 500}, "name"),
        ({"stage": "finished"}, "stage"),
        ({"portfolio": 10**30}, "portfolio"),
        ({"portfolio": "abc"}, "portfolio"),
        ({"programme": -1}, "programme"),
        ({"manager": 3.5}, "manager"),
    ],
)
def test_bad_values_are_a_400_naming_the_field(
    world: World, changes: dict[str, Any], field: str
) -> None:
    body = {"portfolio": world.portfolio_a.pk, **VALID_PROJECT, **changes}
    response = world.client("pmo").post(_url("project-list"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Project.objects.filter(code="X1").exists()


def test_unknown_fields_are_ignored(world: World) -> None:
    body = {"portfolio": world.portfolio_a.pk, **VALID_PROJECT, "colour": "teal", "id": 999}
    response = world.client("pmo").post(_url("project-list"), body, format="json")
    assert response.status_code == 201
    assert "colour" not in response.json()
    assert response.json()["id"] != 999


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"a string"', "null", "", "\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_400(world: World, body: str) -> None:
    response = world.client("pmo").generic(
        "POST", _url("project-list"), body.encode("latin-1"), content_type="application/json"
    )
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_a_body_in_another_format_is_a_415(world: World) -> None:
    response = world.client("pmo").post(_url("team-list"), {"name": "Form"})
    assert response.status_code == 415


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999999", "-1", "0", "1.5", "%00"])
def test_a_bad_id_in_the_url_is_a_404_in_json(world: World, pk: str) -> None:
    for route in ("project-list", "status-report-list", "risk-list"):
        url = _url(route) + f"{pk}/"
        for method in ("GET", "PATCH", "DELETE"):
            response = call(world.client("pmo"), method, url, {})
            assert response.status_code in (404, 405), (url, method)
            if response.status_code == 404:
                assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path", ["/api/", "/api/v1/nothing/", "/api/v1/projects", "/api/v2/projects/", "/api/v1/x\x00/"]
)
def test_an_unknown_api_url_is_a_404_in_json(world: World, path: str) -> None:
    for client in (world.client("pmo"), APIClient()):
        response = client.post(path, {}, format="json")
        assert response.status_code == 404
        assert "No such API route" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "99999999999999999999"},
        {"page_size": "-1"},
        {"page_size": "abc"},
        {"portfolio": "abc"},
        {"portfolio": "99999999999999999999999"},
        {"manager": "1e9"},
        {"stage": "nonsense"},
        {"ordering": "-;drop table"},
        {"q": "\x00"},
        {"state": "deleted"},
    ],
)
def test_bad_query_parameters_are_a_4xx_in_json(world: World, params: dict[str, str]) -> None:
    response = world.client("pmo").get(_url("project-list"), params)
    assert response.status_code in (200, 400, 404), response.content
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize(
    "params",
    [
        {"period_start": "not-a-date"},
        {"period_start_after": "2026-02-30"},
        {"project": "99999999999999999999"},
        {"state": "lost"},
    ],
)
def test_bad_report_filters_are_a_400(world: World, params: dict[str, str]) -> None:
    response = world.client("pmo").get(_url("status-report-list"), params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_a_huge_number_in_a_measurement_is_a_400(world: World) -> None:
    response = world.client("programme_manager").post(
        _url("benefit-measurement-list"),
        {"benefit": world.benefit.pk, "measured_on": "2026-05-01", "value": "9" * 40},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["value"]


def test_a_second_measurement_on_the_same_day_is_a_400_on_its_date(world: World) -> None:
    response = world.client("programme_manager").post(
        _url("benefit-measurement-list"),
        {"benefit": world.benefit.pk, "measured_on": "2026-03-01", "value": "1"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "measured_on": ["This benefit already has a measurement on that day."]
    }


# Schema and docs ------------------------------------------------------------------------------


def test_swagger_ui_is_served_from_our_own_static_files(admin_client: Client) -> None:
    client = admin_client
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_person_api_says_whether_someone_has_a_login(world: World) -> None:
    client = world.client("pmo")
    assert client.get(_url("person-detail", world.pool_person.pk)).json()["has_login"] is False
    assert client.get(_url("person-detail", world.pmo.pk)).json()["has_login"] is True
    assert Person.objects.filter(user__isnull=True).exists()


def test_the_schema_and_docs_need_a_signed_in_user(client: Client) -> None:
    schema = client.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 401
    assert "detail" in schema.json()
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 302
    assert docs["Location"] == f"{reverse('login')}?next={reverse('api:docs')}"


def test_a_token_opens_the_schema(world: World) -> None:
    response = world.client("project_manager").get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_api_docs_public_opens_the_schema_and_docs_to_anyone(client: Client, settings) -> None:
    settings.API_DOCS_PUBLIC = True
    assert client.get(reverse("api:schema"), {"format": "json"}).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200
