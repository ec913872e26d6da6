"""Reporting periods (ISO weeks, Monday to Sunday) and when a report for one is on time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    start: date  # always a Monday

    @classmethod
    def containing(cls, day: date) -> Period:
        return cls(day - timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, label: str) -> Period:
        """'2026-W47' → that ISO week; ValueError for anything else."""
        match = _LABEL.match(label or "")
        if not match:
            raise ValueError(f"Not an ISO week like 2026-W47: {label!r}")
        return cls(date.fromisocalendar(int(match[1]), int(match[2]), 1))

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def __str__(self) -> str:
        return f"Week {self.label[-2:]} ({self.start:%-d %b} – {self.end:%-d %b %Y})"

    def previous(self, weeks: int = 1) -> Period:
        return Period(self.start - timedelta(weeks=weeks))

    def next(self) -> Period:
        return Period(self.start + timedelta(weeks=1))

    def due_date(self, due_weekday: int) -> date:
        """The day the report is due (0 = Monday … 6 = Sunday of this week)."""
        return self.start + timedelta(days=due_weekday)

    def chase_date(self, due_weekday: int, grace_days: int) -> date:
        """The first day a missing report counts as overdue."""
        return self.due_date(due_weekday) + timedelta(days=grace_days + 1)


class ReportingStatus(models.TextChoices):
    """Where a project stands for one reporting period."""

    NOT_DUE = "not_due", "Not started"
    DRAFT = "draft", "Draft"
    ON_TIME = "on_time", "Submitted"
    LATE = "late", "Submitted late"
    OVERDUE = "overdue", "Overdue"


def reporting_status(
    *,
    submitted_at: Any,
    has_draft: bool,
    period: Period,
    due_weekday: int,
    grace_days: int,
    today: date,
) -> ReportingStatus:
    """On time means submitted by the end of the due day (grace only delays the chase)."""
    due = period.due_date(due_weekday)
    if submitted_at is not None:
        # The due day is a local day: a report sent at 00:30 on Saturday in London is late.
        on_time = timezone.localdate(submitted_at) <= due
        return ReportingStatus.ON_TIME if on_time else ReportingStatus.LATE
    if today >= period.chase_date(due_weekday, grace_days):
        return ReportingStatus.OVERDUE
    return ReportingStatus.DRAFT if has_draft else ReportingStatus.NOT_DUE
