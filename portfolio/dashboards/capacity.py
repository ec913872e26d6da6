"""Demand against capacity across every project: per person, and per team or job title.

One grid for whoever books people (PMO, programme managers): each person's hours per ISO
week on all projects, split into committed demand (projects in delivery and after) and
tentative demand (projects still in initiation or planning), against their capacity.
A team's or job title's row sums its members. People with nothing booked are listed too:
they are where over-booked work can go.

The weeks and the over-booking rule are `portfolio.core.capacity`'s, as on the programme
heat map and the person page; only the split is new here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import groupby
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from portfolio.core.capacity import LOAD_WINDOW_WEEKS, WeekLoad, load_percent, load_window
from portfolio.core.levelling import OverAllocation, Suggestion
from programmes.models import Person
from projects.levelling import suggestions_for_person
from projects.models import Allocation

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

GROUPINGS = {"team": "Team", "role": "Job title"}
UNGROUPED = {"team": "No team", "role": "No job title"}


@dataclass(frozen=True)
class DemandWeek:
    monday: date
    committed: Decimal
    tentative: Decimal
    capacity: Decimal

    @property
    def committed_load(self) -> WeekLoad:
        return WeekLoad(self.monday, self.committed, self.capacity)

    @property
    def total_load(self) -> WeekLoad:
        return WeekLoad(self.monday, self.committed + self.tentative, self.capacity)

    @property
    def tentative_percent(self) -> int | None:
        return load_percent(self.tentative, self.capacity)

    @property
    def title(self) -> str:
        return (
            f"Week {self.monday.isocalendar().week}: {self.committed:.1f} h committed, "
            f"{self.tentative:.1f} h tentative, of {self.capacity:.1f} h"
        ).replace(".0 h", " h")

    @property
    def over_if_pipeline_proceeds(self) -> bool:
        """Within capacity on committed work, over it once the pipeline is approved."""
        return self.total_load.is_overbooked and not self.committed_load.is_overbooked


@dataclass(frozen=True)
class DemandRow:
    name: str
    person: Person | None  # None for a team's or job title's sum
    weeks: tuple[DemandWeek, ...]

    @property
    def is_overbooked(self) -> bool:
        return any(week.committed_load.is_overbooked for week in self.weeks)

    @property
    def is_at_risk(self) -> bool:
        return any(week.over_if_pipeline_proceeds for week in self.weeks)


@dataclass(frozen=True)
class DemandGroup:
    total: DemandRow
    members: list[DemandRow]
    size: int  # everyone in the group, shown or not


@dataclass(frozen=True)
class CapacityGrid:
    mondays: list[date]
    groups: list[DemandGroup]


def capacity_grid(
    people: QuerySet[Person],
    *,
    today: date,
    by: str = "team",
    attention_only: bool = False,
    weeks: int = LOAD_WINDOW_WEEKS,
) -> CapacityGrid:
    """Everyone of `people` grouped by team or job title, over the capacity window: three
    queries (people, committed bookings, tentative bookings).

    With `attention_only`, only people over-booked on committed work or once the pipeline
    proceeds; a group's total still sums all its members, so it says how much room is left.
    """
    mondays = load_window(today, weeks)
    last_day = mondays[-1] + timedelta(days=6)
    bookings = Allocation.objects.filter(person__in=people)
    committed = bookings.committed().weekly_booked_hours(mondays[0], last_day)
    tentative = bookings.tentative().weekly_booked_hours(mondays[0], last_day)

    def row(person: Person) -> DemandRow:
        mine, maybe = committed.get(person.pk, {}), tentative.get(person.pk, {})
        return DemandRow(
            name=person.name,
            person=person,
            weeks=tuple(
                DemandWeek(
                    monday,
                    mine.get(monday, Decimal(0)),
                    maybe.get(monday, Decimal(0)),
                    person.weekly_capacity_hours,
                )
                for monday in mondays
            ),
        )

    ordered = people.select_related("team").order_by(*_order(by), "name", "pk")
    groups = []
    for name, members in groupby(ordered, key=lambda person: _group_name(person, by)):
        rows = [row(person) for person in members]
        shown = [r for r in rows if r.is_overbooked or r.is_at_risk] if attention_only else rows
        if shown:
            groups.append(DemandGroup(total=_sum(name, rows), members=shown, size=len(rows)))
    return CapacityGrid(mondays=mondays, groups=groups)


def _order(by: str) -> list[str]:
    return ["team__name"] if by == "team" else ["job_title"]


def _group_name(person: Person, by: str) -> str:
    if by == "team":
        return person.team.name if person.team else UNGROUPED[by]
    return person.job_title or UNGROUPED[by]


def _sum(name: str, rows: list[DemandRow]) -> DemandRow:
    totals: dict[date, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    for person_row in rows:
        for week in person_row.weeks:
            sums = totals[week.monday]
            sums[0] += week.committed
            sums[1] += week.tentative
            sums[2] += week.capacity
    return DemandRow(
        name=name,
        person=None,
        weeks=tuple(DemandWeek(monday, *sums) for monday, sums in totals.items()),
    )


@dataclass(frozen=True)
class Offer:
    suggestion: Suggestion
    may_apply: bool


@dataclass(frozen=True)
class PersonSuggestions:
    over: OverAllocation
    offers: list[Offer]
    hidden: int  # suggestions touching bookings the viewer may not see


def person_suggestions(user: AnyUser, person: Person, today: date) -> list[PersonSuggestions]:
    """The person's over-allocations with the suggestions the viewer may see."""
    return offers_for(user, suggestions_for_person(person.pk, today))


def offers_for(user: AnyUser, found: list[OverAllocation]) -> list[PersonSuggestions]:
    """Each over-allocation with the suggestions touching bookings the viewer sees (on the
    projects they read), each marked with whether they may apply it (their programme's):
    two queries, however many people."""
    touched = {s.booking.id for over in found for s in over.suggestions}
    bookings = Allocation.objects.filter(pk__in=touched)
    visible = set(bookings.visible_to(user).values_list("pk", flat=True))
    editable = set(bookings.editable_by(user).values_list("pk", flat=True))
    return [
        PersonSuggestions(
            over=over,
            offers=[
                Offer(s, s.booking.id in editable)
                for s in over.suggestions
                if s.booking.id in visible
            ],
            hidden=sum(s.booking.id not in visible for s in over.suggestions),
        )
        for over in found
    ]
