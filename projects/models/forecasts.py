"""Derived forecasts: where upstream slips push a project, stored beside (never over) the
forecast its manager gives. Written only by `projects.impact.derived_forecasts_refresh`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Sum

from projects.models.delivery import Project


@dataclass(frozen=True)
class SlipReach:
    """How far a project's slip reaches: milestones pushed in how many other projects."""

    milestones: int
    projects: int


class DerivedForecastQuerySet(models.QuerySet["DerivedForecast"]):
    def reach_of(self, project: Project) -> SlipReach:
        """What the slips this project drives push downstream (counted, not named: the
        viewer may not see every project reached)."""
        # Its own milestones late past its finish push it too: not another project.
        counted = (
            self.filter(caused_by=project)
            .exclude(project=project)
            .aggregate(milestones=Sum("milestones_pushed"), projects=Count("project"))
        )
        return SlipReach(counted["milestones"] or 0, counted["projects"])

    def crossing_programmes(self) -> DerivedForecastQuerySet:
        """Pushes whose cause lies in another programme (or outside any): what the
        executive dashboard lists, since no one programme manager sees both ends."""
        return self.filter(caused_by__isnull=False).exclude(
            project__programme_id=F("caused_by__programme_id")
        )


class DerivedForecast(models.Model):
    """A project's start and finish as upstream slips push them, when they push them past
    its own dates; no row when nothing upstream pushes it."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="derived_forecast"
    )
    start = models.DateField(null=True, blank=True)
    start_pushed_days = models.PositiveIntegerField(default=0)
    finish = models.DateField(null=True, blank=True)
    finish_pushed_days = models.PositiveIntegerField(default=0)
    milestones_pushed = models.PositiveIntegerField(default=0)
    caused_by = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chain = models.CharField(max_length=500, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = DerivedForecastQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.project}: pushed {self.pushed_days} days"

    @property
    def pushed_days(self) -> int:
        return max(self.start_pushed_days, self.finish_pushed_days)

    def reason(self) -> str:
        """In words, as health gives it."""
        if self.caused_by_id == self.project_id:
            return f"Its own late milestones push your finish by {self.finish_pushed_days} days"
        cause = f"“{self.caused_by}”" if self.caused_by_id else "an upstream project"
        if self.start_pushed_days >= self.finish_pushed_days:
            return f"An upstream slip ({cause}) pushes your start by {self.start_pushed_days} days"
        return f"An upstream slip ({cause}) pushes your finish by {self.finish_pushed_days} days"
