"""Reminder emails: on each portfolio's due day to managers who have not submitted, on its
chase day to those still missing, each at most once per project and week, even when the
hourly job runs twice or on two workers at once."""

import logging
import smtplib
import time
from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.db import IntegrityError
from django.utils import timezone

from portfolio.core.periods import Period
from programmes.models import HealthPolicy
from projects.models import Project, ReminderLog, StatusReport
from projects.reminders import reminder_send_manual, reminders_due_on, reporting_reminders_send
from projects.tasks import send_reporting_reminders
from tests.concurrency import run_at_once as _run_at_once
from tests.conftest import Cast

TZ = timezone.get_default_timezone()
WEEK = Period.parse("2026-W47")  # Mon 16 – Sun 22 Nov 2026
DUE_DAY = datetime(2026, 11, 20, 9, 0, tzinfo=TZ)  # Friday, the default due day
CHASE_DAY = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # Monday: Friday + 2 days' grace + 1
SITE = "https://stationmaster.example.org"


@pytest.fixture(autouse=True)
def site_url(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = SITE


@pytest.fixture
def emails(emails: Cast) -> Cast:
    """The managers with their addresses (tests/projects/conftest.py), and this week A1 has
    a draft and its sibling has submitted."""
    StatusReport.objects.create(project=emails.project_a1, period_start=WEEK.start)  # a draft
    StatusReport.objects.create(
        project=emails.project_a1_sibling,
        period_start=WEEK.start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=datetime(2026, 11, 19, 15, 0, tzinfo=TZ),
    )
    return emails


def recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


# When ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_weekday", "grace", "today", "expected"),
    [
        (4, 2, date(2026, 11, 20), [("due", "2026-W47")]),
        (4, 2, date(2026, 11, 23), [("overdue", "2026-W47")]),
        (4, 2, date(2026, 11, 21), []),
        (4, 2, date(2026, 11, 24), []),
        (0, 0, date(2026, 11, 16), [("due", "2026-W47")]),
        (0, 0, date(2026, 11, 17), [("overdue", "2026-W47")]),
        (6, 6, date(2026, 11, 29), [("due", "2026-W48"), ("overdue", "2026-W47")]),
    ],
)
def test_the_policy_decides_the_due_day_and_the_chase_day(
    due_weekday: int, grace: int, today: date, expected: list[tuple[str, str]]
) -> None:
    policy = HealthPolicy(report_due_weekday=due_weekday, report_grace_days=grace)
    calls = reminders_due_on(policy, today)
    assert [(kind, period.label) for kind, period in calls] == expected


# What is sent ---------------------------------------------------------------------------


def test_on_the_due_day_managers_without_a_submitted_report_are_reminded(emails: Cast) -> None:
    run = reporting_reminders_send(now=DUE_DAY)
    assert recipients() == ["pam@example.org", "otto@example.org"]  # not Sid: he submitted
    assert {log.kind for log in run.sent} == {"due"}
    assert set(ReminderLog.objects.values_list("project__name", "kind", "period_start")) == {
        ("Project A1", "due", WEEK.start),
        ("Project B1", "due", WEEK.start),
    }


def test_the_due_reminder_names_the_project_the_week_the_day_and_links_to_the_update(
    emails: Cast,
) -> None:
    project = emails.project_a1
    project.name = "R&D <Lab>"
    project.save()
    reporting_reminders_send(now=DUE_DAY)
    email = mail.outbox[0]
    assert email.to == ["pam@example.org"]
    assert email.subject == "Weekly report due today: R&D <Lab> (2026-W47)"
    assert "R&D <Lab>" in email.body  # plain text: nothing HTML-escaped
    assert "Friday 20 November 2026" in email.body
    assert str(WEEK) in email.body
    assert f"{SITE}/projects/{project.pk}/update/?period=2026-W47" in email.body


def test_on_the_chase_day_managers_still_missing_are_chased(emails: Cast) -> None:
    StatusReport.objects.create(
        project=emails.project_b1,
        period_start=WEEK.start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=datetime(2026, 11, 21, 11, 0, tzinfo=TZ),  # late, but in
    )
    reporting_reminders_send(now=CHASE_DAY)
    [email] = mail.outbox
    assert email.to == ["pam@example.org"]
    assert email.subject == "Weekly report overdue: Project A1 (2026-W47)"
    assert "was due on Friday 20 November 2026" in email.body
    assert f"{SITE}/projects/{emails.project_a1.pk}/update/?period=2026-W47" in email.body
    assert ReminderLog.objects.get().kind == "overdue"


def test_nothing_is_sent_on_other_days(emails: Cast) -> None:
    for day in (17, 18, 19, 21, 22, 24):
        reporting_reminders_send(now=datetime(2026, 11, day, 10, 0, tzinfo=TZ))
    assert mail.outbox == []


def test_nothing_is_sent_before_seven_in_the_morning(emails: Cast) -> None:
    reporting_reminders_send(now=datetime(2026, 11, 20, 6, 59, tzinfo=TZ))
    assert mail.outbox == []
    reporting_reminders_send(now=datetime(2026, 11, 20, 7, 0, tzinfo=TZ))
    assert len(mail.outbox) == 2


