"""The delivery layer: projects, milestones, dependencies, allocations, risks and issues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from programmes.models import (
    Archivable,
    ArchivableQuerySet,
    Person,
    Portfolio,
    Programme,
    person_for,
    sees_everything,
)

if TYPE_CHECKING:
    from programmes.models import AnyUser


@dataclass(frozen=True)
class Totals:
    """Project count and money summed over a group of projects."""

    count: int = 0
    budget: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)


class ProjectQuerySet(ArchivableQuerySet):
    def visible_to(self, user: AnyUser) -> Self:
        """Executives read their portfolios; managers read their programme's projects."""
        if sees_everything(user):
            return self
        person = person_for(user)
        if person is None:
            return self.none()
        own_programmes = Project.objects.filter(manager=person).values("programme")
        return self.filter(
            Q(portfolio__in=person.executive_portfolios.all())
            | Q(programme__manager=person)
            | Q(manager=person)
            | Q(programme__in=own_programmes)
        )

    def totals_by(self, field: str) -> dict[int, Totals]:
        """Totals grouped by a foreign key ("portfolio" or "programme"), in one query."""
        rows = (
            self.order_by()
            .values(field)
            .annotate(n=models.Count("pk"), budget=Sum("budget"), spend=Sum("spend_to_date"))
        )
        return {
            row[field]: Totals(row["n"], row["budget"] or Decimal(0), row["spend"] or Decimal(0))
            for row in rows
            if row[field] is not None
        }

    def led_by(self, user: AnyUser) -> Self:
        """The user's own projects (as their project manager)."""
        person = person_for(user)
        return self.filter(manager=person) if person else self.none()

    def delivered_by(self, user: AnyUser) -> Self:
        """Projects whose reports, milestones, risks and issues the user may write."""
        if sees_everything(user):
            return self
        person = person_for(user)
        return self.filter(manager=person) if person else self.none()


class Project(Archivable):
    class Stage(models.TextChoices):
        INITIATION = "initiation", "Initiation"
        PLANNING = "planning", "Planning"
        DELIVERY = "delivery", "Delivery"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"
        ON_HOLD = "on_hold", "On hold"

    class Priority(models.IntegerChoices):
        CRITICAL = 1, "Critical"
        HIGH = 2, "High"
        MEDIUM = 3, "Medium"
        LOW = 4, "Low"

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="projects")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_projects"
    )
    baseline_start = models.DateField()
    baseline_finish = models.DateField()
    forecast_finish = models.DateField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    spend_to_date = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    forecast_at_completion = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    priority = models.PositiveSmallIntegerField(choices=Priority, default=Priority.MEDIUM)
    stage = models.CharField(max_length=16, choices=Stage, default=Stage.PLANNING)
    external_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "code"], name="project_code_unique_in_portfolio"
            ),
            models.CheckConstraint(
                condition=Q(baseline_finish__gte=models.F("baseline_start")),
                name="project_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(forecast_finish__isnull=True)
                | Q(forecast_finish__gte=models.F("baseline_start")),
                name="project_forecast_after_start",
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0)
                & Q(spend_to_date__gte=0)
                & (Q(forecast_at_completion__isnull=True) | Q(forecast_at_completion__gte=0)),
                name="project_money_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    def is_delivered_by(self, user: AnyUser) -> bool:
        return type(self).objects.delivered_by(user).filter(pk=self.pk).exists()

    @property
    def slippage_days(self) -> int:
        """Days the forecast finish lies beyond the baseline (negative when early)."""
        if self.forecast_finish is None:
            return 0
        return (self.forecast_finish - self.baseline_finish).days


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    baseline_date = models.DateField()
    forecast_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["baseline_date", "name"]

    def __str__(self) -> str:
        return f"{self.project}: {self.name}"

    def expected_date(self) -> date:
        return self.actual_date or self.forecast_date or self.baseline_date

    @property
    def slippage_days(self) -> int:
        return (self.expected_date() - self.baseline_date).days


class Dependency(models.Model):
    """The downstream project needs something from the upstream one."""

    class Kind(models.TextChoices):
        FINISH_TO_START = "fs", "Finish to start"
        START_TO_START = "ss", "Start to start"
        FINISH_TO_FINISH = "ff", "Finish to finish"

    upstream = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependents")
    downstream = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="dependencies")
    upstream_milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    downstream_milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=2, choices=Kind, default=Kind.FINISH_TO_START)
    lag_days = models.IntegerField(
        default=0, validators=[MinValueValidator(-365), MaxValueValidator(365)]
    )
    description = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "dependencies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(upstream=models.F("downstream")), name="dependency_not_on_itself"
            ),
            models.UniqueConstraint(
                fields=["upstream", "downstream"], name="one_dependency_per_pair"
            ),
            models.CheckConstraint(
                condition=Q(lag_days__gte=-365, lag_days__lte=365),
                name="dependency_lag_within_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.downstream} needs {self.upstream}"


class Allocation(models.Model):
    """A person booked onto a project for a date range, by percentage or hours a week."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="allocations")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="allocations")
    start_date = models.DateField()
    finish_date = models.DateField()
    percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    hours_per_week = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(168))],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(finish_date__gte=models.F("start_date")),
                name="allocation_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) & Q(hours_per_week__isnull=True))
                | (Q(percent__isnull=True) & Q(hours_per_week__isnull=False)),
                name="allocation_by_percent_or_hours",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=1, percent__lte=100),
                name="allocation_percent_in_range",
            ),
            # PostgreSQL also excludes overlapping ranges (see migration 0002).
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.project}"

    def weekly_hours(self) -> Decimal:
        if self.hours_per_week is not None:
            return self.hours_per_week
        return self.person.weekly_capacity_hours * Decimal(self.percent or 0) / 100


class RegisterQuerySet(models.QuerySet):
    """Risks and issues: raised on a project or a programme, seen by whoever sees those."""

    def visible_to(self, user: AnyUser) -> Self:
        if sees_everything(user):
            return self
        return self.filter(
            Q(project__in=Project.objects.visible_to(user))
            | Q(programme__in=Programme.objects.visible_to(user))
        )

    def open(self) -> Self:
        return self.exclude(status="closed")


class RegisterItem(models.Model):
    """Shared shape of risks and issues.

    A project item escalated to its programme keeps its project: `programme` is then set too,
    so the programme register shows it and the link to where it came from stays.
    """

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_on = models.DateField(default=date.today)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class Risk(RegisterItem):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATING = "mitigating", "Being mitigated"
        CLOSED = "closed", "Closed"

    class Proximity(models.TextChoices):
        IMMINENT = "imminent", "Imminent (within a month)"
        NEAR = "near", "Near term (within a quarter)"
        MEDIUM = "medium", "Medium term (within a year)"
        LONG = "long", "Long term"

    probability = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    response = models.TextField(blank=True)
    proximity = models.CharField(max_length=10, choices=Proximity, default=Proximity.NEAR)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-probability", "-impact"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_one_to_five",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(programme__isnull=False),
                name="risk_raised_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.impact


class Issue(RegisterItem):
    class Severity(models.IntegerChoices):
        LOW = 1, "Low"
        MEDIUM = 2, "Medium"
        HIGH = 3, "High"
        CRITICAL = 4, "Critical"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    severity = models.PositiveSmallIntegerField(choices=Severity, default=Severity.MEDIUM)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)
    resolution = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-severity", "due_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=4), name="issue_severity_in_scale"
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(programme__isnull=False),
                name="issue_raised_somewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return (
            self.status != self.Status.CLOSED
            and self.due_date is not None
            and (self.due_date < today)
        )
