"""A scenario as it would be, beside live: over-allocations, dates, money by month and health.

Nothing is written. The scenario's changes are overlaid in memory on what the product's own
rules read, so a scenario and the live pages never disagree on a rule:

1. Dates: the impact engine's graph (`projects.impact.impact_graph`, four queries) and its
   forward pass, with each moved project's start (when still to come), open milestones and
   finish as `Change`s; the report groups the moves as the user may see them.
2. Every project whose finish (or start) moves, directly or downstream, moves whole: its
   bookings (those not yet finished; a booking under way keeps its start) and its money by
   month (`projects.money.forecast_by_month`: the months from this one on, shifted by the
   months its finish moves).
   A cancelled project keeps what it has spent: its money after this month and its
   bookings from today are dropped.
3. Capacity: the bookings of the people the scope books (and of the people and teams the
   changes name) over CAPACITY_WEEKS from this week, spread by the one rule
   (`projects.models.delivery.booked_hours`) and judged by `portfolio.core.capacity`.
4. Health: `project_facts` + `assess_project` for the scope's projects, live and with the
   moved dates overlaid (forecast finish, open milestones, the push from upstream), counted
   red/amber/green; a cancelled project leaves the count.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from portfolio.core import impact
from portfolio.core.capacity import WeekLoad, load_window, overbooking_summary
from portfolio.core.health_rules import Assessment
from portfolio.core.money import Phasing, add_months, added, month_of, shifted
from portfolio.health.project import ProjectFacts, assess_project, project_facts
from portfolio.scenarios.models import Scenario, ScenarioChange
from programmes.models import Person
from projects.impact import ImpactReport, impact_graph, impact_report
from projects.models import Allocation, DerivedForecast, Milestone, Project
from projects.models.delivery import booked_hours
from projects.money import forecast_by_month

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

# Long enough to see a quarter's delay land: the capacity window of the live pages, twice.
CAPACITY_WEEKS = 26
HEALTH_ORDER = ("red", "amber_red", "amber", "amber_green", "green", "")


# The overlay ---------------------------------------------------------------------------------


@dataclass
class Overlay:
    """The scenario's changes, by what they touch."""

    moves: dict[int, int] = field(default_factory=dict)  # project → calendar days later
    cancelled: set[int] = field(default_factory=set)
    bookings: dict[int, ScenarioChange] = field(default_factory=dict)  # allocation → change
    new_bookings: list[ScenarioChange] = field(default_factory=list)
    capacity: dict[int, Decimal] = field(default_factory=dict)  # person → weekly hours
    placeholders: list[ScenarioChange] = field(default_factory=list)

    @classmethod
    def of(cls, changes: Iterable[ScenarioChange]) -> Overlay:
        overlay = cls()
        for change in changes:
            overlay.add(change)
        return overlay

    def add(self, change: ScenarioChange) -> None:
        kind = ScenarioChange.Kind
        if change.kind == kind.MOVE and change.project_id is not None:
            self.moves[change.project_id] = self.moves.get(change.project_id, 0) + (
                change.days or 0
            )
        elif change.kind == kind.CANCEL and change.project_id is not None:
            self.cancelled.add(change.project_id)
        elif change.kind in (kind.BOOKING, kind.REMOVE_BOOKING):
            if change.allocation_id is not None:
                self.bookings[change.allocation_id] = change
        elif change.kind == kind.NEW_BOOKING:
            self.new_bookings.append(change)
        elif change.kind == kind.CAPACITY and change.person_id is not None:
            self.capacity[change.person_id] = change.hours or Decimal(0)
        elif change.kind == kind.PLACEHOLDER:
            self.placeholders.append(change)


# Dates ---------------------------------------------------------------------------------------


def graph_changes(graph: impact.Graph, moves: dict[int, int], today: date) -> list[impact.Change]:
    """Each moved project's start (when still to come), open milestones and finish, as the
    engine's changes in working days."""
    by_project: dict[int, list[impact.Node]] = defaultdict(list)
    for node in graph.nodes.values():
        if node.project_id in moves:
            by_project[node.project_id].append(node)
    changes = []
    for project_id, days in moves.items():
        for node in by_project[project_id]:
            if node.on is None or node.fixed or days <= 0:
                continue
            if node.id.endswith(":start") and node.on < today:
                continue
            later = impact.working_days_between(node.on, node.on + timedelta(days=days))
            changes.append(impact.Change(node.id, later))
    return changes


