"""Levelling suggestions read from the database: the plan `portfolio.core.levelling` ranks.

`levelling_plan` reads everyone, every booking touching the weeks counted and each
project's slack in six queries (people, bookings, and the impact engine's four), whatever
the size of the portfolio; the ranking is the core module's. A booking may move as late as
its project's slack allows: its project's finish plus the least slack of the links leaving
that finish; a project nothing waits on may go up to its baseline finish (or its forecast,
when that is later already: moving within it moves no date).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from portfolio.core import impact, levelling
from portfolio.core.capacity import load_window
from portfolio.core.levelling import OverAllocation, Plan, Suggestion
from programmes.models import Person
from projects.impact import impact_graph
from projects.models import Allocation

# Weeks counted after the window: as far as a booking may move, so a move is checked
# against every week it lands in.
MOVE_WEEKS = levelling.MAX_MOVE_WEEKS


def levelling_plan(today: date) -> Plan:
    window = load_window(today)
    mondays = load_window(today, len(window) + MOVE_WEEKS)
    people = {
        pk: levelling.Person(pk, name, capacity, team, title or "", archived is None)
        for pk, name, capacity, team, title, archived in Person.objects.values_list(
            "pk", "name", "weekly_capacity_hours", "team_id", "job_title", "archived_at"
        )
    }
    latest = _latest_finishes()
    rows = Allocation.objects.overlapping(mondays[0], mondays[-1] + timedelta(days=6))
    bookings = [
        _booking(row, people, latest) for row in rows.order_by("pk").values_list(*BOOKING_FIELDS)
    ]
    return Plan(people, bookings, window, mondays)


BOOKING_FIELDS = (
    "pk",
    "person_id",
    "project_id",
    "project__name",
    "project__priority",
    "start_date",
    "finish_date",
    "percent",
    "hours_per_week",
    "project__baseline_finish",
    "project__forecast_finish",
    "project__baseline_start",
)


def _booking(
    row: tuple[Any, ...], people: dict[int, levelling.Person], latest: dict[int, date]
) -> levelling.Booking:
    (
        pk,
        person,
        project,
        name,
        priority,
        start,
        finish,
        percent,
        hours,
        baseline,
        forecast,
        begin,
    ) = row
    if hours is None:  # a percentage of the person's capacity, as Allocation.weekly_hours
        hours = people[person].capacity * Decimal(percent or 0) / 100
    return levelling.Booking(
        id=pk,
        person_id=person,
        project_id=project,
        project_name=name,
        priority=priority,
        start=start,
        finish=finish,
        weekly_hours=hours,
        percent=percent,
        project_finish=forecast or baseline,
        latest_finish=latest.get(project),
        earliest_start=begin,
    )


def _latest_finishes() -> dict[int, date]:
    """Each active project's latest finish that moves no other project's dates."""
    graph = impact_graph()
    found: dict[int, date] = {}
    for node in graph.nodes.values():
        if node.id != impact.project_finish(node.project_id) or node.on is None or node.fixed:
            continue
        leaving = graph.outgoing.get(node.id, [])
        if leaving:
            slack = min(graph.slack(link) for link in leaving)
            found[node.project_id] = node.on + timedelta(days=max(0, slack))
        else:
            found[node.project_id] = max(node.on, node.planned or node.on)
    return found


def suggestions_for_everyone(today: date) -> list[OverAllocation]:
    """Every over-allocation across the portfolio, each with its ranked suggestions (the
    benchmark's entry point)."""
    return levelling.suggestions_for(levelling_plan(today))


def suggestions_for_person(person_id: int, today: date) -> list[OverAllocation]:
    return levelling.suggestions_for(levelling_plan(today), [person_id])


def find_suggestion(key: str, person_id: int, today: date) -> Suggestion | None:
    """The suggestion offered today under this key, or None when it is offered no more."""
    for over in suggestions_for_person(person_id, today):
        for suggestion in over.suggestions:
            if suggestion.key == key:
                return suggestion
    return None
