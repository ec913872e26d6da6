"""Reporting compliance: who reported for a period, on time or not, and the reminders sent.

A `ReminderLog` row is written *before* its email is sent: the automatic kinds (due,
overdue) are unique per project and period, so the insert is the claim that stops two beat
runs or two workers from sending the same reminder twice (see projects.reminders).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Count, Min, Q
from django.db.models.expressions import Combinable
from django.utils import timezone

from portfolio.core.periods import Period, ReportingStatus, reporting_status
from projects.models.delivery import Project, ProjectQuerySet
from projects.models.reporting import StatusReport

if TYPE_CHECKING:
    from programmes.models import HealthPolicy

HISTORY_WEEKS = 8
# Most urgent first: the order the Reporting page lists its rows in.
URGENCY = (
    ReportingStatus.OVERDUE,
    ReportingStatus.NOT_DUE,
    ReportingStatus.DRAFT,
    ReportingStatus.LATE,
    ReportingStatus.ON_TIME,
)
# The summary's order and words ("41 on time · 6 late · 3 overdue · …"), also the filter's.
SUMMARY = (
    (ReportingStatus.ON_TIME, "on time"),
    (ReportingStatus.LATE, "late"),
    (ReportingStatus.OVERDUE, "overdue"),
    (ReportingStatus.DRAFT, "draft"),
    (ReportingStatus.NOT_DUE, "not started"),
)
SUBMITTED = frozenset({ReportingStatus.ON_TIME, ReportingStatus.LATE})
WEEK_SYMBOLS = {
    ReportingStatus.ON_TIME: "✓",
    ReportingStatus.LATE: "L",
    ReportingStatus.OVERDUE: "✗",
    ReportingStatus.DRAFT: "D",
}


def expected_to_report(projects: ProjectQuerySet) -> ProjectQuerySet:
    """Projects that owe a weekly report: active (not archived) and not closed."""
    return projects.active().exclude(stage=Project.Stage.CLOSED)


class ReminderLogQuerySet(models.QuerySet["ReminderLog"]):
    def for_period(self, period: Period) -> Self:
        return self.filter(period_start=period.start)

    def reminded_on(self, day: date, *, project: Project, period: Period, recipient: str) -> Self:
        """Reminders of any kind to this recipient about this project and period sent on
        that (local) day."""
        return self.for_period(period).filter(
            project=project, recipient=recipient, sent_at__date=day
        )

    def latest_by_project(
        self, projects: models.QuerySet[Project], period: Period
    ) -> dict[int, ReminderLog]:
        """{project id: its newest reminder of any kind for the period}, in one query."""
        latest: dict[int, ReminderLog] = {}
        rows = self.for_period(period).filter(project__in=projects.values("pk"))
        for log in rows.order_by("project_id", "-sent_at"):
            latest.setdefault(log.project_id, log)
        return latest


class ReminderLog(models.Model):
    class Kind(models.TextChoices):
        DUE = "due", "Due today"
        OVERDUE = "overdue", "Overdue chase"
        MANUAL = "manual", "Sent by the PMO"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField(help_text="Monday of the ISO week the reminder is about")
    kind = models.CharField(max_length=8, choices=Kind)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.EmailField()

    objects = ReminderLogQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # The claim: an automatic reminder goes once per project and period; the PMO's
            # own reminders may be repeated on a later day (projects.reminders).
            models.UniqueConstraint(
                fields=["project", "period_start", "kind"],
                condition=~Q(kind="manual"),
                name="one_automatic_reminder_per_project_week",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["due", "overdue", "manual"]), name="reminder_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["period_start", "project"], name="reminder_period_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} about {self.project}"

    @property
    def period(self) -> Period:
        return Period(self.period_start)


@dataclass(frozen=True)
class Week:
    """One project's reporting for one past or present period (a square of the strip)."""

    period: Period
    status: ReportingStatus

    @property
    def symbol(self) -> str:
        """The square's one-character text (the legend under the table explains them)."""
        return WEEK_SYMBOLS.get(self.status, "·")


