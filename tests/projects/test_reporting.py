"""The project manager's weekly update: carried forward, saved as a draft, submitted as a
record that is never edited in place, and safe when two people edit one draft."""

import os
import re
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.health.models import HealthRequest
from projects.models import Project, StatusReport
from projects.report_views import RAISE_FORMS
from projects.reporting import StaleDraft, status_report_open, status_report_save
from tests.conftest import ROOT, Cast, database_url
from tests.factories import GREEN, MilestoneFactory, RiskFactory

THIS_WEEK = Period.containing(date(2026, 11, 18))  # Mon 16 – Sun 22 Nov 2026
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.get_default_timezone())


def _url(project: Project, period: Period = THIS_WEEK) -> str:
    return reverse("projects:report-edit", args=[project.pk]) + f"?period={period.label}"


def _payload(version: int, **fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": version,
        **GREEN,
        "percent_complete": 40,
        "forecast_finish": "2026-12-18",
        "spend_to_date": "120000",
        "forecast_at_completion": "250000",
        "accomplishments": "Built the thing",
        "next_steps": "Test it",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def _submitted(project: Project, period: Period, **fields: object) -> StatusReport:
    values = {
        **GREEN,
        "percent_complete": 30,
        "accomplishments": "Old news",
        "next_steps": "Carry on",
    }
    values.update(fields)
    return StatusReport.objects.create(
        project=project,
        period_start=period.start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        **values,
    )


@pytest.fixture
def pm(cast: Cast):  # type: ignore[no-untyped-def]
    return cast.client_for(cast.project_manager)


def test_opening_the_update_writes_nothing_and_carries_last_week_forward(cast: Cast, pm) -> None:
    _submitted(
        cast.project_a1, THIS_WEEK.previous(), schedule="amber", schedule_reason="Supplier late"
    )
    response = pm.get(_url(cast.project_a1))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["schedule"].value() == "amber"
    assert form["schedule_reason"].value() == "Supplier late"
    assert form["next_steps"].value() == "Carry on"
    assert form["accomplishments"].value() == ""  # a new week starts its own
    assert StatusReport.objects.drafts().count() == 0


def test_autosave_creates_the_draft_and_answers_with_the_status_line(cast: Cast, pm) -> None:
    response = pm.post(
        _url(cast.project_a1), _payload(0, overall="", action="save"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Draft saved" in response.content.decode()
    draft = StatusReport.objects.drafts().get()
    assert (draft.version, draft.percent_complete, draft.author) == (
        2,
        40,
        cast.project_manager.user,
    )
    assert 'id="id_version" value="2"' in response.content.decode()


def test_submitting_needs_every_rating_and_a_reason_for_each_not_green(cast: Cast, pm) -> None:
    response = pm.post(
        _url(cast.project_a1), _payload(0, cost="red", cost_reason="", scope="", action="submit")
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "cost_reason" in errors and "scope" in errors
    assert not StatusReport.objects.submitted().exists()
    assert StatusReport.objects.drafts().get().cost == "red"  # what was typed is kept


def test_submitting_makes_a_record_and_updates_the_project(cast: Cast, pm) -> None:
    response = pm.post(
        _url(cast.project_a1), _payload(0, cost="amber", cost_reason="Licences", action="submit")
    )
    report = StatusReport.objects.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert (report.state, report.revision, report.cost) == ("submitted", 1, "amber")
    cast.project_a1.refresh_from_db()
    assert cast.project_a1.spend_to_date == Decimal("120000")
    assert cast.project_a1.forecast_finish == date(2026, 12, 18)


def test_a_submitted_report_is_corrected_by_a_new_revision(cast: Cast, pm) -> None:
    pm.post(_url(cast.project_a1), _payload(0, action="submit"))
    first = StatusReport.objects.get()
    pm.post(
        _url(cast.project_a1),
        _payload(0, schedule="red", schedule_reason="Test failed", action="submit"),
    )
    first.refresh_from_db()
    assert first.schedule == "green"  # never edited in place
    second = StatusReport.objects.get(revision=2)
    assert second.schedule == "red"
    page = pm.get(second.get_absolute_url())
    assert ("Schedule", "Green", "Red") in page.context["differences"]


def test_the_second_of_two_editors_is_refused_and_shown_what_changed(cast: Cast, pm) -> None:
    pm.post(_url(cast.project_a1), _payload(0, action="save"))
    colleague = cast.client_for(cast.pmo)
    colleague.post(_url(cast.project_a1), _payload(2, next_steps="PMO's plan", action="save"))
    response = pm.post(_url(cast.project_a1), _payload(2, next_steps="My plan", action="save"))
    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert ("Next steps", "PMO's plan", "My plan") in conflict["changed"]
    assert response.context["form"]["next_steps"].value() == "My plan"  # nothing typed lost
    assert StatusReport.objects.drafts().get().next_steps == "PMO's plan"


def test_saving_a_stale_version_raises_in_the_service_too(cast: Cast) -> None:
    report, _ = status_report_open(project=cast.project_a1, period=THIS_WEEK, author=None)
    status_report_save(report=report, version=1, changes={"next_steps": "a"}, author=None)
    with pytest.raises(StaleDraft):
        status_report_save(report=report, version=1, changes={"next_steps": "b"}, author=None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("percent_complete", "150"),
        ("percent_complete", "-1"),
        ("percent_complete", "lots"),
        ("forecast_finish", "2023-02-30"),
        ("forecast_finish", "next week"),
        ("spend_to_date", "-5"),
        ("spend_to_date", "1" + "0" * 20),
        ("forecast_at_completion", "x"),
        ("schedule", "purple"),
        ("overall_reason", "x" * 201),
        ("version", "abc"),
    ],
)
def test_bad_input_in_any_field_is_refused_with_nothing_saved(
    cast: Cast, pm, field: str, value: str
) -> None:
    data = _payload(0, action="submit")
    data[field] = value
    response = pm.post(_url(cast.project_a1), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not StatusReport.objects.exists()  # not even a draft: the form was refused whole


def test_a_bad_period_is_a_404_not_a_500(cast: Cast, pm) -> None:
    url = reverse("projects:report-edit", args=[cast.project_a1.pk])
    assert pm.get(url + "?period=2026-W99").status_code == 404
    assert pm.get(url + "?period=<script>").status_code == 404


@pytest.mark.parametrize(
    "role", ["executive", "programme_manager", "other_project_manager", "outsider"]
)
def test_only_the_projects_manager_and_pmo_may_update(cast: Cast, role: str) -> None:
    client = cast.client_for(getattr(cast, role))
    assert client.get(_url(cast.project_a1)).status_code == 404
    assert client.post(_url(cast.project_a1), _payload(0, action="submit")).status_code == 404
    assert not StatusReport.objects.exists()


def test_milestone_forecasts_are_saved_inline(cast: Cast, pm) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, baseline_date=date(2026, 12, 1))
    url = reverse("projects:milestone-forecast", args=[milestone.pk])
    response = pm.post(
        url, {f"m{milestone.pk}-forecast_date": "2026-12-15"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "saved" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.forecast_date == date(2026, 12, 15)
    bad = pm.post(url, {f"m{milestone.pk}-forecast_date": "soon"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400


def test_a_risk_is_raised_and_escalated_without_leaving_the_page(cast: Cast, pm) -> None:
    raise_url = reverse("projects:report-raise", args=[cast.project_a1.pk, "risk"])
    response = pm.post(
        raise_url,
        {
            "risk-title": "Vendor insolvent",
            "risk-probability": 2,
            "risk-impact": 5,
            "risk-proximity": "near",
            "risk-status": "open",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Vendor insolvent" in response.content.decode()
    risk = cast.project_a1.risks.get()
    escalate = reverse("projects:report-escalate", args=[cast.project_a1.pk, "risk", risk.pk])
    response = pm.post(escalate, HTTP_HX_REQUEST="true")
    risk.refresh_from_db()
    assert risk.programme == cast.programme_a1 and risk.is_escalated
    assert "Escalated" in response.content.decode()


@pytest.mark.parametrize("kind", ["risk", "issue"])
def test_the_update_page_renders_every_field_its_raise_forms_require(
    cast: Cast, pm, kind: str
) -> None:
    page = pm.get(_url(cast.project_a1)).content.decode()
    rendered = set(re.findall(rf'name="{kind}-(\w+)"', page))
    form = RAISE_FORMS[kind](prefix=kind, user=cast.project_manager.user)
    required = {name for name, field in form.fields.items() if field.required}
    assert required <= rendered == set(form.fields)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("risk", {"title": "Vendor insolvent", "probability": 2, "impact": 5, "proximity": "near"}),
        ("issue", {"title": "Test rig down", "severity": 2, "due_date": "", "owner": ""}),
    ],
)
def test_a_raise_form_posting_only_what_it_shows_raises_an_open_item(
    cast: Cast, pm, kind: str, shown: dict[str, object]
) -> None:
    url = reverse("projects:report-raise", args=[cast.project_a1.pk, kind])
    data = {f"{kind}-{name}": value for name, value in shown.items()}
    response = pm.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and shown["title"] in response.content.decode()
    assert getattr(cast.project_a1, f"{kind}s").get().status == "open"


def test_a_refused_raise_comes_back_with_the_error_beside_the_field(cast: Cast, pm) -> None:
    url = reverse("projects:report-raise", args=[cast.project_a1.pk, "risk"])
    data = {"risk-title": "Vendor insolvent", "risk-probability": 9, "risk-impact": 5}
    response = pm.post(url, data, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 400 and "<html" not in body
    assert 'id="id_risk-probability"' in body and "less than or equal to 5" in body
    assert not cast.project_a1.risks.exists()


def test_without_javascript_a_raise_returns_to_the_update_page(cast: Cast, pm) -> None:
    url = reverse("projects:report-raise", args=[cast.project_a1.pk, "issue"])
    response = pm.post(url, {"issue-title": "Test rig down", "issue-severity": 3}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "projects:report-edit", args=[cast.project_a1.pk]
    )
    assert "Raised the issue" in response.content.decode()
    refused = pm.post(url, {"issue-title": ""}, follow=True)
    assert "The issue was not raised" in refused.content.decode()


def test_escalating_twice_explains_instead_of_failing(cast: Cast, pm) -> None:
    risk = RiskFactory(project=cast.project_a1)
    url = reverse("projects:report-escalate", args=[cast.project_a1.pk, "risk", risk.pk])
    pm.post(url)
    response = pm.post(url)
    assert response.status_code == 400 and "already escalated" in response.content.decode()


@time_machine.travel(WEDNESDAY, tick=False)
def test_my_projects_shows_each_projects_status_for_the_week(cast: Cast, pm) -> None:
    sibling = cast.project_a1_sibling
    sibling.manager = cast.project_manager
    sibling.save()
    _submitted(sibling, THIS_WEEK)
    response = pm.get(reverse("projects:mine"))
    statuses = {project.name: status.label for project, status in response.context["rows"]}
    assert statuses == {"Project A1": "Not started", "Project A1 sibling": "Submitted"}
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=timezone.get_default_timezone())):
        response = pm.get(reverse("projects:mine") + f"?period={THIS_WEEK.label}")
    statuses = {project.name: status.label for project, status in response.context["rows"]}
    assert statuses["Project A1"] == "Overdue"


def test_submitting_survives_a_broker_that_is_down(transactional_db: None, cast: Cast) -> None:
    """Run the submit in a process whose broker is a closed port: the report is saved."""
    report, _ = status_report_open(project=cast.project_a1, period=THIS_WEEK, author=None)
    HealthRequest.objects.all().delete()  # the cast's creation asked for health already
    script = (
        "import django; django.setup();"
        "from projects.models import StatusReport;"
        "from projects.reporting import status_report_submit;"
        f"r = StatusReport.objects.get(pk={report.pk});"
        f"status_report_submit(report=r, version=r.version, changes={GREEN!r} | "
        "{'percent_complete': 10}, author=None); print('submitted')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        "REDIS_URL": "redis://127.0.0.1:9/0",
        "DATABASE_URL": database_url(),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "submitted" in result.stdout
    assert "not sent" in result.stderr  # the broker failure is logged, not raised
    report.refresh_from_db()
    assert report.is_submitted
