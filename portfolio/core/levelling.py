"""Levelling suggestions: ranked ways out of an over-allocation, model-free.

`projects.levelling` reads the people, their bookings and each project's slack (the impact
engine's) into a `Plan`; this module only computes. A person is over-allocated in a week
by `portfolio.core.capacity.is_overbooked`, counting every booking (as the heat map and the
person page do). For each run of consecutive over weeks, each booking of that person in the
run is a candidate to touch, and each gives up to three kinds of option:

1. *Reassign*: the part of the booking inside the run goes to someone of the same team or
   job title who stays within capacity in every week of it.
2. *Move*: the whole booking, not yet started, moves later (else earlier) by the fewest
   whole weeks that clear the run, never past its project's latest finish (slack) nor
   before its start, nor into a week it would over-book.
3. *Split*: the booking's hours in the run are cut to what fits; the rest stays.

Order (deterministic, as TaskJuggler and ProjeQtOr order work): options that clear the run
first; then the booking on the lowest-priority project (4 low before 1 critical), then the
one with most slack, then the latest start; then reassign (fewest new busy weeks) before
move before split. Every option offered keeps every week of every person that was within
capacity within it, and never adds hours to the over-allocated person.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cached_property

from portfolio.core.capacity import (
    NEARLY_FULL_ABOVE_PERCENT,
    WeekLoad,
    overbooking_summary,
)

KINDS = ("reassign", "move", "split")
MAX_MOVE_WEEKS = 12
# The best few people to give each booking to: a list of everyone with room is not a choice.
MAX_REASSIGNS = 3
# hours_per_week has one decimal and a floor of half an hour (projects.models.Allocation).
HOURS_STEP = Decimal("0.1")
MIN_HOURS = Decimal("0.5")
FOUR_DAYS = timedelta(days=4)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    capacity: Decimal  # hours a week
    team_id: int | None = None
    job_title: str = ""
    active: bool = True


@dataclass(frozen=True)
class Booking:
    """A person's booking on a project; `latest_finish` is as late as it may finish without
    moving any other project's dates (its project's slack)."""

    id: int
    person_id: int
    project_id: int
    project_name: str
    priority: int  # 1 critical … 4 low
    start: date
    finish: date
    weekly_hours: Decimal
    percent: int | None = None
    project_finish: date | None = None
    latest_finish: date | None = None
    earliest_start: date | None = None  # its project's start: work is not moved before it

    def hours_in(self, monday: date) -> Decimal:
        """Its hours in the ISO week of `monday`, pro rata to the weekdays it covers."""
        friday = monday + FOUR_DAYS
        if self.start <= monday and friday <= self.finish:  # most weeks: all five days
            return self.weekly_hours
        first = max(monday, self.start)
        last = min(friday, self.finish)
        days = max(0, (last - first).days + 1)
        return self.weekly_hours * days / 5 if days else Decimal(0)

    @property
    def slack_days(self) -> int:
        if self.latest_finish is None:
            return 0
        return max(0, (self.latest_finish - self.finish).days)


@dataclass(frozen=True)
class Piece:
    """One booking after the change: `booking_id` None for a new one. `percent` is kept
    only when the piece keeps the booking's own percentage."""

    booking_id: int | None
    person_id: int
    project_id: int
    start: date
    finish: date
    weekly_hours: Decimal
    percent: int | None = None


@dataclass(frozen=True)
class Suggestion:
    key: str
    kind: str
    booking: Booking
    summary: str
    consequences: tuple[str, ...]
    pieces: tuple[Piece, ...]  # what replaces the booking
    resolves: bool
    rank: tuple[object, ...] = field(compare=False, default=())


@dataclass(frozen=True)
class OverAllocation:
    person: Person
    weeks: tuple[WeekLoad, ...]  # the run of over weeks
    suggestions: tuple[Suggestion, ...]

    @property
    def summary(self) -> str:
        return overbooking_summary(list(self.weeks))


