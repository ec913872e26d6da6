"""A user's calendar (RFC 5545, written with the icalendar library): the milestones of the
projects they manage and of the programmes they manage, and the days their weekly status
reports are due.

Every event is all-day and has a UID that depends only on what it is (a milestone, or a
portfolio's due day in one ISO week), so a client that polls the feed moves an event when
its date changes instead of adding a second one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.urls import reverse
from icalendar import Calendar, Event

from portfolio.core.periods import Period
from programmes.models import Portfolio, person_for
from projects.models import Milestone, Project

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

PRODUCT_ID = "-//Stationmaster//Calendar feed//EN"
UID_DOMAIN = "stationmaster"
# Report due days shown around today: a month back (what was missed) and a quarter ahead.
WEEKS_BACK = 4
WEEKS_AHEAD = 12

AbsoluteUrl = Callable[[str], str]


def milestone_projects(user: AnyUser) -> QuerySet[Project]:
    """Active projects the user manages, or whose programme they manage."""
    person = person_for(user)
    if person is None:
        return Project.objects.none()
    return Project.objects.active().filter(Q(manager=person) | Q(programme__manager=person))


def reported_projects(user: AnyUser) -> QuerySet[Project]:
    """Active projects whose weekly status report the user writes (as their manager)."""
    return Project.objects.active().led_by(user).exclude(stage=Project.Stage.CLOSED)


def _milestone_event(milestone: Milestone, stamp: datetime, url: AbsoluteUrl) -> Event:
    project = milestone.project
    day = milestone.expected_date()
    reached = milestone.actual_date is not None
    event = Event()
    event.add("uid", f"milestone-{milestone.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"{project.name}: {milestone.name}{' (reached)' if reached else ''}")
    lines = [f"Baseline: {milestone.baseline_date:%d %b %Y}"]
    if milestone.forecast_date is not None:
        lines.append(f"Forecast: {milestone.forecast_date:%d %b %Y}")
    if reached:
        lines.append(f"Reached: {day:%d %b %Y}")
    event.add("description", "\n".join(lines))
    event.add("url", url(project.get_absolute_url()))
    event.add("transp", "TRANSPARENT")  # a milestone does not make anyone busy
    return event


def _due_event(
    portfolio: Portfolio, projects: list[Project], period: Period, stamp: datetime, url: str
) -> Event:
    day = period.due_date(portfolio.policy.report_due_weekday)
    names = ", ".join(p.name for p in projects)
    event = Event()
    event.add("uid", f"report-due-{portfolio.pk}-{period.label}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", f"Status report{'s' if len(projects) > 1 else ''} due: {names}")
    event.add("description", f"{portfolio.name}, week {period.label}.")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _periods(today: date) -> Iterable[Period]:
    first = Period.containing(today).previous(WEEKS_BACK)
    for offset in range(WEEKS_BACK + WEEKS_AHEAD + 1):
        yield Period.containing(first.start + timedelta(weeks=offset))


def calendar_for(user: AnyUser, *, today: date, stamp: datetime, url: AbsoluteUrl) -> Calendar:
    """The user's feed as of `today`; `stamp` is every event's DTSTAMP (when the feed was
    made) and `url` makes a path absolute."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Stationmaster")
    milestones = (
        Milestone.objects.filter(project__in=milestone_projects(user))
        .select_related("project")
        .order_by("pk")
    )
    for milestone in milestones:
        calendar.add_component(_milestone_event(milestone, stamp, url))
    by_portfolio: dict[Portfolio, list[Project]] = defaultdict(list)
    for project in reported_projects(user).select_related("portfolio__health_policy"):
        by_portfolio[project.portfolio].append(project)
    mine = url(reverse("projects:mine"))
    for period in _periods(today):
        for portfolio, projects in by_portfolio.items():
            calendar.add_component(_due_event(portfolio, projects, period, stamp, mine))
    return calendar
