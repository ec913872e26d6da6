"""Reminding project managers to report: due-day reminders, overdue chases, the PMO's click.

- `reporting_reminders_send`: what celery beat runs every hour. For each portfolio, on its
  due day it reminds the managers of projects with no submitted report for the week; on its
  chase day it chases those still missing. Safe to run any number of times.
- `reminder_send`: one reminder about one project and period, claimed before it is sent.
- `reminder_send_manual` / `reminders_send_overdue`: the PMO's buttons on the Reporting page.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.signals import reminder_sent
from programmes.models import Portfolio
from projects.models import Project, ReminderLog
from projects.models.reminders import expected_to_report, without_submission

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.core.mail.backends.base import BaseEmailBackend

    from programmes.models import HealthPolicy

logger = logging.getLogger(__name__)

# Links in emails need the site's address; requests are not there to tell it.
# Hourly beat runs from midnight; nobody wants "your report is due today" at 00:05.
SEND_FROM_HOUR = 7
SUBJECTS = {
    ReminderLog.Kind.DUE: "Weekly report due today: {project} ({period})",
    ReminderLog.Kind.OVERDUE: "Weekly report overdue: {project} ({period})",
    ReminderLog.Kind.MANUAL: "Reminder from the PMO: weekly report for {project} ({period})",
}
# What a mail server or the network can raise while sending one message.
SEND_ERRORS = (smtplib.SMTPException, OSError)


class ReminderNotSent(Exception):
    """Why a reminder could not go: nobody to write to, or the mail failed."""


class NoRecipient(ReminderNotSent):
    """The project has no manager, or its manager no email address."""


@dataclass
class ReminderRun:
    """What one run did, for the task's log and the tests."""

    sent: list[ReminderLog] = field(default_factory=list)
    already_sent: list[Project] = field(default_factory=list)
    no_email: list[Project] = field(default_factory=list)
    failed: list[Project] = field(default_factory=list)

    def merge(self, other: ReminderRun) -> None:
        self.sent += other.sent
        self.already_sent += other.already_sent
        self.no_email += other.no_email
        self.failed += other.failed


def update_url(project: Project, period: Period) -> str:
    """The absolute address of the project's weekly update for the period."""
    path = reverse("projects:report-edit", args=[project.pk])
    return f"{settings.SITE_URL}{path}?period={period.label}"


def recipient_of(project: Project) -> str:
    """The manager's email address; NoRecipient when there is nobody to write to."""
    if project.manager is None:
        raise NoRecipient(f"{project} has no project manager.")
    if not project.manager.email:
        raise NoRecipient(f"{project.manager} has no email address.")
    return project.manager.email


def reminder_message(
    *, project: Project, period: Period, kind: str, recipient: str
) -> EmailMessage:
    policy = project.portfolio.policy
    context = {
        "project": project,
        "manager": project.manager,
        "period": period,
        "due": period.due_date(policy.report_due_weekday),
        "url": update_url(project, period),
        "site_url": settings.SITE_URL,
    }
    return EmailMessage(
        subject=SUBJECTS[ReminderLog.Kind(kind)].format(project=project.name, period=period.label),
        body=render_to_string(f"emails/reporting_reminder_{kind}.txt", context),
        to=[recipient],
    )


def reminder_send(
    *,
    project: Project,
    period: Period,
    kind: str,
    sent_by: User | AnonymousUser | None = None,
    connection: BaseEmailBackend | None = None,
) -> ReminderLog | None:
    """Send one reminder; None when it was already sent (see 2).

    1. Find the recipient (NoRecipient when there is none) and write the message.
    2. Claim: insert the log row in its own transaction. For due and overdue reminders the
       unique constraint refuses a second row for the project and period, so whoever
       inserts first sends, and everyone else (a rerun, another worker) skips. A manual
       reminder is refused when the same person was reminded about the same project and
       period today (by any kind): the PMO's "remind all overdue" seconds after a single
       reminder must not mail twice. The project row is locked for the check and insert,
       so two clicks at once cannot both find nothing sent.
    3. Send. If sending fails, give the claim back so a later run can try again.
    """
    recipient = recipient_of(project)
    user = sent_by if sent_by is not None and sent_by.is_authenticated else None
    message = reminder_message(project=project, period=period, kind=kind, recipient=recipient)
    message.connection = connection
    try:
        with transaction.atomic():
            if kind == ReminderLog.Kind.MANUAL:
                list(Project.objects.select_for_update().filter(pk=project.pk).values("pk"))
                sent_today = ReminderLog.objects.reminded_on(
                    timezone.localdate(), project=project, period=period, recipient=recipient
                )
                if sent_today.exists():
                    return None
            log = ReminderLog.objects.create(
                project=project,
                period_start=period.start,
                kind=kind,
                sent_by=user,
                recipient=recipient,
            )
    except IntegrityError:
        return None
    try:
        message.send()
    except SEND_ERRORS as exc:
        log.delete()
        raise ReminderNotSent(f"The email to {recipient} could not be sent: {exc}") from exc
    reminder_sent.send(sender=ReminderLog, log=log)
    return log