@dataclass
class Plan:
    """Everyone, their bookings, the weeks to level (`window`) and the weeks counted
    (`mondays`: the window and as far as a booking may move)."""

    people: dict[int, Person]
    bookings: list[Booking]
    window: list[date]
    mondays: list[date]
    _limits: dict[int, tuple[list[Decimal], list[Decimal]]] = field(
        default_factory=dict, init=False, repr=False
    )

    @cached_property
    def by_person(self) -> dict[int, list[Booking]]:
        found: dict[int, list[Booking]] = defaultdict(list)
        for booking in self.bookings:
            found[booking.person_id].append(booking)
        return found

    @cached_property
    def loads(self) -> dict[int, dict[date, Decimal]]:
        found: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for booking in self.bookings:
            for monday in _weeks_of(booking.start, booking.finish, self.mondays):
                found[booking.person_id][monday] += booking.hours_in(monday)
        return found

    @cached_property
    def _alike(self) -> dict[int, list[Person]]:
        by_team: dict[int, list[Person]] = defaultdict(list)
        by_title: dict[str, list[Person]] = defaultdict(list)
        for person in sorted(self.people.values(), key=lambda p: (p.name, p.id)):
            if person.active and person.team_id is not None:
                by_team[person.team_id].append(person)
            if person.active and person.job_title:
                by_title[person.job_title].append(person)
        found: dict[int, list[Person]] = {}
        for person in self.people.values():
            mates = by_team.get(person.team_id or -1, []) + by_title.get(person.job_title, [])
            unique = {mate.id: mate for mate in mates if mate.id != person.id}
            found[person.id] = sorted(unique.values(), key=lambda p: (p.name, p.id))
        return found

    @cached_property
    def index(self) -> dict[date, int]:
        return {monday: n for n, monday in enumerate(self.mondays)}

    def limits(self, person_id: int) -> tuple[list[Decimal], list[Decimal]]:
        """Per week, 200 × the hours that would take the person over capacity, and to busy
        (see `over` and `_busy`): hours h added go over when 200 × h ≥ the first."""
        found = self._limits.get(person_id)
        if found is None:
            capacity = self.people[person_id].capacity
            loads = [self.load(person_id, monday) * 200 for monday in self.mondays]
            found = (
                [capacity * 201 - load for load in loads],
                [capacity * (2 * NEARLY_FULL_ABOVE_PERCENT + 1) - load for load in loads],
            )
            self._limits[person_id] = found
        return found

    def alike(self, person_id: int) -> list[Person]:
        """Active people of the same team or job title, by name."""
        return self._alike.get(person_id, [])

    def load(self, person_id: int, monday: date) -> Decimal:
        return self.loads.get(person_id, {}).get(monday, Decimal(0))

    def week(self, person_id: int, monday: date) -> WeekLoad:
        return WeekLoad(monday, self.load(person_id, monday), self.people[person_id].capacity)


def _weeks_of(start: date, finish: date, mondays: list[date]) -> list[date]:
    first = start - timedelta(days=start.weekday())
    return [monday for monday in mondays if first <= monday <= finish]


def over_runs(plan: Plan, person_id: int) -> list[list[date]]:
    """The person's runs of consecutive over weeks inside the window."""
    runs: list[list[date]] = []
    for monday in plan.window:
        if not plan.week(person_id, monday).is_overbooked:
            continue
        if runs and monday - runs[-1][-1] == timedelta(weeks=1):
            runs[-1].append(monday)
        else:
            runs.append([monday])
    return runs


def suggestions_for(plan: Plan, person_ids: Iterable[int] | None = None) -> list[OverAllocation]:
    """Every over-allocation of these people (everyone's by default) with its options."""
    found = []
    for person_id in sorted(plan.by_person if person_ids is None else person_ids):
        if person_id not in plan.people:
            continue
        for run in over_runs(plan, person_id):
            weeks = tuple(plan.week(person_id, monday) for monday in run)
            options = _options(plan, person_id, run)
            found.append(OverAllocation(plan.people[person_id], weeks, tuple(options)))
    return found