@dataclass(frozen=True)
class Shift:
    """How far a project moves in the scenario: its start and finish, in calendar days."""

    start: int = 0
    finish: int = 0

    @property
    def days(self) -> int:
        return max(self.start, self.finish)


def project_shifts(moves: dict[str, impact.Move]) -> dict[int, Shift]:
    starts: dict[int, int] = {}
    finishes: dict[int, int] = {}
    for node_id, move in moves.items():
        if node_id.endswith(":start"):
            starts[move.node.project_id] = move.days
        elif node_id.endswith(":finish"):
            finishes[move.node.project_id] = move.days
    return {
        pk: Shift(starts.get(pk, 0), finishes.get(pk, 0)) for pk in starts.keys() | finishes.keys()
    }


# Capacity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLoad:
    person: Person
    live: list[WeekLoad]  # the over-booked weeks
    scenario: list[WeekLoad]

    @property
    def live_summary(self) -> str:
        return overbooking_summary(self.live)

    @property
    def scenario_summary(self) -> str:
        return overbooking_summary(self.scenario)

    @property
    def verdict(self) -> str:
        if self.live and not self.scenario:
            return "cleared"
        if self.scenario and not self.live:
            return "new"
        return "changed" if self.live_summary != self.scenario_summary else "same"


@dataclass(frozen=True)
class TeamCapacity:
    change: ScenarioChange
    live_hours: Decimal
    scenario_hours: Decimal


@dataclass
class CapacityPanel:
    weeks: list[date]
    people: list[PersonLoad]
    teams: list[TeamCapacity]

    @property
    def live_weeks_over(self) -> int:
        return sum(len(p.live) for p in self.people)

    @property
    def scenario_weeks_over(self) -> int:
        return sum(len(p.scenario) for p in self.people)

    @property
    def live_people_over(self) -> int:
        return sum(1 for p in self.people if p.live)

    @property
    def scenario_people_over(self) -> int:
        return sum(1 for p in self.people if p.scenario)


def _moved_booking(booking: Allocation, days: int, today: date) -> Allocation:
    moved = copy.copy(booking)
    if booking.start_date >= today:
        moved.start_date = booking.start_date + timedelta(days=days)
    moved.finish_date = booking.finish_date + timedelta(days=days)
    return moved


def _cancelled_booking(booking: Allocation, today: date) -> Allocation | None:
    if booking.start_date >= today:
        return None
    cut = copy.copy(booking)
    cut.finish_date = min(booking.finish_date, today - timedelta(days=1))
    return cut


def scenario_bookings(
    live: list[Allocation],
    overlay: Overlay,
    shifts: dict[int, Shift],
    people: dict[int, Person],
    today: date,
) -> list[Allocation]:
    """The bookings as the scenario makes them, each holding its scenario person."""
    found: list[Allocation] = []
    for booking in live:
        change = overlay.bookings.get(booking.pk)
        made: Allocation | None = change.booking(booking) if change else booking
        if made is None:
            continue
        if made.project_id in overlay.cancelled:
            made = _cancelled_booking(made, today)
        elif made.finish_date >= today and (shift := shifts.get(made.project_id)):
            made = _moved_booking(made, shift.days, today)
        if made is not None:
            found.append(made)
    for change in overlay.new_bookings:
        made = change.booking(None)
        if made is not None and made.person_id in people:
            found.append(made)
    for made in found:
        made.person = people[made.person_id]
    return found


def _over(hours: dict[date, Decimal], capacity: Decimal, weeks: list[date]) -> list[WeekLoad]:
    loads = (WeekLoad(monday, hours.get(monday, Decimal(0)), capacity) for monday in weeks)
    return [load for load in loads if load.is_overbooked]