def reminder_send_manual(
    *, project: Project, period: Period, sent_by: User | AnonymousUser
) -> ReminderLog:
    """The PMO's one-click reminder; it may be repeated on a later day, but not for a
    submitted report."""
    if not Project.objects.filter(pk=project.pk).filter(without_submission(period)).exists():
        raise ReminderNotSent(f"{project} has already reported for {period.label}.")
    log = reminder_send(
        project=project, period=period, kind=ReminderLog.Kind.MANUAL, sent_by=sent_by
    )
    if log is None:
        raise ReminderNotSent(
            f"{project.manager} was already reminded today about {project} for {period.label}."
        )
    return log


def reminders_send(
    *,
    projects: list[Project],
    period: Period,
    kind: str,
    sent_by: User | AnonymousUser | None = None,
) -> ReminderRun:
    """Remind the managers of several projects over one mail connection.

    A project without a manager's address, or whose email fails, is logged and skipped so
    the others still get theirs (a failed one is tried again by the next run).
    """
    run = ReminderRun()
    with get_connection() as connection:
        for project in projects:
            try:
                log = reminder_send(
                    project=project,
                    period=period,
                    kind=kind,
                    sent_by=sent_by,
                    connection=connection,
                )
            except NoRecipient as exc:
                run.no_email.append(project)
                logger.warning("No %s reminder for %s (%s): %s", kind, project, period, exc)
                continue
            except ReminderNotSent as exc:
                run.failed.append(project)
                logger.error("%s reminder for %s (%s) failed: %s", kind, project, period, exc)
                continue
            if log is None:
                run.already_sent.append(project)
            else:
                run.sent.append(log)
    return run


def reminders_send_overdue(
    *, projects: list[Project], period: Period, sent_by: User | AnonymousUser
) -> ReminderRun:
    """The PMO's "remind all overdue": a manual reminder for each project given, except
    those whose manager was reminded about it today (`run.already_sent`)."""
    return reminders_send(
        projects=projects, period=period, kind=ReminderLog.Kind.MANUAL, sent_by=sent_by
    )


def reminders_due_on(policy: HealthPolicy, today: date) -> list[tuple[str, Period]]:
    """Which automatic reminders a portfolio's policy calls for today, and for which week.

    The due day is in the week reported on; the chase day can fall in the next week (due
    on Friday with two days' grace is chased on Monday), so its week is counted back.
    """
    due_weekday, grace = policy.report_due_weekday, policy.report_grace_days
    calls = []
    this_week = Period.containing(today)
    if this_week.due_date(due_weekday) == today:
        calls.append((ReminderLog.Kind.DUE.value, this_week))
    chased = Period.containing(today - timedelta(days=due_weekday + grace + 1))
    if chased.chase_date(due_weekday, grace) == today:
        calls.append((ReminderLog.Kind.OVERDUE.value, chased))
    return calls


def reporting_reminders_send(*, now: datetime | None = None) -> ReminderRun:
    """Send today's due reminders and overdue chases for every portfolio (celery beat).

    Idempotent: a reminder already sent for a project and period is skipped, so running
    every hour, or twice at once, sends each at most once.
    """
    now = timezone.localtime(now)
    run = ReminderRun()
    if now.hour < SEND_FROM_HOUR:
        return run
    today = now.date()
    for portfolio in Portfolio.objects.active().select_related("health_policy"):
        for kind, period in reminders_due_on(portfolio.policy, today):
            projects = list(
                expected_to_report(portfolio.projects.all())
                .filter(without_submission(period))
                .select_related("manager", "portfolio__health_policy")
                .order_by("pk")
            )
            run.merge(reminders_send(projects=projects, period=period, kind=kind))
    logger.info(
        "Reporting reminders: %d sent, %d already sent, %d without an address, %d failed",
        len(run.sent),
        len(run.already_sent),
        len(run.no_email),
        len(run.failed),
    )
    return run