def _options(plan: Plan, person_id: int, run: list[date]) -> list[Suggestion]:
    touched = [b for b in plan.by_person[person_id] if any(b.hours_in(m) for m in run)]
    options: list[Suggestion] = []
    for order, booking in enumerate(sorted(touched, key=_touch_order)):
        made = [
            *sorted(_reassigns(plan, booking, run), key=lambda s: s.rank)[:MAX_REASSIGNS],
            _move(plan, booking, run),
            _split(plan, booking, run),
        ]
        for suggestion in made:
            # A reassignment is safe as made: `_room` checked each week it adds hours to,
            # and the owner only loses hours. The others are checked week by week.
            safe = suggestion is not None and (
                suggestion.kind == "reassign" or _is_safe(plan, suggestion)
            )
            if suggestion is not None and safe:
                kind_rank = KINDS.index(suggestion.kind)
                rank = (not suggestion.resolves, order, kind_rank, *suggestion.rank)
                options.append(replace(suggestion, rank=rank))
    return sorted(options, key=lambda s: s.rank)


def _touch_order(booking: Booking) -> tuple[int, int, int, int]:
    """Lowest priority first, then most slack, then the latest start."""
    return (-booking.priority, -booking.slack_days, -booking.start.toordinal(), booking.id)


KEY = re.compile(r"^(reassign|move|split)-(\d{1,18})-(e?\d{1,18}(?:\.\d)?)-(\d{8})$")


def booking_of(key: str) -> int | None:
    """The booking a suggestion key touches; None when the key is not one this module makes."""
    found = KEY.match(key)
    return int(found.group(2)) if found else None


def _key(kind: str, booking: Booking, target: object, run: list[date]) -> str:
    return f"{kind}-{booking.id}-{target}-{run[0]:%Y%m%d}"


# The three kinds ---------------------------------------------------------------------------


def _run_dates(booking: Booking, run: list[date]) -> tuple[date, date]:
    """The part of the booking inside the run's weeks."""
    return max(booking.start, run[0]), min(booking.finish, run[-1] + timedelta(days=6))


def _around(booking: Booking, first: date, last: date) -> list[Piece]:
    """What stays of the booking before and after first..last, as it was."""
    pieces = []
    if booking.start < first:
        pieces.append(_piece(booking, booking.start, first - timedelta(days=1)))
    if booking.finish > last:
        pieces.append(_piece(booking, last + timedelta(days=1), booking.finish, new=bool(pieces)))
    return pieces


def _piece(booking: Booking, start: date, finish: date, *, new: bool = False) -> Piece:
    return Piece(
        None if new else booking.id,
        booking.person_id,
        booking.project_id,
        start,
        finish,
        booking.weekly_hours,
        booking.percent,
    )


def _reassigns(plan: Plan, booking: Booking, run: list[date]) -> list[Suggestion]:
    """The best few people of the owner's team or job title with room for the part of the
    booking inside the run (fewest weeks they newly become busy in, then by name)."""
    owner = plan.people[booking.person_id]
    first, last = _run_dates(booking, run)
    part = replace(booking, start=first, finish=last)
    hours = {m: part.hours_in(m) for m in _weeks_of(first, last, plan.mondays)}
    doubled = [hours[m] * 200 for m in hours]
    fitting = []
    for other in plan.alike(owner.id):  # by name, so the first who stay calm are the best
        busy = _room(plan, other, list(hours), doubled)
        if busy is None or _on_project(plan, other, part):
            continue
        fitting.append((busy, other.name, other.id, other))
        if sum(not found[0] for found in fitting) == MAX_REASSIGNS:
            break
    fitting.sort(key=lambda found: found[:3])
    if not fitting:
        return []
    kept = _around(booking, first, last)
    left = _left(plan, booking, run, removed=part)
    resolves = _resolves(plan, booking, run, removed=part)
    span = _span(list(hours))
    found = []
    for busy, _, _, other in fitting[:MAX_REASSIGNS]:
        after = [WeekLoad(m, plan.load(other.id, m) + h, other.capacity) for m, h in hours.items()]
        moved = Piece(
            None if kept else booking.id,
            other.id,
            booking.project_id,
            first,
            last,
            booking.weekly_hours,
        )
        peak = max(after, key=lambda w: w.booked_hours)
        found.append(
            Suggestion(
                key=_key("reassign", booking, other.id, run),
                kind="reassign",
                booking=booking,
                summary=(
                    f"Give {owner.name}'s work on {booking.project_name} {span} to {other.name}"
                ),
                consequences=(f"{other.name} goes to {peak.percent} % {span}.", *left),
                pieces=(*kept, moved),
                resolves=resolves,
                rank=(busy, other.name, other.id),
            )
        )
    return found


