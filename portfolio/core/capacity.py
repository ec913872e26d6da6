"""When a person is over-booked: the one rule, model-free.

A person's load in an ISO week is the hours booked on all their projects that week as a
share of their weekly capacity, in whole percent (half up), as every page shows it. They
are over-booked in that week when the load is above OVERBOOKED_ABOVE_PERCENT, so a load
shown as 100 % is never flagged and one shown as 101 % always is. Hours booked against no
capacity at all are over-booked.

The window is the ISO week containing today and the following weeks, LOAD_WINDOW_WEEKS in
all: the programme dashboard's heat map, the programme's resources health and the person
page all look at the same twelve weeks, so they name the same people and the same weeks.
The hours come from `AllocationQuerySet.weekly_load` (projects.models).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from portfolio.core.periods import Period

OVERBOOKED_ABOVE_PERCENT = 100
# Above this a week is shown as nearly full (a display band; it flags nothing).
NEARLY_FULL_ABOVE_PERCENT = 80
LOAD_WINDOW_WEEKS = 12


def load_window(today: date, weeks: int = LOAD_WINDOW_WEEKS) -> list[date]:
    """The Mondays of the window: the ISO week containing `today` and the weeks after it."""
    first = Period.containing(today).start
    return [first + timedelta(weeks=n) for n in range(weeks)]


def load_percent(booked_hours: Decimal, capacity_hours: Decimal) -> int | None:
    """Booked hours as a whole percentage of capacity (half up); None without capacity."""
    if capacity_hours <= 0:
        return None
    return int((booked_hours * 100 / capacity_hours).quantize(Decimal(1), ROUND_HALF_UP))


def is_overbooked(booked_hours: Decimal, capacity_hours: Decimal) -> bool:
    percent = load_percent(booked_hours, capacity_hours)
    if percent is None:
        return booked_hours > 0
    return percent > OVERBOOKED_ABOVE_PERCENT


@dataclass(frozen=True)
class WeekLoad:
    """One person's hours in one ISO week, on all their projects."""

    monday: date
    booked_hours: Decimal
    capacity_hours: Decimal

    @property
    def percent(self) -> int | None:
        return load_percent(self.booked_hours, self.capacity_hours)

    @property
    def is_overbooked(self) -> bool:
        return is_overbooked(self.booked_hours, self.capacity_hours)

    @property
    def level(self) -> str:
        """free (nothing booked), ok (up to 80 %), full (up to 100 %) or over."""
        if self.booked_hours <= 0:
            return "free"
        if self.is_overbooked:
            return "over"
        percent = self.percent or 0
        return "full" if percent > NEARLY_FULL_ABOVE_PERCENT else "ok"


@dataclass(frozen=True)
class Load:
    """One person's weekly load across the window, every week present (0 when unbooked)."""

    weeks: tuple[WeekLoad, ...]

    @property
    def over_weeks(self) -> list[WeekLoad]:
        return [week for week in self.weeks if week.is_overbooked]

    @property
    def is_overbooked(self) -> bool:
        return bool(self.over_weeks)

    @property
    def peak(self) -> WeekLoad:
        """The week with the most hours booked (the earliest of equals)."""
        return max(self.weeks, key=lambda week: week.booked_hours)


def overbooking_summary(weeks: list[WeekLoad]) -> str:
    """Over-booked weeks as people say them: "130 % in weeks 12–15 of 2027 and 110 % in week
    20 of 2027"; each run of consecutive ISO weeks shows its highest load. "" for none."""
    runs: list[list[WeekLoad]] = []
    for week in sorted((w for w in weeks if w.is_overbooked), key=lambda w: w.monday):
        if runs and week.monday - runs[-1][-1].monday == timedelta(weeks=1):
            runs[-1].append(week)
        else:
            runs.append([week])
    return " and ".join(_run_words(run) for run in runs)


def _run_words(run: list[WeekLoad]) -> str:
    percents = [week.percent for week in run]
    load = "over capacity" if None in percents else f"{max(p or 0 for p in percents)} %"
    first, last = run[0].monday.isocalendar(), run[-1].monday.isocalendar()
    if first == last:
        return f"{load} in week {first.week} of {first.year}"
    if first.year == last.year:
        return f"{load} in weeks {first.week}–{last.week} of {first.year}"
    return f"{load} from week {first.week} of {first.year} to week {last.week} of {last.year}"
