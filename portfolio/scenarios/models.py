"""A scenario: a named sandbox of changes to the plan (move or cancel projects, change
bookings, add capacity), evaluated beside live data (`evaluation`) and applied or
discarded as a whole (`services`). Nothing here touches live rows until it is applied.

Each change keeps `base`, the live values it was built on, so applying can say which live
rows changed since (`ScenarioChange.conflict`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from programmes.models import Person, Portfolio, Programme, Team, sees_everything
from projects.models import Allocation, Project


class ScenarioQuerySet(models.QuerySet["Scenario"]):
    def visible_to(self, user: Any) -> Self:
        """The PMO sees every scenario; a programme manager those of their programmes."""
        if sees_everything(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(programme__in=Programme.objects.managed_by(user))


class Scenario(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scenarios"
    )
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios"
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios"
    )
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(portfolio__isnull=True, programme__isnull=False)
                | Q(portfolio__isnull=False, programme__isnull=True),
                name="scenario_of_a_portfolio_or_a_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("scenarios:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def scope(self) -> Portfolio | Programme:
        scope = self.portfolio if self.portfolio_id is not None else self.programme
        assert scope is not None  # the check constraint
        return scope

    @property
    def scope_label(self) -> str:
        kind = "Portfolio" if self.portfolio_id is not None else "Programme"
        return f"{kind} {self.scope.name}"

    def projects(self) -> models.QuerySet[Project]:
        """The active projects in the scenario's scope: what it may change and shows."""
        projects = Project.objects.active()
        if self.portfolio_id is not None:
            return projects.filter(portfolio_id=self.portfolio_id)
        return projects.filter(programme_id=self.programme_id or 0)