def capacity_panel(
    scenario: Scenario, overlay: Overlay, shifts: dict[int, Shift], today: date
) -> CapacityPanel:
    """Over-allocations, live and as the scenario makes them: two queries."""
    weeks = load_window(today, CAPACITY_WEEKS)
    first, last = weeks[0], weeks[-1] + timedelta(days=6)
    named = {c.person_id for c in overlay.new_bookings if c.person_id} | set(overlay.capacity)
    teams = {c.team_id for c in overlay.placeholders if c.team_id}
    booked_people = Allocation.objects.filter(project__in=scenario.projects()).values("person")
    # Moves go later only, so what is live before the window stays out of it.
    in_window = Q(start_date__lte=last, finish_date__gte=first)
    live = list(
        Allocation.objects.filter(
            (in_window & (Q(person__in=booked_people) | Q(person__in=named | _team_people(teams))))
            | Q(pk__in=list(overlay.bookings))
        ).select_related("person")
    )
    people = {b.person_id: b.person for b in live}
    people.update({p.pk: p for p in Person.objects.filter(pk__in=named - people.keys())})
    mirrored = {pk: copy.copy(person) for pk, person in people.items()}
    for pk, hours in overlay.capacity.items():
        if pk in mirrored:
            mirrored[pk].weekly_capacity_hours = hours
    live_hours, _ = booked_hours(live, first, last)
    made = scenario_bookings(live, overlay, shifts, mirrored, today)
    scenario_hours, _ = booked_hours(made, first, last)
    rows = []
    for pk in sorted(people, key=lambda pk: (people[pk].name, pk)):
        before = _over(live_hours.get(pk, {}), people[pk].weekly_capacity_hours, weeks)
        after = _over(scenario_hours.get(pk, {}), mirrored[pk].weekly_capacity_hours, weeks)
        if before or after:
            rows.append(PersonLoad(people[pk], before, after))
    return CapacityPanel(weeks, rows, _team_rows(overlay, people))


def _team_people(teams: set[int]) -> set[int]:
    if not teams:
        return set()
    return set(Person.objects.active().filter(team__in=teams).values_list("pk", flat=True))


def _team_rows(overlay: Overlay, people: dict[int, Person]) -> list[TeamCapacity]:
    rows = []
    for change in overlay.placeholders:
        members = [p for p in people.values() if p.team_id == change.team_id]
        live = sum((p.weekly_capacity_hours for p in members), Decimal(0))
        added_hours = (change.hours or Decimal(0)) * (change.count or 0)
        rows.append(TeamCapacity(change, live, live + added_hours))
    return rows


# Money --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: date
    live: Decimal
    scenario: Decimal

    @property
    def difference(self) -> Decimal:
        return self.scenario - self.live

    @property
    def change(self) -> str:
        """Which way the month moved as shown ("up", "down"), or "" when the difference
        reads 0 (whole units, rounded half up like the `amount` tag): pennies moved by
        spreading are no change."""
        shown = self.difference.quantize(Decimal(1), ROUND_HALF_UP)
        return "" if not shown else ("up" if shown > 0 else "down")


@dataclass
class MoneyPanel:
    months: list[MonthRow]

    @property
    def live_total(self) -> Decimal:
        return sum((row.live for row in self.months), Decimal(0))

    @property
    def scenario_total(self) -> Decimal:
        return sum((row.scenario for row in self.months), Decimal(0))

    @property
    def changed(self) -> list[MonthRow]:
        return [row for row in self.months if row.difference]

    @property
    def peak(self) -> Decimal:
        return max((max(row.live, row.scenario) for row in self.months), default=Decimal(0))


def _months_moved(project: Project, days: int) -> int:
    finish = project.forecast_finish or project.baseline_finish
    moved = finish + timedelta(days=days)
    return (moved.year - finish.year) * 12 + moved.month - finish.month


def money_panel(
    projects: list[Project], overlay: Overlay, shifts: dict[int, Shift], today: date
) -> MoneyPanel:
    live = forecast_by_month(projects)
    this_month = month_of(today)
    made: list[Phasing] = []
    for project in projects:
        phasing = live.get(project.pk, {})
        if project.pk in overlay.cancelled:
            phasing = {m: amount for m, amount in phasing.items() if m <= this_month}
        elif shift := shifts.get(project.pk):
            phasing = _moved_money(phasing, _months_moved(project, shift.days), this_month)
        made.append(phasing)
    before, after = added(live.values()), added(made)
    months = sorted(before.keys() | after.keys())
    if months:
        months = _every_month(months[0], months[-1])
    zero = Decimal(0)
    return MoneyPanel([MonthRow(m, before.get(m, zero), after.get(m, zero)) for m in months])


