"""Stored health: one append-only record table per subject (project, programme, portfolio)
and the pending recomputation requests. The rules that compute it are in
`portfolio.core.health_rules`; the roll-up that writes it is `portfolio.health.rollup`.

The tables keep the names they had when these models lived in `programmes` and `projects`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portfolio.core.ratings import Rating
from programmes.models import Portfolio, Programme
from projects.models import Project


class HealthRecordQuerySet(models.QuerySet["HealthRecord"]):
    def current(self) -> Self:
        return self.filter(is_current=True)

    def standing(self, moment: datetime | None) -> HealthRecord | None:
        """One subject's record: the current one, or the one standing at `moment`."""
        if moment is None:
            return self.filter(is_current=True).first()
        return self.filter(taken_at__lte=moment).order_by("-taken_at", "-pk").first()

    def as_of(self, moment: datetime, subject_field: str) -> Self:
        """Each subject's record as it stood at `moment` (the newest taken by then)."""
        newer = self.model._default_manager.filter(
            **{subject_field: models.OuterRef(subject_field)},
            taken_at__lte=moment,
            taken_at__gt=models.OuterRef("taken_at"),
        )
        return self.filter(taken_at__lte=moment).exclude(models.Exists(newer))

    def weekly_ratings(
        self, subject_field: str, mondays: list[date], until: date
    ) -> dict[int, tuple[str, ...]]:
        """Each subject's overall rating at the end of each week starting on `mondays`
        (oldest first), counting the records taken by the end of `until`: "" before its
        first. One query; a record from the two weeks before the first Monday carries in."""
        rows = (
            self.filter(taken_at__date__lte=until)
            .filter(taken_at__date__gte=mondays[0] - timedelta(weeks=2))
            .order_by("taken_at", "pk")
            .values_list(f"{subject_field}_id", "taken_at", "overall")
        )
        by_subject: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
        for subject_id, taken_at, overall in rows:
            by_subject[subject_id].append((taken_at, overall))
        trends = {}
        for subject_id, records in by_subject.items():
            points, index, rating = [], 0, ""
            for monday in mondays:
                week_end = monday + timedelta(days=7)
                while index < len(records) and timezone.localdate(records[index][0]) < week_end:
                    rating = records[index][1]
                    index += 1
                points.append(rating)
            trends[subject_id] = tuple(points)
        return trends


class HealthRecord(models.Model):
    """Computed health with its reasons. Rows are appended, never edited: a new row on every
    change (and a weekly one), the newest flagged current; trends and "as it stood on date
    D" read the older rows."""

    class Kind(models.TextChoices):
        CHANGE = "change", "On change"
        WEEKLY = "weekly", "Weekly snapshot"

    taken_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.CHANGE)
    is_current = models.BooleanField(default=False)
    overall = models.CharField(max_length=12, choices=Rating, blank=True)
    reported = models.CharField(max_length=12, choices=Rating, blank=True)
    computed = models.CharField(max_length=12, choices=Rating, blank=True)
    gap = models.BooleanField(default=False)
    dimensions = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)

    objects = HealthRecordQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-taken_at"]

    PAYLOAD_FIELDS = ("overall", "reported", "computed", "gap", "dimensions", "reasons")

    def __str__(self) -> str:
        return f"{self.overall or 'no data'} at {self.taken_at:%Y-%m-%d %H:%M}"

    def payload(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.PAYLOAD_FIELDS}


class ProgrammeHealth(HealthRecord):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="health_records"
    )

    class Meta(HealthRecord.Meta):
        db_table = "programmes_programmehealth"
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(is_current=True),
                name="one_current_health_per_programme",
            )
        ]
        indexes = [models.Index(fields=["programme", "-taken_at"])]


class PortfolioHealth(HealthRecord):
    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.CASCADE, related_name="health_records"
    )

    class Meta(HealthRecord.Meta):
        db_table = "programmes_portfoliohealth"
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio"],
                condition=Q(is_current=True),
                name="one_current_health_per_portfolio",
            )
        ]
        indexes = [models.Index(fields=["portfolio", "-taken_at"])]


