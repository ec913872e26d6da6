"""The project page: a fixed number of queries, served from the page cache until something
it shows is written (an autosaved draft is not), its buttons those of the viewer, and its
status history loaded when its tab is opened."""

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from projects.models import Project, StatusReport
from projects.reporting import status_report_open, status_report_submit
from tests.conftest import Cast
from tests.factories import GREEN, MilestoneFactory, RiskFactory

WEEK = Period.containing(date.today())
# What only a viewer who may write the project's records is offered on its page.
MANAGERS_BUTTONS = ("Add milestone", "Update this week", "Raise a risk")


def _page(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


def _get(client: Client, url: str, **headers: Any) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def _history(client: Client, project: Project) -> str:
    return _get(client, f"{_page(project)}?panel=status", HX_Request="true")


def _submitted(project: Project, weeks_back: int, **fields: Any) -> StatusReport:
    return StatusReport.objects.create(
        project=project,
        period_start=WEEK.previous(weeks_back).start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        **{**GREEN, **fields},
    )


def _autosave(client: Client, project: Project, text: str) -> None:
    """What the weekly update posts a moment after the manager typed."""
    response = client.post(
        reverse("projects:report-edit", args=[project.pk]),
        {"version": 0, "action": "save", "accomplishments": text},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()


def test_the_page_reads_a_fixed_number_of_queries_however_long_its_history(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    project = cast.project_a1
    for weeks_back in range(1, 40):
        _submitted(project, weeks_back)
        RiskFactory(project=project)
        MilestoneFactory(project=project)
    client = cast.client_for(cast.project_manager)
    with django_assert_max_num_queries(17):
        _get(client, _page(project))


def test_an_autosaved_draft_leaves_the_project_page_cached(cast: Cast, renders: list[str]) -> None:
    client = cast.client_for(cast.project_manager)
    _get(client, _page(cast.project_a1))
    _history(client, cast.project_a1)
    renders.clear()
    _autosave(client, cast.project_a1, "Still typing")
    _get(client, _page(cast.project_a1))
    _history(client, cast.project_a1)
    assert renders == []


def test_a_risk_raised_on_the_project_shows_on_its_next_view(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    assert "Supplier insolvent" not in _get(client, _page(cast.project_a1))
    RiskFactory(project=cast.project_a1, title="Supplier insolvent")
    assert "Supplier insolvent" in _get(client, _page(cast.project_a1))


def test_a_milestone_forecast_from_the_weekly_update_shows_on_the_next_view(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, forecast_date=date(2027, 3, 1))
    reader = cast.client_for(cast.executive)
    assert "1 Mar 2027" in _get(reader, _page(cast.project_a1))
    response = cast.client_for(cast.project_manager).post(
        reverse("projects:milestone-forecast", args=[milestone.pk]),
        {f"m{milestone.pk}-forecast_date": "2027-05-17", f"m{milestone.pk}-actual_date": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = _get(reader, _page(cast.project_a1))
    assert "17 May 2027" in page and "1 Mar 2027" not in page


def test_a_submitted_report_shows_in_the_status_history_on_its_next_view(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    _get(client, _page(cast.project_a1))
    assert "Payments API live" not in _history(client, cast.project_a1)
    _autosave(client, cast.project_a1, "Payments API live")
    assert "Payments API live" not in _history(client, cast.project_a1)  # a draft, not shown
    report, _ = status_report_open(project=cast.project_a1, period=WEEK, author=None)
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40},
        author=None,
    )
    assert "Payments API live" in _history(client, cast.project_a1)


@pytest.mark.parametrize("first", ["project_manager", "executive"])
def test_a_viewer_gets_only_the_buttons_of_their_own_rights(cast: Cast, first: str) -> None:
    """Whoever renders the page first, the other is served their own buttons."""
    manager, executive = cast.client_for(cast.project_manager), cast.client_for(cast.executive)
    order = [manager, executive] if first == "project_manager" else [executive, manager]
    pages = {id(client): _get(client, _page(cast.project_a1)) for client in order}
    for button in MANAGERS_BUTTONS:
        assert button in pages[id(manager)]
        assert button not in pages[id(executive)]
    assert "Edit project" not in pages[id(manager)]  # the project's own record is PMO's
    assert "Edit project" in _get(cast.client_for(cast.pmo), _page(cast.project_a1))


def test_the_status_history_is_on_the_page_itself_without_javascript(cast: Cast) -> None:
    _submitted(cast.project_a1, 1, next_steps="Go live")
    client = cast.client_for(cast.executive)
    assert "Go live" not in _get(client, _page(cast.project_a1))
    assert "Go live" in _get(client, f"{_page(cast.project_a1)}?panels=all")
    history = _history(client, cast.project_a1)
    assert "Go live" in history and "<html" not in history
