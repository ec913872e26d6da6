"""Who is told about what: the receivers of the events other apps send.

The owning apps send signals (`portfolio.core.signals`) or save rows (derived forecasts);
this module decides the recipients and words, and `services.notify` does the rest. Each
event has a key that names it exactly once (the escalated item, the health record that
turned red, the reminder sent, the pushed dates, the report and person mentioned), so an
event seen twice makes one notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import dateformat, timezone

from portfolio.core.ratings import Rating
from portfolio.core.signals import (
    health_records_stored,
    item_escalated,
    reminder_sent,
    status_report_submitted,
)
from portfolio.health.models import HealthRecord, ProgrammeHealth, ProjectHealth
from portfolio.notifications.models import Kind
from portfolio.notifications.services import notify
from programmes.models import Programme
from projects.models import DerivedForecast, Project, ReminderLog, StatusReport
from projects.models.reporting import RATED

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from programmes.models import Person
    from projects.models import Issue, Risk

# "@username", not inside an email address ("me@example.org" mentions nobody).
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+)")
NARRATIVE_FIELDS = (
    "accomplishments",
    "next_steps",
    "decisions_needed",
    *(f"{name}_reason" for name in RATED),
)


def connect() -> None:
    item_escalated.connect(on_escalation, dispatch_uid="notifications.escalation")
    health_records_stored.connect(on_health_stored, dispatch_uid="notifications.health")
    reminder_sent.connect(on_reminder, dispatch_uid="notifications.reminder")
    status_report_submitted.connect(on_report_submitted, dispatch_uid="notifications.mention")
    post_save.connect(
        on_derived_forecast, sender=DerivedForecast, dispatch_uid="notifications.slip"
    )


def _user_of(person: Person | None) -> User | None:
    return person.user if person is not None else None


def _day(moment: datetime | None) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y") if moment else ""


def _programme_managers(programme: Programme | None) -> list[User | None]:
    return [_user_of(programme.manager)] if programme is not None else []


# (a) Escalations --------------------------------------------------------------------------


def on_escalation(sender: type[Risk | Issue], item: Risk | Issue, **_: Any) -> None:
    """A project's risk or issue reached its programme: tell the programme's manager."""
    what = item._meta.verbose_name
    notify(
        recipients=_programme_managers(item.programme),
        kind=Kind.ESCALATION,
        event_key=f"escalated:{item._meta.model_name}:{item.pk}",
        title=f"{str(what).capitalize()} escalated to {item.programme}: {item.title}",
        body=f"Escalated from {item.project} on {_day(item.escalated_at)}.",
        url=item.get_absolute_url(),
    )


# (b) Health turning red -------------------------------------------------------------------


def turned_red(
    rows: Iterable[HealthRecord], previous: dict[int, HealthRecord], field: str
) -> Iterator[HealthRecord]:
    """The new records that are red where the one they replace was not. A first record is
    no transition: a project created or loaded red (the demo, an import) tells nobody."""
    for row in rows:
        before = previous.get(getattr(row, f"{field}_id"))
        if row.overall == Rating.RED and before is not None and before.overall != Rating.RED:
            yield row


def on_health_stored(
    sender: type[HealthRecord],
    rows: list[HealthRecord],
    previous: dict[int, HealthRecord],
    **_: Any,
) -> None:
    """Told after the roll-up commits: a notice never holds up (or fails) the health write,
    and the roll-up's transaction reads only its inputs (tests/health/test_inputs.py)."""
    if sender is ProjectHealth:
        projects = list(turned_red(rows, previous, "project"))
        if projects:
            transaction.on_commit(partial(_projects_turned_red, projects))
    elif sender is ProgrammeHealth:
        programmes = list(turned_red(rows, previous, "programme"))
        if programmes:
            transaction.on_commit(partial(_programmes_turned_red, programmes))