def _moved_money(phasing: Phasing, months: int, this_month: date) -> Phasing:
    """What is left to spend moves; months gone by stay as they were (the total holds)."""
    past = {m: amount for m, amount in phasing.items() if m < this_month}
    rest = {m: amount for m, amount in phasing.items() if m >= this_month}
    return added([past, shifted(rest, months)])


def _every_month(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


# Health -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HealthRow:
    project: Project
    live: str
    scenario: str  # "cancelled" when the scenario cancels it
    reasons: tuple[str, ...]


@dataclass
class HealthPanel:
    rows: list[HealthRow]  # every project of the scope

    def _counts(self, attribute: str) -> dict[str, int]:
        counted = Counter(getattr(row, attribute) for row in self.rows)
        return {name: counted.get(name, 0) for name in HEALTH_ORDER if counted.get(name)}

    @property
    def live_counts(self) -> dict[str, int]:
        return self._counts("live")

    @property
    def scenario_counts(self) -> dict[str, int]:
        counts = self._counts("scenario")
        cancelled = sum(1 for row in self.rows if row.scenario == "cancelled")
        return {**counts, "cancelled": cancelled} if cancelled else counts

    @property
    def changed(self) -> list[HealthRow]:
        return [row for row in self.rows if row.live != row.scenario]


def _moved_facts(
    facts: ProjectFacts,
    shift: Shift,
    direct: int | None,
    milestones: list[Milestone],
    cause: Project | None,
) -> ProjectFacts:
    """The facts with the scenario's dates: a project moved itself gets a later forecast
    finish and milestones; one pushed from upstream a larger push (as a derived forecast)."""
    moved = copy.copy(facts)
    if direct is not None:
        project = copy.copy(facts.project)
        finish = project.forecast_finish or project.baseline_finish
        project.forecast_finish = finish + timedelta(days=shift.finish or direct)
        moved.project = project
        slips = [(m.slippage_days + (shift.finish or direct), m.name) for m in milestones]
        if slips and max(slips)[0] > moved.milestone_slip_days:
            moved.milestone_slip_days, moved.milestone_slipping = max(slips)
        return moved
    live = facts.derived
    moved.derived = DerivedForecast(
        project_id=facts.project.pk,
        start_pushed_days=max(shift.start, live.start_pushed_days if live else 0),
        finish_pushed_days=max(shift.finish, live.finish_pushed_days if live else 0),
        caused_by=cause,
    )
    return moved


def health_panel(
    projects: list[Project],
    overlay: Overlay,
    shifts: dict[int, Shift],
    causes: dict[int, Project | None],
    today: date,
) -> HealthPanel:
    """Project health live and as it would be: the same facts and rules (eight queries)."""
    facts = project_facts(projects, today)
    open_milestones: dict[int, list[Milestone]] = defaultdict(list)
    for found in Milestone.objects.open().filter(project__in=list(overlay.moves)):
        open_milestones[found.project_id].append(found)
    rows = []
    for project in projects:
        policy = project.portfolio.policy
        live = assess_project(facts[project.pk], policy, today)
        if project.pk in overlay.cancelled:
            rows.append(HealthRow(project, live.overall or "", "cancelled", ()))
            continue
        after = live
        if (shift := shifts.get(project.pk)) is not None:
            moved = _moved_facts(
                facts[project.pk],
                shift,
                overlay.moves.get(project.pk),
                open_milestones[project.pk],
                causes.get(project.pk),
            )
            after = assess_project(moved, policy, today)
        rows.append(HealthRow(project, live.overall or "", after.overall or "", _why(after)))
    return HealthPanel(rows)


def _why(assessment: Assessment) -> tuple[str, ...]:
    return tuple(reason.message for reason in assessment.reasons if reason.rule != "reported")


# The whole evaluation -----------------------------------------------------------------------


@dataclass
class Evaluation:
    scenario: Scenario
    today: date
    capacity: CapacityPanel
    dates: ImpactReport
    money: MoneyPanel
    health: HealthPanel
    moved_projects: list[tuple[Project, Shift]]

    def as_data(self) -> dict[str, Any]:
        """Plain JSON for the API."""
        return {
            "scenario": self.scenario.pk,
            "today": self.today,
            "capacity": _capacity_data(self.capacity),
            "dates": _dates_data(self.dates),
            "money": _money_data(self.money),
            "health": _health_data(self.health),
        }


def evaluate(scenario: Scenario, user: AnyUser | None = None) -> Evaluation:
    """The scenario as it would be, beside live (see the module docstring); `user` decides
    which downstream moves are named (the scenario's owner when not given)."""
    today = timezone.localdate()
    overlay = Overlay.of(scenario.changes.all())
    projects = list(
        scenario.projects().select_related("portfolio__health_policy").order_by("name", "pk")
    )
    graph = impact_graph()
    changes = graph_changes(graph, overlay.moves, today)
    result = impact.forward_pass(graph, changes)
    shifts = project_shifts(result.moves)
    # A project moved by the scenario moves by its calendar days, as applying moves it (the
    # engine counts working days, so a weekend date would land a day or two short).
    changed = {change.node for change in changes}
    for pk, days in overlay.moves.items():
        if days > 0:
            shifts[pk] = Shift(days if impact.project_start(pk) in changed else 0, days)
    report = impact_report(user or scenario.owner, changes, graph)
    by_pk = {p.pk: p for p in projects}
    causes = {
        move.node.project_id: by_pk.get(graph.nodes[move.chain[0]].project_id)
        for move in result.moves.values()
    }
    return Evaluation(
        scenario=scenario,
        today=today,
        capacity=capacity_panel(scenario, overlay, shifts, today),
        dates=report,
        money=money_panel(projects, overlay, shifts, today),
        health=health_panel(projects, overlay, shifts, causes, today),
        moved_projects=[(by_pk[pk], shift) for pk, shift in shifts.items() if pk in by_pk],
    )


def _capacity_data(panel: CapacityPanel) -> dict[str, Any]:
    return {
        "weeks": [panel.weeks[0], panel.weeks[-1]],
        "people_over": {"live": panel.live_people_over, "scenario": panel.scenario_people_over},
        "weeks_over": {"live": panel.live_weeks_over, "scenario": panel.scenario_weeks_over},
        "people": [
            {
                "person": row.person.pk,
                "name": row.person.name,
                "live": row.live_summary,
                "scenario": row.scenario_summary,
                "verdict": row.verdict,
            }
            for row in panel.people
        ],
        "teams": [
            {
                "team": row.change.team_id,
                "live_hours": row.live_hours,
                "scenario_hours": row.scenario_hours,
            }
            for row in panel.teams
        ],
    }


def _dates_data(report: ImpactReport) -> dict[str, Any]:
    return {
        "moves": [
            {
                "project": row.move.node.project_id,
                "project_name": row.move.node.project_label,
                "node": row.move.node.label,
                "old": row.move.old,
                "new": row.move.new,
                "chain": row.chain_text,
            }
            for group in report.groups
            for row in group.rows
        ],
        "hidden_moves": report.hidden_moves,
        "benefits_hit": [
            {
                "benefit": hit.benefit.id,
                "name": hit.benefit.label,
                "target": hit.benefit.target_date,
            }
            for hit in report.benefits
        ],
    }


def _money_data(panel: MoneyPanel) -> dict[str, Any]:
    return {
        "live_total": panel.live_total,
        "scenario_total": panel.scenario_total,
        "months": [
            {"month": row.month, "live": row.live, "scenario": row.scenario} for row in panel.months
        ],
    }


def _health_data(panel: HealthPanel) -> dict[str, Any]:
    return {
        "live": panel.live_counts,
        "scenario": panel.scenario_counts,
        "changed": [
            {
                "project": row.project.pk,
                "name": row.project.name,
                "live": row.live,
                "scenario": row.scenario,
            }
            for row in panel.changed
        ],
    }
