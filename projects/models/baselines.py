"""Named baselines: the plan a project was approved against, kept at every approval point.

The live baseline stays on the project and its milestones (`Project.baseline_start`,
`baseline_finish`, `Milestone.baseline_date`), so slippage, health and dashboards read one
place; a `Baseline` is the snapshot of those fields when a baseline was approved, so an
earlier one can be compared with what is approved now. The highest number is the one in
force (the live fields equal it until the next re-baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from projects.models.delivery import Milestone, Project

ORIGINAL_NAME = "Original"


class BaselineQuerySet(models.QuerySet["Baseline"]):
    def of(self, project: Project) -> Self:
        return self.filter(project=project)

    def next_number(self, project: Project) -> int:
        latest = self.of(project).aggregate(n=models.Max("number"))["n"]
        return (latest or 0) + 1


class Baseline(models.Model):
    """One approved baseline of a project: who approved it, when and why, and the dates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200, help_text="The approval point, e.g. “Gate 2 approval”")
    reason = models.TextField(help_text="Why the plan changed")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(default=timezone.now)
    baseline_start = models.DateField(null=True, blank=True)
    baseline_finish = models.DateField()

    objects = BaselineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "number"], name="baseline_number_unique_in_project"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="baseline_number_positive"),
            models.CheckConstraint(
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_finish__gte=models.F("baseline_start")),
                name="baseline_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: baseline {self.number} ({self.name})"

    @property
    def approver(self) -> str:
        """Who approved it, by name; empty for the Original made from the fields as they
        stood (nobody approved it here)."""
        user = self.approved_by
        if user is None:
            return ""
        person = getattr(user, "person", None)
        return person.name if person is not None else user.get_username()

    def compare(self) -> Comparison:
        """Each milestone of the project: its date in this baseline (None when it was added
        later), the baseline approved now, and its expected date, with the variances."""
        then = dict(self.milestones.values_list("milestone_id", "baseline_date"))
        project = self.project
        rows = [
            ComparisonRow(
                name=m.name,
                then=then.get(m.pk),
                now=m.baseline_date,
                expected=m.expected_date(),
                reached=m.actual_date is not None,
            )
            for m in project.milestones.all()
        ]
        finish = ComparisonRow(
            name="Project finish",
            then=self.baseline_finish,
            now=project.baseline_finish,
            expected=project.forecast_finish or project.baseline_finish,
            reached=False,
        )
        return Comparison(baseline=self, finish=finish, milestones=rows)


class BaselineMilestone(models.Model):
    """A milestone's baseline date as one baseline approved it."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="milestones")
    # A deleted milestone leaves the baselines it was in (they were approved with it, but
    # there is no live milestone left to compare).
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="+")
    baseline_date = models.DateField()

    class Meta:
        ordering = ["baseline_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "milestone"], name="baseline_milestone_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.baseline}: {self.milestone_id} on {self.baseline_date}"


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    then: date | None  # None: not in that baseline (added after it)
    now: date
    expected: date  # actual, else forecast, else baseline: what slippage counts from
    reached: bool

    @property
    def variance_then(self) -> int | None:
        """Days the expected date lies beyond the earlier baseline (None: not in it)."""
        return None if self.then is None else (self.expected - self.then).days

    @property
    def variance_now(self) -> int:
        """Days beyond the baseline approved now: the slippage every page shows."""
        return (self.expected - self.now).days

    @property
    def moved(self) -> int | None:
        """Days the approved baseline moved since the earlier one."""
        return None if self.then is None else (self.now - self.then).days


@dataclass(frozen=True)
class Comparison:
    baseline: Baseline
    finish: ComparisonRow
    milestones: list[ComparisonRow]
