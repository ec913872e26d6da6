"""Weekly status reports: one record per project per ISO week, revised but never edited.

A report is a draft until submitted. A submitted report is a record: a correction is a new
revision (a new row with revision + 1), and the differences between revisions can be shown.
Drafts carry a version number so that two people editing one draft cannot overwrite each
other unseen (see projects.services.status_report_save).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.ratings import Rating
from programmes.models import sees_everything
from projects.models.delivery import Project

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

DIMENSIONS = ("schedule", "cost", "scope", "resources", "risk")
RATED = (*DIMENSIONS, "overall")
# Fields a report carries forward into next week's draft.
CARRIED_FORWARD = (
    *RATED,
    *(f"{name}_reason" for name in RATED),
    "percent_complete",
    "forecast_finish",
    "spend_to_date",
    "forecast_at_completion",
    "accomplishments",
    "next_steps",
    "decisions_needed",
)


def _field(name: str) -> models.Field:
    return StatusReport._meta.get_field(name)  # type: ignore[return-value]


def field_label(name: str) -> str:
    return str(_field(name).verbose_name).capitalize()


def _rating_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=12, choices=Rating, blank=True)


def _reason_field(label: str) -> models.CharField:
    return models.CharField(label, max_length=200, blank=True)


def with_reporting(projects: models.QuerySet[Project], period: Period) -> models.QuerySet[Project]:
    """Annotate projects with what reporting needs, in the same single query:
    `period_submitted_at` (first submission for the period), `period_has_draft`, and
    `last_overall` / `last_period_start` from the newest submitted report of any week."""
    reports = StatusReport.objects.filter(project=models.OuterRef("pk"))
    submitted = reports.filter(state=StatusReport.State.SUBMITTED)
    newest = submitted.order_by("-period_start", "-revision")
    return projects.annotate(
        period_submitted_at=models.Subquery(
            submitted.filter(period_start=period.start)
            .order_by("submitted_at")
            .values("submitted_at")[:1]
        ),
        period_has_draft=models.Exists(
            reports.filter(period_start=period.start, state=StatusReport.State.DRAFT)
        ),
        last_overall=models.Subquery(newest.values("overall")[:1]),
        last_period_start=models.Subquery(newest.values("period_start")[:1]),
    )


class StatusReportQuerySet(models.QuerySet["StatusReport"]):
    def visible_to(self, user: AnyUser) -> Self:
        return self.filter(project__in=Project.objects.visible_to(user))

    def submitted(self) -> Self:
        return self.filter(state=StatusReport.State.SUBMITTED)

    def drafts(self) -> Self:
        return self.filter(state=StatusReport.State.DRAFT)

    def for_period(self, period: Period) -> Self:
        return self.filter(period_start=period.start)

    def latest_revisions(self) -> Self:
        """The newest submitted revision of each project's report for each period."""
        newer = StatusReport.objects.submitted().filter(
            project=models.OuterRef("project"),
            period_start=models.OuterRef("period_start"),
            revision__gt=models.OuterRef("revision"),
        )
        return self.submitted().exclude(models.Exists(newer))

    def editable_by(self, user: AnyUser) -> Self:
        if sees_everything(user):
            return self
        return self.filter(project__in=Project.objects.delivered_by(user))


class StatusReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    class Source(models.TextChoices):
        FORM = "form", "Weekly update"
        IMPORT = "import", "Imported return"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_reports")
    period_start = models.DateField(help_text="Monday of the ISO week reported on")
    revision = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # An imported return's reports are replaced when the same return is imported again;
    # the ones written through the weekly update never are.
    source = models.CharField(max_length=8, choices=Source, default=Source.FORM)

    overall = _rating_field("Overall")
    schedule = _rating_field("Schedule")
    cost = _rating_field("Cost")
    scope = _rating_field("Scope")
    resources = _rating_field("Resources")
    risk = _rating_field("Risk")
    overall_reason = _reason_field("Why overall")
    schedule_reason = _reason_field("Why schedule")
    cost_reason = _reason_field("Why cost")
    scope_reason = _reason_field("Why scope")
    resources_reason = _reason_field("Why resources")
    risk_reason = _reason_field("Why risk")

    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    forecast_finish = models.DateField(null=True, blank=True)
    spend_to_date = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    forecast_at_completion = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    accomplishments = models.TextField("Accomplishments this week", blank=True)
    next_steps = models.TextField("Next steps", blank=True)
    decisions_needed = models.TextField("Decisions or help needed", blank=True)

    objects = StatusReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period_start", "revision"],
                name="one_report_revision_per_project_week",
            ),
            models.UniqueConstraint(
                fields=["project", "period_start"],
                condition=Q(state="draft"),
                name="one_draft_per_project_week",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__isnull=True)
                | Q(percent_complete__gte=0, percent_complete__lte=100),
                name="report_percent_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(submitted_at__isnull=False),
                name="submitted_report_has_a_time",
            ),
            models.CheckConstraint(
                condition=(Q(spend_to_date__isnull=True) | Q(spend_to_date__gte=0))
                & (Q(forecast_at_completion__isnull=True) | Q(forecast_at_completion__gte=0)),
                name="report_money_not_negative",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="report_revision_from_one"),
        ]
        indexes = [
            # "Who reported for week W, and when": the Reporting page's statuses and counts
            # read this for every project at once (an index-only scan of one week's rows).
            models.Index(
                fields=["period_start", "project", "submitted_at"],
                condition=Q(state="submitted"),
                name="submitted_reports_by_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} — {self.period.label} r{self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("projects:report-detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.period_start)

    @property
    def is_submitted(self) -> bool:
        return self.state == self.State.SUBMITTED

    def ratings(self) -> list[tuple[str, str, str]]:
        """(dimension label, rating value, reason) in display order, overall last."""
        return [
            (str(_field(name).verbose_name), getattr(self, name), getattr(self, f"{name}_reason"))
            for name in RATED
        ]

    def submission_errors(self) -> dict[str, str]:
        """What stops this draft from being submitted, keyed by field."""
        errors: dict[str, str] = {}
        for name in RATED:
            rating = getattr(self, name)
            label = str(_field(name).verbose_name).lower()
            if not rating:
                errors[name] = f"Rate {label} before submitting."
            elif rating != Rating.GREEN and not getattr(self, f"{name}_reason").strip():
                errors[f"{name}_reason"] = f"Say in one line why {label} is not green."
        if self.percent_complete is None:
            errors["percent_complete"] = "Give the percent complete."
        return errors

    def carried_forward(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CARRIED_FORWARD}

    def differences(self, earlier: StatusReport) -> list[tuple[str, Any, Any]]:
        """(field label, earlier value, this value) for every field that changed."""
        changes = []
        for name in CARRIED_FORWARD:
            old, new = getattr(earlier, name), getattr(self, name)
            if old != new:
                field = _field(name)
                label = str(field.verbose_name).capitalize()
                if field.choices:
                    old = dict(field.choices).get(old, old)
                    new = dict(field.choices).get(new, new)
                changes.append((label, old, new))
        return changes

    def is_on_time(self, due: date) -> bool:
        return self.submitted_at is not None and timezone.localdate(self.submitted_at) <= due