@dataclass
class ComplianceRow:
    project: Project
    status: ReportingStatus
    submitted_at: datetime | None
    due: date
    history: list[Week] = field(default_factory=list)
    reminder: ReminderLog | None = None

    @property
    def history_title(self) -> str:
        """The whole strip in words, once per row rather than once per square."""
        return " · ".join(f"{w.period.label}: {w.status.label}" for w in self.history)

    @property
    def is_submitted(self) -> bool:
        return self.status in SUBMITTED

    @property
    def manager_email(self) -> str:
        manager = self.project.manager
        return manager.email if manager is not None else ""


@dataclass
class Compliance:
    """Submission compliance of a set of projects for one period."""

    period: Period
    rows: list[ComplianceRow]

    @property
    def counts(self) -> list[tuple[ReportingStatus, str, int]]:
        """(status, its short name, how many projects), in the summary's order."""
        tally = Counter(row.status for row in self.rows)
        return [(status, name, tally[status]) for status, name in SUMMARY]

    @property
    def percent_on_time(self) -> int | None:
        if not self.rows:
            return None
        on_time = sum(row.status == ReportingStatus.ON_TIME for row in self.rows)
        return round(100 * on_time / len(self.rows))

    @property
    def overdue(self) -> list[ComplianceRow]:
        return [row for row in self.rows if row.status == ReportingStatus.OVERDUE]


def compliance_for(projects: models.QuerySet[Project], period: Period, today: date) -> Compliance:
    """Each project's status for `period`, its last 8 weeks and the newest reminder.

    1. Three queries however many projects: the projects (with programme, manager and
       policy); every report of the 8 weeks ending with `period`, grouped by project and
       week (first submission, any draft); the reminders of `period`.
    2. Statuses are worked out in Python by the same rule as My projects
       (`reporting_status`), with each portfolio's due weekday and grace days.
    """
    projects = projects.select_related("programme", "manager", "portfolio__health_policy")
    first = period.previous(HISTORY_WEEKS - 1)
    weeks = [period.previous(n) for n in range(HISTORY_WEEKS - 1, -1, -1)]
    reports = (
        StatusReport.objects.filter(
            project__in=projects.values("pk"), period_start__range=(first.start, period.start)
        )
        .order_by()
        .values("project_id", "period_start")
        .annotate(
            submitted_at=Min("submitted_at", filter=Q(state=StatusReport.State.SUBMITTED)),
            drafts=Count("pk", filter=Q(state=StatusReport.State.DRAFT)),
        )
    )
    by_week: dict[tuple[int, date], tuple[datetime | None, bool]] = {
        (r["project_id"], r["period_start"]): (r["submitted_at"], r["drafts"] > 0) for r in reports
    }
    reminders = ReminderLog.objects.latest_by_project(projects, period)
    rows = []
    for project in projects:
        policy = project.portfolio.policy
        history = [
            Week(week, _status(by_week.get((project.pk, week.start)), week, policy, today))
            for week in weeks
        ]
        submitted_at, _ = by_week.get((project.pk, period.start), (None, False))
        rows.append(
            ComplianceRow(
                project=project,
                status=history[-1].status,
                submitted_at=submitted_at,
                due=period.due_date(policy.report_due_weekday),
                history=history,
                reminder=reminders.get(project.pk),
            )
        )
    rows.sort(key=lambda row: (URGENCY.index(row.status), row.project.name.lower()))
    return Compliance(period=period, rows=rows)


def _status(
    found: tuple[datetime | None, bool] | None, period: Period, policy: HealthPolicy, today: date
) -> ReportingStatus:
    submitted_at, has_draft = found or (None, False)
    return reporting_status(
        # On time is judged by the local calendar day of the submission, not UTC's.
        submitted_at=timezone.localtime(submitted_at) if submitted_at else None,
        has_draft=has_draft,
        period=period,
        due_weekday=policy.report_due_weekday,
        grace_days=policy.report_grace_days,
        today=today,
    )