def test_each_portfolio_is_reminded_on_its_own_days(emails: Cast) -> None:
    HealthPolicy.objects.create(
        portfolio=emails.portfolio_b, report_due_weekday=2, report_grace_days=0
    )
    reporting_reminders_send(now=datetime(2026, 11, 18, 9, 0, tzinfo=TZ))  # Wednesday
    reporting_reminders_send(now=datetime(2026, 11, 19, 9, 0, tzinfo=TZ))  # Thursday
    assert [(m.to, m.subject.split(":")[0]) for m in mail.outbox] == [
        (["otto@example.org"], "Weekly report due today"),
        (["otto@example.org"], "Weekly report overdue"),
    ]
    reporting_reminders_send(now=DUE_DAY)  # Friday: portfolio A's due day only
    assert recipients()[2:] == ["pam@example.org"]


def test_closed_and_archived_projects_are_not_reminded(emails: Cast) -> None:
    emails.project_a1.stage = Project.Stage.CLOSED
    emails.project_a1.save()
    emails.project_b1.archive()
    reporting_reminders_send(now=DUE_DAY)
    assert mail.outbox == []


def test_a_manager_without_an_email_address_is_logged_and_skipped(
    emails: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    emails.project_b1.manager = None
    emails.project_b1.save()
    with caplog.at_level(logging.WARNING, logger="projects.reminders"):
        run = reporting_reminders_send(now=CHASE_DAY)
    assert recipients() == ["pam@example.org"]
    assert {p.name for p in run.no_email} == {"Project A2", "Project B1"}
    assert "Nora Noemail has no email address." in caplog.text
    assert "Project B1 has no project manager." in caplog.text
    assert not ReminderLog.objects.filter(project=emails.project_a2).exists()


# Never twice ---------------------------------------------------------------------------------


@time_machine.travel(DUE_DAY, tick=False)
def test_running_the_task_twice_sends_each_reminder_once(emails: Cast) -> None:
    send_reporting_reminders()
    send_reporting_reminders()
    assert recipients() == ["pam@example.org", "otto@example.org"]
    assert ReminderLog.objects.count() == 2


def test_the_due_reminder_and_the_chase_are_separate_and_each_sent_once(emails: Cast) -> None:
    for now in (DUE_DAY, DUE_DAY, CHASE_DAY, CHASE_DAY):
        reporting_reminders_send(now=now)
    assert [m.subject.split(":")[0] for m in mail.outbox if m.to == ["pam@example.org"]] == [
        "Weekly report due today",
        "Weekly report overdue",
    ]


def test_the_database_refuses_a_second_automatic_reminder_but_not_a_second_manual_one(
    cast: Cast,
) -> None:
    def log(kind: str) -> ReminderLog:
        return ReminderLog.objects.create(
            project=cast.project_a1, period_start=WEEK.start, kind=kind, recipient="a@example.org"
        )

    log("manual")
    log("manual")
    log("due")
    with pytest.raises(IntegrityError):
        log("due")


def test_a_failed_email_gives_its_claim_back_and_the_next_run_sends_it(
    emails: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = EmailMessage.send

    def refuse_pam(message: EmailMessage, fail_silently: bool = False) -> int:
        if message.to == ["pam@example.org"]:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", refuse_pam)
    run = reporting_reminders_send(now=DUE_DAY)
    assert [p.name for p in run.failed] == ["Project A1"]
    assert recipients() == ["otto@example.org"]  # the others still get theirs
    assert not ReminderLog.objects.filter(project=emails.project_a1).exists()
    monkeypatch.setattr(EmailMessage, "send", send)
    reporting_reminders_send(now=DUE_DAY)
    assert recipients() == ["otto@example.org", "pam@example.org"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_send_each_reminder_once(
    emails: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = EmailMessage.send

    def slow_send(message: EmailMessage, fail_silently: bool = False) -> int:
        # Hold each send open so the other worker surely runs meanwhile: a check made
        # before sending and recorded after it would let both send.
        time.sleep(0.2)
        return send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    outcomes = _run_at_once(
        lambda: reporting_reminders_send(now=DUE_DAY),
        lambda: reporting_reminders_send(now=DUE_DAY),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sorted(recipients()) == ["otto@example.org", "pam@example.org"]
    assert sorted(len(o.sent) for o in outcomes) in ([0, 2], [1, 1])  # type: ignore[attr-defined]
    assert ReminderLog.objects.count() == 2


# Wiring --------------------------------------------------------------------------------------


def test_celery_beat_runs_the_reminders_every_hour() -> None:
    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == send_reporting_reminders.name
    ]
    assert entry["schedule"] == 3600.0
    assert send_reporting_reminders.name == "projects.send_reporting_reminders"


@pytest.mark.django_db(transaction=True)
def test_two_manual_reminders_at_once_send_one_email(
    emails: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    send = EmailMessage.send

    def slow_send(message: EmailMessage, fail_silently: bool = False) -> int:
        time.sleep(0.2)
        return send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    assert emails.pmo.user is not None
    user = emails.pmo.user

    def click() -> ReminderLog:
        return reminder_send_manual(project=emails.project_a1, period=WEEK, sent_by=user)

    outcomes = _run_at_once(click, click)
    assert sorted(type(o).__name__ for o in outcomes) == ["ReminderLog", "ReminderNotSent"]
    assert recipients() == ["pam@example.org"]