def _projects_turned_red(records: list[Any]) -> None:
    projects = Project.objects.select_related("manager__user", "programme__manager__user").in_bulk(
        [r.project_id for r in records]
    )
    for record in records:
        project = projects[record.project_id]
        notify(
            recipients=[_user_of(project.manager), *_programme_managers(project.programme)],
            kind=Kind.HEALTH_RED,
            event_key=f"red:project:{record.pk}",
            title=f"{project} turned red",
            body=_reasons(record),
            url=project.get_absolute_url(),
        )


def _programmes_turned_red(records: list[Any]) -> None:
    programmes = Programme.objects.select_related("manager__user").in_bulk(
        [r.programme_id for r in records]
    )
    for record in records:
        programme = programmes[record.programme_id]
        notify(
            recipients=_programme_managers(programme),
            kind=Kind.HEALTH_RED,
            event_key=f"red:programme:{record.pk}",
            title=f"{programme} turned red",
            body=_reasons(record),
            url=programme.get_absolute_url(),
        )


def _reasons(record: HealthRecord) -> str:
    messages = [r.get("message", "") for r in record.reasons if isinstance(r, dict)]
    return "\n".join(f"- {m}" for m in messages if m)


# (c) Report reminders ---------------------------------------------------------------------


def on_reminder(sender: type[ReminderLog], log: ReminderLog, **_: Any) -> None:
    """The reminder was emailed already (projects.reminders): an in-app notice beside it."""
    project = Project.objects.select_related("manager__user").get(pk=log.project_id)
    url = reverse("projects:report-edit", args=[project.pk])
    notify(
        recipients=[_user_of(project.manager)],
        kind=Kind.REMINDER,
        event_key=f"reminder:{log.pk}",
        title=f"Weekly report for {project} ({log.get_kind_display().lower()})",
        body=f"The report for the week of {log.period_start:%d %b %Y} is waiting for you.",
        url=f"{url}?period={log.period.label}",
    )


# (d) Upstream slips -----------------------------------------------------------------------


def on_derived_forecast(
    sender: type[DerivedForecast], instance: DerivedForecast, raw: bool = False, **_: Any
) -> None:
    """Once per change of the pushed dates: the key names them, so a save that keeps them
    (or a rerun) makes no second notice."""
    if raw or instance.pushed_days == 0:
        return
    project = Project.objects.select_related("manager__user").get(pk=instance.project_id)
    notify(
        recipients=[_user_of(project.manager)],
        kind=Kind.UPSTREAM_SLIP,
        event_key=f"slip:{project.pk}:{instance.start}:{instance.finish}",
        title=f"An upstream slip moves {project}",
        body=f"{instance.reason()}.",
        url=project.get_absolute_url(),
    )


# (e) Mentions -----------------------------------------------------------------------------


def mentioned_usernames(report: StatusReport) -> set[str]:
    text = "\n".join(getattr(report, name) or "" for name in NARRATIVE_FIELDS)
    return {name.rstrip(".") for name in MENTION.findall(text)}


def on_report_submitted(sender: type[StatusReport], report: StatusReport, **_: Any) -> None:
    """Tell each person mentioned who may see the project. Names carried forward from the
    project's previous report (drafts open pre-filled) were told then, and a revision of
    the same week tells nobody twice (the key is the project's week)."""
    names = mentioned_usernames(report)
    earlier = (
        StatusReport.objects.submitted()
        .filter(project_id=report.project_id, period_start__lt=report.period_start)
        .order_by("-period_start", "-revision")
        .first()
    )
    if earlier is not None:
        names -= mentioned_usernames(earlier)
    if not names:
        return
    project = report.project
    users = get_user_model().objects.filter(username__in=names, is_active=True)
    readers = [u for u in users if Project.objects.visible_to(u).filter(pk=project.pk).exists()]
    author = report.author.get_username() if report.author else "Someone"
    for user in readers:
        notify(
            recipients=[user],
            kind=Kind.MENTION,
            event_key=f"mention:{project.pk}:{report.period_start}:{user.pk}",
            title=f"{author} mentioned you in the weekly report of {project}",
            body=f"Week of {report.period_start:%d %b %Y}.",
            url=report.get_absolute_url(),
        )
