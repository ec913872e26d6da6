"""A date axis for charts drawn on the server (SVG): days to pixels, and the tick marks of a
zoom level. Model-free, so the timeline, the roadmap and the board pack (issue 18) draw the
same axis.

A scale starts on the first day of the zoom's unit (month, quarter, year) holding the
earliest date and ends on the last day of the unit holding the latest, so ticks fall on the
chart's edges and two charts of the same range line up pixel for pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models


class Zoom(models.TextChoices):
    MONTHS = "months", "Months"
    QUARTERS = "quarters", "Quarters"
    YEARS = "years", "Years"


# About 90 px per unit at each zoom: a month, a quarter, a year.
PX_PER_DAY = {Zoom.MONTHS: 3.0, Zoom.QUARTERS: 1.0, Zoom.YEARS: 0.25}
UNIT_MONTHS = {Zoom.MONTHS: 1, Zoom.QUARTERS: 3, Zoom.YEARS: 12}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Tick:
    day: date
    x: float
    label: str
    major: bool  # the start of a year: a stronger line, the year in the label


def _unit_start(day: date, months: int) -> date:
    """The first day of the month, quarter or year holding `day`."""
    month = (day.month - 1) // months * months + 1
    return date(day.year, month, 1)


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after the month of `day` (day is a first)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(day: date, zoom: Zoom) -> str:
    if zoom == Zoom.YEARS:
        return str(day.year)
    if zoom == Zoom.QUARTERS:
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    return MONTH_NAMES[day.month - 1] + (f" {day.year}" if day.month == 1 else "")


@dataclass(frozen=True)
class Scale:
    start: date  # the first day drawn (x = 0)
    end: date  # the last day drawn
    zoom: Zoom

    @property
    def px_per_day(self) -> float:
        return PX_PER_DAY[self.zoom]

    @property
    def width(self) -> int:
        return round(((self.end - self.start).days + 1) * self.px_per_day)

    def x(self, day: date) -> float:
        """The left edge of a day, in pixels from the chart's start (rounded to 0.1 px so
        the SVG stays short)."""
        return round((day - self.start).days * self.px_per_day, 1)

    def x_end(self, day: date) -> float:
        """The right edge of a day: where a bar that finishes on it ends."""
        return self.x(day + timedelta(days=1))

    def ticks(self) -> list[Tick]:
        months = UNIT_MONTHS[self.zoom]
        found = []
        day = self.start
        while day <= self.end:
            found.append(Tick(day, self.x(day), _label(day, self.zoom), day.month == 1))
            day = _add_months(day, months)
        return found


def scale_for(first: date, last: date, zoom: Zoom) -> Scale:
    """The scale that shows first..last whole units of the zoom."""
    if last < first:
        first, last = last, first
    months = UNIT_MONTHS[zoom]
    start = _unit_start(first, months)
    end = _add_months(_unit_start(last, months), months) - timedelta(days=1)
    return Scale(start=start, end=end, zoom=zoom)