def _room(plan: Plan, other: Person, mondays: list[date], doubled: list[Decimal]) -> int | None:
    """How many of these weeks the person newly becomes busy in with these hours added (as
    200 × hours, see `over`); None when any week would go over capacity. The per-week
    limits are the plan's, so the candidates of a big team cost a comparison each."""
    if other.capacity <= 0:
        return None
    over_limits, busy_limits = plan.limits(other.id)
    index = plan.index[mondays[0]]
    busy = 0
    for extra, over_at, busy_at in zip(
        doubled, over_limits[index:], busy_limits[index:], strict=False
    ):
        if extra >= over_at:
            return None
        busy += busy_at > 0 and extra >= busy_at
    return busy


def over(booked: Decimal, capacity: Decimal) -> bool:
    """`capacity.is_overbooked` without the division, as this module asks it a million
    times at the L size: the whole percent (half up) is above 100 exactly when the hours
    are at least 100.5 % of capacity, that is 200 × hours ≥ 201 × capacity (tested equal)."""
    if capacity <= 0:
        return booked > 0
    return booked * 200 >= capacity * 201


def _on_project(plan: Plan, other: Person, part: Booking) -> bool:
    """Already booked on the project in those dates (a person has one booking per project
    at a time)."""
    return any(
        b.project_id == part.project_id and _clashes(b, part)
        for b in plan.by_person.get(other.id, ())
    )


def _clashes(one: Booking, other: Booking) -> bool:
    return one.start <= other.finish and other.start <= one.finish


def _move(plan: Plan, booking: Booking, run: list[date]) -> Suggestion | None:
    """The fewest whole weeks later (else earlier) that clear the run and over-book no other
    week: never past the project's slack nor before its start, within the weeks counted. A
    booking that has started (this week or before) stays: its past is history."""
    next_monday = plan.window[0] + timedelta(weeks=1)
    if booking.start < next_monday or booking.latest_finish is None:
        return None
    last_day = min(booking.latest_finish, plan.mondays[-1] + timedelta(days=6))
    first_day = max(next_monday, booking.earliest_start or next_monday)
    for weeks in [*range(1, MAX_MOVE_WEEKS + 1), *range(-1, -MAX_MOVE_WEEKS - 1, -1)]:
        shift = timedelta(weeks=weeks)
        moved = replace(booking, start=booking.start + shift, finish=booking.finish + shift)
        if moved.start < first_day or moved.finish > last_day:
            continue
        if suggestion := _moved(plan, booking, run, moved, weeks):
            return suggestion
    return None