def without_submission(period: Period) -> Combinable:
    """A filter for projects with no submitted report for `period`."""
    return ~models.Exists(
        StatusReport.objects.submitted().filter(
            project=models.OuterRef("pk"), period_start=period.start
        )
    )


def with_period_status(
    projects: models.QuerySet[Project], period: Period, today: date
) -> models.QuerySet[Any]:
    """Annotate each project's status for `period` as `period_status`, and its place in
    URGENCY as `urgency`, in SQL, so a page can count, filter and page them without working
    out every project's week in Python.

    1. The same rule as `reporting_status`: on time when first submitted by the end of the
       due day (a local day), late when submitted after it, overdue when missing from the
       chase date on, a draft, or not started.
    2. Due day and grace depend on the portfolio's policy: one query reads the few distinct
       (due weekday, grace days) pairs of all policies (a branch no project takes costs
       nothing, and the policies are as few as the portfolios however many projects there
       are), and each becomes a branch with its own deadline, computed here, so the SQL
       compares plain timestamps (SQLite and PostgreSQL alike).
    3. The week's reports are read by uncorrelated `IN` subqueries, each run once (not once
       per project), which keeps the statement cheap enough for the planner not to JIT it.
    """
    default = (_default("report_due_weekday"), _default("report_grace_days"))
    pairs = {default} | set(
        _policy_model()
        ._default_manager.order_by()
        .values_list("report_due_weekday", "report_grace_days")
        .distinct()
    )
    week = StatusReport.objects.filter(period_start=period.start).order_by()
    submitted = week.filter(state=StatusReport.State.SUBMITTED).exclude(submitted_at=None)
    branches: list[tuple[Q, ReportingStatus]] = []
    overdue: list[tuple[Q, ReportingStatus]] = []
    for weekday, grace in sorted(pairs):
        policy = Q(
            portfolio__health_policy__report_due_weekday=weekday,
            portfolio__health_policy__report_grace_days=grace,
        )
        if (weekday, grace) == default:
            policy |= Q(portfolio__health_policy=None)
        due_day_ends = timezone.make_aware(
            datetime.combine(period.due_date(weekday) + timedelta(days=1), time.min)
        )
        in_time = submitted.filter(submitted_at__lt=due_day_ends).values("project_id")
        branches.append((policy & Q(pk__in=in_time), ReportingStatus.ON_TIME))
        if today >= period.chase_date(weekday, grace):
            overdue.append((policy, ReportingStatus.OVERDUE))
    branches.append((Q(pk__in=submitted.values("project_id")), ReportingStatus.LATE))
    branches += overdue
    drafts = week.filter(state=StatusReport.State.DRAFT).values("project_id")
    branches.append((Q(pk__in=drafts), ReportingStatus.DRAFT))

    def case(value: Any, output: models.Field[Any, Any]) -> models.Case:
        return models.Case(
            *(models.When(condition, then=models.Value(value(s))) for condition, s in branches),
            default=models.Value(value(ReportingStatus.NOT_DUE)),
            output_field=output,
        )

    return projects.annotate(
        period_status=case(lambda s: s.value, models.CharField()),
        urgency=case(URGENCY.index, models.IntegerField()),
    )


def _policy_model() -> type[HealthPolicy]:
    """The portfolios' health policy, reached through the project (delivery does not import
    the strategic layer's models at run time)."""
    policy = Project._meta.get_field("portfolio").related_model._meta.get_field("health_policy")
    return policy.related_model  # type: ignore[return-value]


def _default(name: str) -> int:
    """A reporting setting's default, for portfolios whose PMO has saved no policy."""
    return _policy_model()._meta.get_field(name).get_default()  # type: ignore[union-attr]