class HealthRequest(models.Model):
    """A recomputation asked for and not yet done: the durable half of a health job.

    One row per subject, so a burst of requests (ten submits in one programme) leaves one
    row and one job. Each request moves `generation`; the job removes the row only in the
    transaction that stores its result, and only if no request came while it computed, so
    a job that crashes or is killed leaves the row for its redelivery or the periodic sweep.
    """

    class Subject(models.TextChoices):
        PROJECT = "project", "Project"
        PROGRAMME = "programme", "Programme"
        PORTFOLIO = "portfolio", "Portfolio"

    subject = models.CharField(max_length=10, choices=Subject)
    subject_id = models.BigIntegerField()
    requested_at = models.DateTimeField(default=timezone.now)
    generation = models.PositiveIntegerField(default=1)

    class Meta:
        db_table = "programmes_healthrequest"
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "subject_id"], name="one_request_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"Recompute {self.subject} {self.subject_id}"


class ProjectHealth(HealthRecord):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="health_records")

    class Meta(HealthRecord.Meta):
        db_table = "projects_projecthealth"
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(is_current=True),
                name="one_current_health_per_project",
            )
        ]
        indexes = [models.Index(fields=["project", "-taken_at"])]


class ProgrammeSummary(models.Model):
    """What a programme card shows, as the worker last worked it out (a read model): the
    current health with its first reasons, the 12-week trend, money, benefits and how many
    of its projects are red or amber. `portfolio.health.summaries` writes it whenever the
    roll-up recomputes the programme, so a card render reads this one narrow row.

    The trend is compact: one rating code per week from `trend_start` (a Monday), oldest
    first. `computed_on` is the day it was worked out for: the trend window and a benefit's
    planned share move with the date, so a row from an earlier day is not read as today's.
    `version` moves whenever what it holds changes: an open dashboard swaps only the cards
    whose version moved.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    version = models.PositiveIntegerField(default=1)
    computed_on = models.DateField()
    overall = models.CharField(max_length=12, choices=Rating, blank=True)
    gap = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)  # the first few reasons' messages
    reason_count = models.PositiveIntegerField(default=0)
    trend_start = models.DateField()
    trend = models.JSONField(default=list)
    project_count = models.PositiveIntegerField(default=0)
    budget = models.DecimalField(max_digits=18, decimal_places=2, null=True)  # None: unknown
    spend = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    unknown_budgets = models.PositiveIntegerField(default=0)
    benefits_realised = models.IntegerField(null=True, blank=True)
    benefits_planned = models.IntegerField(null=True, blank=True)
    red_projects = models.PositiveIntegerField(default=0)
    amber_projects = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "health_programmesummary"

    def __str__(self) -> str:
        return f"Summary of programme {self.programme_id} (v{self.version})"


class PortfolioSummary(models.Model):
    """What a portfolio's section of the executive dashboard shows to a viewer who reads the
    whole portfolio, as the worker last worked it out (a read model): its health with the
    headline reason, how many of its active programmes stand at each rating and how many
    are gap-flagged, and its standalone projects' money. Written whenever the roll-up
    recomputes the portfolio, which every programme job and standalone project job asks
    for (`portfolio.health.summaries`)."""

    portfolio = models.OneToOneField(
        Portfolio, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    version = models.PositiveIntegerField(default=1)
    overall = models.CharField(max_length=12, choices=Rating, blank=True)
    gap = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)  # the first few reasons' messages
    reason_count = models.PositiveIntegerField(default=0)
    tally = models.JSONField(default=dict)  # rating ("" for none) → active programmes
    gaps = models.PositiveIntegerField(default=0)
    standalone_count = models.PositiveIntegerField(default=0)
    standalone_budget = models.DecimalField(max_digits=18, decimal_places=2, null=True)
    standalone_spend = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    standalone_unknown_budgets = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "health_portfoliosummary"

    def __str__(self) -> str:
        return f"Summary of portfolio {self.portfolio_id} (v{self.version})"