def _moved(
    plan: Plan, booking: Booking, run: list[date], moved: Booking, weeks: int
) -> Suggestion | None:
    if not _resolves(plan, booking, run, removed=booking, added=moved):
        return None
    owner = plan.people[booking.person_id]
    size = abs(weeks)
    way = "later" if weeks > 0 else "earlier"
    suggestion = Suggestion(
        key=_key("move", booking, weeks if weeks > 0 else f"e{size}", run),
        kind="move",
        booking=booking,
        summary=(
            f"Move {owner.name}'s booking on {booking.project_name} {size} "
            f"week{'s' if size > 1 else ''} {way} ({_day(moved.start)} to {_day(moved.finish)})"
        ),
        consequences=(_dates_moved(booking, moved), *_busy_after(plan, owner, booking, moved)),
        pieces=(
            Piece(
                booking.id,
                owner.id,
                booking.project_id,
                moved.start,
                moved.finish,
                booking.weekly_hours,
                booking.percent,
            ),
        ),
        resolves=True,
        rank=(size, weeks < 0),
    )
    return suggestion if _is_safe(plan, suggestion) else None


def _split(plan: Plan, booking: Booking, run: list[date]) -> Suggestion | None:
    """Cut the booking's weekly hours inside the run to what fits in its fullest week."""
    if booking.weekly_hours <= 0:
        return None
    owner = plan.people[booking.person_id]
    first, last = _run_dates(booking, run)
    weeks = _weeks_of(first, last, plan.mondays)
    fits = booking.weekly_hours
    for monday in weeks:
        share = booking.hours_in(monday) / booking.weekly_hours
        if not share:  # it covers no weekday of that week
            continue
        others = plan.load(owner.id, monday) - booking.hours_in(monday)
        fits = min(fits, (owner.capacity - others) / share)
    hours = max(Decimal(0), fits).quantize(HOURS_STEP, ROUND_DOWN)
    if hours < MIN_HOURS:
        hours = Decimal(0)
    if hours >= booking.weekly_hours:
        return None
    cut = replace(booking, start=first, finish=last, weekly_hours=booking.weekly_hours - hours)
    kept = _around(booking, first, last)
    middle = (
        [Piece(None if kept else booking.id, owner.id, booking.project_id, first, last, hours)]
        if hours
        else []
    )
    pieces = sorted([*kept, *middle], key=lambda p: p.start)
    pieces = _renumber(booking, pieces)
    if not pieces:
        return None  # nothing would be left of it: that is a removal, not a split
    dropped = sum((cut.hours_in(m) for m in weeks), Decimal(0))
    return Suggestion(
        key=_key("split", booking, hours, run),
        kind="split",
        booking=booking,
        summary=(
            f"Cut {owner.name}'s booking on {booking.project_name} to {_hours(hours)} h a week "
            f"{_span(weeks)}"
            if hours
            else f"Take {owner.name} off {booking.project_name} {_span(weeks)}, keeping the rest"
        ),
        consequences=(
            f"{_hours(dropped)} h of work on {booking.project_name} {_span(weeks)} "
            "is left unbooked.",
            *_left(plan, booking, run, removed=cut),
        ),
        pieces=tuple(pieces),
        resolves=_resolves(plan, booking, run, removed=cut),
        rank=(-hours,),
    )


def _renumber(booking: Booking, pieces: list[Piece]) -> list[Piece]:
    """The first piece keeps the booking's row; the others are new."""
    return [replace(p, booking_id=booking.id if i == 0 else None) for i, p in enumerate(pieces)]


# Checks and words -------------------------------------------------------------------------


def _after(
    plan: Plan, removed: Booking, added: Booking | None, person_id: int, monday: date
) -> WeekLoad:
    hours = plan.load(person_id, monday) - removed.hours_in(monday)
    if added is not None:
        hours += added.hours_in(monday)
    return WeekLoad(monday, hours, plan.people[person_id].capacity)


def _resolves(
    plan: Plan, booking: Booking, run: list[date], *, removed: Booking, added: Booking | None = None
) -> bool:
    capacity = plan.people[booking.person_id].capacity
    return not any(
        over(_after(plan, removed, added, booking.person_id, m).booked_hours, capacity) for m in run
    )


def _left(plan: Plan, booking: Booking, run: list[date], *, removed: Booking) -> list[str]:
    still = [_after(plan, removed, None, booking.person_id, m) for m in run]
    summary = overbooking_summary(still)
    name = plan.people[booking.person_id].name
    return (
        [f"{name} stays at {summary}."] if summary else [f"{name} is within capacity {_span(run)}."]
    )