class ScenarioChange(models.Model):
    class Kind(models.TextChoices):
        MOVE = "move", "Delay or move a project"
        CANCEL = "cancel", "Cancel a project"
        BOOKING = "booking", "Change a booking"
        NEW_BOOKING = "new_booking", "Add a booking"
        REMOVE_BOOKING = "remove_booking", "Remove a booking"
        CAPACITY = "capacity", "Change a person's weekly hours"
        PLACEHOLDER = "placeholder", "Add placeholder people to a team"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    allocation = models.ForeignKey(
        Allocation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A move, in calendar days later (weeks × 7, or to a finish date less the finish then).
    days = models.IntegerField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    finish_date = models.DateField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    # The live values the change was built on (JSON: dates as ISO text, money as text).
    base = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=1, percent__lte=100),
                name="scenario_change_percent_in_range",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0, hours__lte=168),
                name="scenario_change_hours_within_a_week",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        """Each kind's fields, keyed by field so a form shows the error beside it."""
        errors: dict[str, str] = {}
        needs = _NEEDS.get(self.kind, ())
        for name in needs:
            if getattr(self, f"{name}_id" if name in _RELATIONS else name) is None:
                errors[name] = "Required for this kind of change."
        if self.kind == self.Kind.MOVE and (self.days is None or self.days <= 0):
            errors["weeks"] = "A move goes later: give a number of weeks or a later finish."
        if self.kind == self.Kind.NEW_BOOKING and self.percent is None and self.hours is None:
            errors["percent"] = "Give a percentage or hours per week."
        if self.percent is not None and self.hours is not None:
            errors["percent"] = "Give a percentage or hours per week, not both."
        if self.start_date and self.finish_date and self.finish_date < self.start_date:
            errors["finish_date"] = "The booking cannot finish before it starts."
        if self.kind == self.Kind.PLACEHOLDER and self.count is not None and self.count < 1:
            errors["count"] = "Add at least one person."
        if errors:
            raise ValidationError(errors)

    def live_values(self) -> dict[str, Any]:
        """The live values this change is built on, as JSON (read fresh)."""
        if self.kind in (self.Kind.MOVE, self.Kind.CANCEL) and self.project_id is not None:
            project = Project.objects.get(pk=self.project_id)
            milestones = project.milestones.open().order_by("pk")
            return {
                "stage": project.stage,
                "baseline_start": _text(project.baseline_start),
                "forecast_finish": _text(project.forecast_finish or project.baseline_finish),
                "milestones": {str(m.pk): _text(m.forecast_date) for m in milestones},
            }
        if self.kind in (self.Kind.BOOKING, self.Kind.REMOVE_BOOKING):
            booking = (
                Allocation.objects.select_related("person", "project")
                .filter(pk=self.allocation_id or 0)
                .first()
            )
            if booking is None:
                return {"removed": True}
            return {
                "label": f"{booking.person} on {booking.project}",
                "start_date": _text(booking.start_date),
                "finish_date": _text(booking.finish_date),
                "percent": booking.percent,
                "hours_per_week": _text(booking.hours_per_week),
            }
        if self.kind == self.Kind.CAPACITY and self.person_id is not None:
            person = Person.objects.get(pk=self.person_id)
            return {"weekly_capacity_hours": _text(person.weekly_capacity_hours)}
        return {}

    def conflicts(self) -> list[str]:
        """What changed live since the change was built on it, in words; [] when nothing."""
        if not self.base:
            return []
        now = self.live_values()
        if now.get("removed") and not self.base.get("removed"):
            return [f"{self.base.get('label', 'The booking')}: removed since"]
        return [
            f"{_LABELS.get(name, name)}: {self.base.get(name) or 'none'} then, "
            f"{now.get(name) or 'none'} now"
            for name in sorted(self.base.keys() | now.keys())
            if name != "label" and self.base.get(name) != now.get(name)
        ]

    def describe(self) -> str:  # noqa: PLR0911  (one sentence per kind)
        """The change as people say it."""
        kind = self.Kind
        if self.kind == kind.MOVE:
            weeks = (self.days or 0) / 7
            amount = f"{weeks:g} weeks" if weeks == int(weeks) else f"{self.days} days"
            return f"Delay {self.project} by {amount}"
        if self.kind == kind.CANCEL:
            return f"Cancel {self.project}"
        if self.kind == kind.BOOKING:
            return f"Change the booking of {self.base.get('label', 'a removed booking')}"
        if self.kind == kind.NEW_BOOKING:
            return f"Book {self.person} on {self.project} {self.load_words()}"
        if self.kind == kind.REMOVE_BOOKING:
            return f"Remove the booking of {self.base.get('label', 'a removed booking')}"
        if self.kind == kind.CAPACITY:
            return f"{self.person} works {self.hours:g} h a week"
        return f"Add {self.count} × {self.hours:g} h in team {self.team} from {self.start_date}"

    def load_words(self) -> str:
        load = f"{self.percent} %" if self.percent is not None else f"{self.hours:g} h a week"
        return f"at {load} from {self.start_date} to {self.finish_date}"

    def shifted(self, day: date | None) -> date | None:
        """A date of the moved project, moved."""
        return None if day is None else day + timedelta(days=self.days or 0)

    def booking(self, live: Allocation | None) -> Allocation | None:
        """The booking as this change makes it (unsaved): None when removed."""
        if self.kind == self.Kind.REMOVE_BOOKING:
            return None
        found = Allocation(pk=live.pk) if live else Allocation()
        found.person_id = live.person_id if live else self.person_id  # type: ignore[assignment]
        found.project_id = live.project_id if live else self.project_id  # type: ignore[assignment]
        found.start_date = self.start_date or (live.start_date if live else None)  # type: ignore[assignment]
        found.finish_date = self.finish_date or (live.finish_date if live else None)  # type: ignore[assignment]
        if self.percent is None and self.hours is None and live is not None:
            found.percent, found.hours_per_week = live.percent, live.hours_per_week
        else:
            found.percent, found.hours_per_week = self.percent, self.hours
        return found


_RELATIONS = ("project", "allocation", "person", "team")
_NEEDS: dict[str, tuple[str, ...]] = {
    ScenarioChange.Kind.MOVE: ("project",),
    ScenarioChange.Kind.CANCEL: ("project",),
    ScenarioChange.Kind.BOOKING: ("allocation",),
    ScenarioChange.Kind.NEW_BOOKING: ("project", "person", "start_date", "finish_date"),
    ScenarioChange.Kind.REMOVE_BOOKING: ("allocation",),
    ScenarioChange.Kind.CAPACITY: ("person", "hours"),
    ScenarioChange.Kind.PLACEHOLDER: ("team", "count", "hours", "start_date"),
}
_LABELS = {
    "stage": "Stage",
    "baseline_start": "Start",
    "forecast_finish": "Forecast finish",
    "milestones": "Milestone forecasts",
    "start_date": "Booking start",
    "finish_date": "Booking finish",
    "percent": "Booking percent",
    "hours_per_week": "Booking hours",
    "weekly_capacity_hours": "Weekly hours",
}


def _text(value: object) -> str | None:
    return None if value is None else str(value)
