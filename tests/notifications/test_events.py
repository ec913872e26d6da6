"""Who gets what: escalations, health turning red, reminders, upstream slips, mentions."""

from datetime import date, timedelta

import pytest
from django.core import mail

from portfolio.core.periods import Period
from portfolio.health.rollup import recompute_programmes, recompute_projects
from portfolio.notifications.models import Kind, Notification
from projects.models import DerivedForecast, ReminderLog
from projects.reminders import reminder_send
from projects.reporting import status_report_open, status_report_submit
from projects.services import issue_escalate, risk_escalate
from tests.conftest import Cast
from tests.factories import GREEN, IssueFactory, RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs published by callbacks these tests run would wait in Redis for a later worker."""
    for where in ("portfolio.core.queue", "portfolio.health.requests"):
        monkeypatch.setattr(f"{where}.publish", lambda *args, **kwargs: True)


WEEK = Period.containing(date.today())


def _notices(kind: str) -> list[tuple[str, str]]:
    rows = Notification.objects.filter(kind=kind).order_by("recipient__username", "pk")
    return [(n.recipient.username, n.title) for n in rows]


def _submit(cast: Cast, **changes: object) -> None:
    report, _ = status_report_open(project=cast.project_a1, period=WEEK, author=None)
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40, **changes},
        author=cast.project_manager.user,
    )


def test_a_programme_turning_red_notifies_its_manager(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects(None, today)
        recompute_programmes([cast.programme_a1.pk], today)
    _submit(cast, overall="red", overall_reason="Supplier collapsed")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], today)
        recompute_programmes([cast.programme_a1.pk], today)
    assert ("progman", "Programme A1 turned red") in _notices(Kind.HEALTH_RED)


def test_a_project_red_from_its_first_record_notifies_nobody(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _submit(cast, overall="red", overall_reason="Supplier collapsed")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], date.today())
    assert _notices(Kind.HEALTH_RED) == []


def test_an_escalated_risk_notifies_the_programme_manager(cast: Cast) -> None:
    risk = RiskFactory(project=cast.project_a1, title="Vendor exits")
    risk_escalate(risk=risk)
    assert _notices(Kind.ESCALATION) == [
        ("progman", "Risk escalated to Programme A1: Vendor exits")
    ]
    assert Notification.objects.get().url == risk.get_absolute_url()


def test_an_escalated_issue_notifies_the_programme_manager(cast: Cast) -> None:
    issue_escalate(issue=IssueFactory(project=cast.project_a1, title="Data centre flooded"))
    assert _notices(Kind.ESCALATION) == [
        ("progman", "Issue escalated to Programme A1: Data centre flooded")
    ]


def test_an_escalation_in_a_programme_without_a_manager_notifies_nobody(cast: Cast) -> None:
    risk_escalate(risk=RiskFactory(project=cast.project_a2))
    assert _notices(Kind.ESCALATION) == []


def test_a_project_turning_red_notifies_its_manager_and_its_programmes(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    today = date.today()
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], today)
    assert _notices(Kind.HEALTH_RED) == []
    _submit(cast, overall="red", overall_reason="Supplier collapsed")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], today)
    assert _notices(Kind.HEALTH_RED) == [
        ("pm", "Project A1 turned red"),
        ("progman", "Project A1 turned red"),
    ]


def test_a_project_staying_red_notifies_nobody_again(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], date.today())
    _submit(cast, overall="red", overall_reason="Supplier collapsed")
    with django_capture_on_commit_callbacks(execute=True):
        recompute_projects([cast.project_a1.pk], date.today())
        recompute_projects([cast.project_a1.pk], date.today(), kind="weekly")
    assert len(_notices(Kind.HEALTH_RED)) == 2


def test_a_reminder_raises_a_notice_beside_its_email_and_no_second_email(cast: Cast) -> None:
    cast.project_manager.email = "pam@example.org"
    cast.project_manager.save()
    reminder_send(project=cast.project_a1, period=WEEK, kind=ReminderLog.Kind.DUE)
    assert len(mail.outbox) == 1
    (notice,) = Notification.objects.filter(kind=Kind.REMINDER)
    assert notice.recipient == cast.project_manager.user
    assert not notice.wants_email
    assert notice.url.endswith(f"?period={WEEK.label}")


def test_an_upstream_slip_notifies_the_manager_once_per_pushed_date(cast: Cast) -> None:
    start = date(2027, 3, 1)
    forecast = DerivedForecast.objects.create(
        project=cast.project_a1, start=start, start_pushed_days=12, caused_by=cast.project_a2
    )
    forecast.save()  # the same dates again: no second notice
    assert _notices(Kind.UPSTREAM_SLIP) == [("pm", "An upstream slip moves Project A1")]
    forecast.start = start + timedelta(days=7)
    forecast.save()
    assert len(_notices(Kind.UPSTREAM_SLIP)) == 2
    assert "pushes your start by 12 days" in Notification.objects.first().body  # type: ignore[union-attr]


def test_a_mention_notifies_only_people_who_may_see_the_project(cast: Cast) -> None:
    _submit(cast, accomplishments="Thanks @progman and @pm2; mail me at pm@example.org.")
    assert _notices(Kind.MENTION) == [
        ("progman", "pm mentioned you in the weekly report of Project A1")
    ]


def test_a_mention_carried_into_next_weeks_report_is_not_told_twice(cast: Cast) -> None:
    last_week = Period.containing(date.today() - timedelta(days=7))
    report, _ = status_report_open(project=cast.project_a1, period=last_week, author=None)
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 30, "next_steps": "Ask @progman."},
        author=None,
    )
    _submit(cast, next_steps="Ask @progman.")
    assert len(_notices(Kind.MENTION)) == 1


def test_a_draft_mentions_nobody(cast: Cast) -> None:
    report, _ = status_report_open(project=cast.project_a1, period=WEEK, author=None)
    report.accomplishments = "@progman"
    report.save()
    assert _notices(Kind.MENTION) == []