def _busy_after(plan: Plan, owner: Person, booking: Booking, moved: Booking) -> list[str]:
    weeks = _weeks_of(moved.start, moved.finish, plan.mondays)
    after = [_after(plan, booking, moved, owner.id, m) for m in weeks]
    busy = [w for w in after if _busy(w) and not _busy(plan.week(owner.id, w.monday))]
    if not busy:
        return []
    peak = max(busy, key=lambda w: w.booked_hours)
    return [f"{owner.name} becomes busy: {peak.percent} % {_span([w.monday for w in busy])}."]


def _dates_moved(booking: Booking, moved: Booking) -> str:
    finish = booking.project_finish
    if finish is None or moved.finish <= finish:
        by = _day(finish or moved.finish)
        return f"No project dates move: {booking.project_name} still finishes by {by}."
    return (
        f"{booking.project_name} now finishes {_day(moved.finish)} instead of {_day(finish)}, "
        "within its slack: nothing downstream moves."
    )


def _busy(week: WeekLoad) -> bool:
    """Above the nearly-full band (81 % and up, as the grid colours it)."""
    if week.capacity_hours <= 0:
        return week.booked_hours > 0
    # percent > 80 (whole, half up) exactly when hours ≥ 80.5 % of capacity, as in `over`.
    return week.booked_hours * 200 >= week.capacity_hours * (2 * NEARLY_FULL_ABOVE_PERCENT + 1)


def _is_safe(plan: Plan, suggestion: Suggestion) -> bool:
    """No week of anyone goes from within capacity to over it, and the over-allocated person
    gets no hours more in any week (the property the tests check on random plans)."""
    booking = suggestion.booking
    added: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for piece in suggestion.pieces:
        as_booking = replace(
            booking,
            person_id=piece.person_id,
            start=piece.start,
            finish=piece.finish,
            weekly_hours=piece.weekly_hours,
        )
        for monday in _weeks_of(piece.start, piece.finish, plan.mondays):
            added[piece.person_id][monday] += as_booking.hours_in(monday)
    for monday in _weeks_of(booking.start, booking.finish, plan.mondays):
        added[booking.person_id][monday] -= booking.hours_in(monday)
    for person_id, weeks in added.items():
        capacity = plan.people[person_id].capacity
        loads = plan.loads.get(person_id, {})
        for monday, delta in weeks.items():
            if not delta:
                continue
            before = loads.get(monday, Decimal(0))
            was_over = over(before, capacity)
            if not was_over and over(before + delta, capacity):
                return False
            if person_id == booking.person_id and delta > 0 and was_over:
                return False
    return True


def _span(mondays: list[date]) -> str:
    if not mondays:
        return ""
    first, last = mondays[0].isocalendar(), mondays[-1].isocalendar()
    if first == last:
        return f"in week {first.week}"
    if first.year == last.year:
        return f"in weeks {first.week}–{last.week}"
    return f"from week {first.week} of {first.year} to week {last.week} of {last.year}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _hours(hours: Decimal) -> str:
    return f"{hours.normalize():f}" if hours == hours.to_integral() else f"{hours:.1f}"


def with_pieces(plan: Plan, suggestion: Suggestion) -> Plan:
    """The plan as it would be with the suggestion applied (for tests and previews)."""
    bookings = [b for b in plan.bookings if b.id != suggestion.booking.id]
    next_id = max((b.id for b in plan.bookings), default=0) + 1
    for piece in suggestion.pieces:
        bookings.append(
            replace(
                suggestion.booking,
                id=piece.booking_id if piece.booking_id is not None else next_id,
                person_id=piece.person_id,
                start=piece.start,
                finish=piece.finish,
                weekly_hours=piece.weekly_hours,
                percent=piece.percent,
            )
        )
        next_id += piece.booking_id is None
    return Plan(plan.people, bookings, plan.window, plan.mondays)
