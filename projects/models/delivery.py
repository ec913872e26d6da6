"""The delivery layer: projects, milestones, dependencies, allocations, risks and issues."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import dateformat, timezone
from simple_history.models import HistoricalRecords

from portfolio.core.capacity import (
    LOAD_WINDOW_WEEKS,
    Load,
    WeekLoad,
    load_window,
    overbooking_summary,
)
from portfolio.core.impact import WORKING_DAYS_PER_WEEK, add_working_days
from portfolio.core.periods import Period, ReportingStatus, reporting_status
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
    from portfolio.core.roles import AnyUser


def _ends_before_start(start: object, finish: object) -> bool:
    """True when both are dates and finish comes first; a missing or unparsed date is left
    to the field's own validation."""
    return isinstance(start, date) and isinstance(finish, date) and finish < start


def _day(value: date | None) -> str:
    return dateformat.format(value, "j M Y") if value is not None else "unknown"


@dataclass(frozen=True)
class Totals:
    """Project count and money summed over a group of projects."""

    count: int = 0
    budget: Decimal | None = None  # None: no project of the group has a known budget
    spend: Decimal = Decimal(0)
    unknown_budgets: int = 0  # projects whose budget is unknown (left out of `budget`)

    @classmethod
    def of(cls, projects: Iterable[Project]) -> Totals:
        """The totals of projects already read (rows as they stood, say), as `totals_by`
        sums them in the database."""
        rows = list(projects)
        budgets = [p.budget for p in rows if p.budget is not None]
        return cls(
            count=len(rows),
            budget=sum(budgets, Decimal(0)) if budgets else None,
            spend=sum((p.spend_to_date or Decimal(0) for p in rows), Decimal(0)),
            unknown_budgets=len(rows) - len(budgets),
        )

    @property
    def spend_percent(self) -> Decimal | None:
        """Spend against budget; None when the budget is 0 or partly unknown (spend on a
        project without a budget would be set against the others' budgets)."""
        if not self.budget or self.unknown_budgets:
            return None
        return (self.spend * 100 / self.budget).quantize(Decimal("1"))


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

    def with_health(self) -> Self:
        """Annotate each project's current health: `health` (overall) and `health_gap`.

        Read through the reverse relation the health engine (`portfolio.health`) adds, so
        this layer needs no import of it; at most one record per project is current."""
        current = models.FilteredRelation(
            "health_records", condition=Q(health_records__is_current=True)
        )
        return self.annotate(
            current_health=current,
            health=models.F("current_health__overall"),
            health_gap=models.F("current_health__gap"),
        )

    def incoming_dependencies(self) -> DependencyQuerySet:
        """The dependencies whose downstream end is one of these projects."""
        return Dependency.objects.filter(downstream__in=self)

    def totals_by(self, field: str) -> dict[int, Totals]:
        """Totals grouped by a foreign key ("portfolio" or "programme"), in one query."""
        rows = (
            self.order_by()
            .values(field)
            .annotate(
                n=models.Count("pk"),
                known=models.Count("budget"),
                budget=Sum("budget"),
                spend=Sum("spend_to_date"),
            )
        )
        # Sum leaves unknown budgets out, and is NULL when every one is unknown: that stays
        # None ("unknown") rather than 0, and the count of unknowns goes with the total.
        return {
            row[field]: Totals(
                row["n"], row["budget"], row["spend"] or Decimal(0), row["n"] - row["known"]
            )
            for row in rows
            if row[field] is not None
        }

    def led_by(self, user: AnyUser) -> Self:
        """The user's own projects (as their project manager)."""
        person = person_for(user)
        return self.filter(manager=person) if person else self.none()

    def coordinated_by(self, user: AnyUser) -> Self:
        """Projects whose bookings and dependencies the user coordinates (programme manager)."""
        if sees_everything(user):
            return self
        return self.filter(programme__in=Programme.objects.managed_by(user))

    def editable_by(self, user: AnyUser) -> Self:
        """Projects whose own record (dates, budget, manager) the user may change: PMO only."""
        return self if sees_everything(user) else self.none()

    def delivered_by(self, user: AnyUser) -> Self:
        """Projects whose reports, milestones, risks and issues the user may write."""
        return self if sees_everything(user) else self.led_by(user)

    def rebaselinable_by(self, user: AnyUser) -> Self:
        """Projects the user may re-baseline at an approval point: PMO, the project's
        manager and its programme's manager (who answer for the plan)."""
        if sees_everything(user):
            return self
        person = person_for(user)
        if person is None:
            return self.none()
        return self.filter(Q(manager=person) | Q(programme__manager=person))


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
    # Long enough for the composite ids of government returns ("DFT-HS2-PH2B-...").
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    objective = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    sponsor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_projects"
    )
    # Start and budget may be unknown (None): real returns often give only completion dates
    # and withhold costs ("Exempt"); unknown is shown as such, never as 0 or a made-up date.
    baseline_start = models.DateField(null=True, blank=True)
    baseline_finish = models.DateField()
    forecast_finish = models.DateField(null=True, blank=True)
    budget = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
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
                condition=Q(baseline_start__isnull=True)
                | Q(baseline_finish__gte=models.F("baseline_start")),
                name="project_finishes_after_start",
            ),
            models.CheckConstraint(
                condition=Q(forecast_finish__isnull=True)
                | Q(baseline_start__isnull=True)
                | Q(forecast_finish__gte=models.F("baseline_start")),
                name="project_forecast_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(budget__isnull=True) | Q(budget__gte=0))
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

    def clean(self) -> None:
        # Field-keyed twins of the CheckConstraints: full_clean() then skips the constraint,
        # so a form shows one clear message next to the field instead of a non-field error.
        errors: dict[str, str] = {}
        if _ends_before_start(self.baseline_start, self.baseline_finish):
            errors["baseline_finish"] = (
                f"The baseline finish cannot be before the baseline start "
                f"({_day(self.baseline_start)})."
            )
        if _ends_before_start(self.baseline_start, self.forecast_finish):
            errors["forecast_finish"] = (
                f"The forecast finish cannot be before the baseline start "
                f"({_day(self.baseline_start)})."
            )
        programme = self.programme if self.programme_id is not None else None
        if (
            programme is not None
            and self.portfolio_id is not None
            and programme.portfolio_id != self.portfolio_id
        ):
            errors["programme"] = (
                f"{programme} is in the {programme.portfolio} portfolio; "
                f"choose a programme of {self.portfolio}."
            )
        if errors:
            raise ValidationError(errors)

    def reporting_status(self, period: Period, today: date) -> ReportingStatus:
        """This period's reporting status; needs `with_reporting(…, period)` annotations and
        the portfolio's policy (select_related("portfolio__health_policy"))."""
        policy = self.portfolio.policy
        return reporting_status(
            submitted_at=self.period_submitted_at,  # type: ignore[attr-defined]
            has_draft=self.period_has_draft,  # type: ignore[attr-defined]
            period=period,
            due_weekday=policy.report_due_weekday,
            grace_days=policy.report_grace_days,
            today=today,
        )

    @property
    def slippage_days(self) -> int:
        """Days the forecast finish lies beyond the baseline (negative when early)."""
        if self.forecast_finish is None:
            return 0
        return (self.forecast_finish - self.baseline_finish).days


class MilestoneQuerySet(models.QuerySet):
    def editable_by(self, user: AnyUser) -> Self:
        return self.filter(project__in=Project.objects.delivered_by(user))

    def open(self) -> Self:
        """Not reached yet: no actual date."""
        return self.filter(actual_date__isnull=True)

    def expected_between(self, first: date, last: date) -> Self:
        """Open milestones expected (forecast, else baseline) on a day of first..last."""
        return (
            self.open()
            .alias(expected=Coalesce("forecast_date", "baseline_date"))
            .filter(expected__gte=first, expected__lte=last)
        )

    def overdue(self, today: date) -> Self:
        """Milestone.is_overdue, table-wide."""
        return (
            self.open()
            .alias(expected=Coalesce("forecast_date", "baseline_date"))
            .filter(expected__lt=today)
        )


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=200)
    baseline_date = models.DateField()
    forecast_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    # The plan's summary tasks above it ("Design › Build"), when imported from Microsoft
    # Project: kept on the row so the project page and a re-import show the same stage.
    stage = models.CharField(max_length=200, blank=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["baseline_date", "name"]

    def __str__(self) -> str:
        return f"{self.project}: {self.name}"

    def expected_date(self) -> date:
        return self.actual_date or self.forecast_date or self.baseline_date

    def is_overdue(self, today: date | None = None) -> bool:
        """Past its forecast (its baseline when it has none) and not reached. Without a
        day given, today (so a template can ask)."""
        today = today or timezone.localdate()
        return self.actual_date is None and self.expected_date() < today

    @property
    def slippage_days(self) -> int:
        return (self.expected_date() - self.baseline_date).days


class DependencyQuerySet(models.QuerySet):
    def visible_to(self, user: AnyUser) -> Self:
        visible = Project.objects.visible_to(user)
        return self.filter(Q(upstream__in=visible) | Q(downstream__in=visible))

    def editable_by(self, user: AnyUser) -> Self:
        """Programme managers coordinate the dependencies touching their programme; a
        project manager keeps those their own project needs."""
        if sees_everything(user):
            return self
        managed = Programme.objects.managed_by(user)
        return self.filter(
            Q(upstream__programme__in=managed)
            | Q(downstream__programme__in=managed)
            | Q(downstream__in=Project.objects.led_by(user))
        )


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
        "lag (working days)",
        default=0,
        validators=[MinValueValidator(-365), MaxValueValidator(365)],
        help_text="Working days (Monday to Friday) the downstream waits after the upstream is "
        "ready; negative for a lead.",
    )
    description = models.CharField(max_length=300, blank=True)

    objects = DependencyQuerySet.as_manager()
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

    def ready_on(self) -> date | None:
        """When the upstream side is ready: the pinned milestone's expected date; else the
        upstream's start (start-to-start; None when unknown), or its forecast (else
        baseline) finish."""
        if self.upstream_milestone is not None:
            return self.upstream_milestone.expected_date()
        if self.kind == self.Kind.START_TO_START:
            return self.upstream.baseline_start
        return self.upstream.forecast_finish or self.upstream.baseline_finish

    def needed_on(self) -> date | None:
        """When the downstream needs it: the pinned milestone's baseline; else the
        downstream's baseline finish (finish-to-finish) or its baseline start (None when
        unknown)."""
        if self.downstream_milestone is not None:
            return self.downstream_milestone.baseline_date
        if self.kind == self.Kind.FINISH_TO_FINISH:
            return self.downstream.baseline_finish
        return self.downstream.baseline_start

    def days_late(self) -> int | None:
        """Days the upstream is ready after it must be (> 0 is late); None when either date
        is unknown (a project without a start), which is not counted as late. As in
        scheduling tools, the downstream goes on `lag_days` working days after the upstream
        is ready (a negative lag is a lead): the impact engine's rule."""
        ready, needed = self.ready_on(), self.needed_on()
        if ready is None or needed is None:
            return None
        return self._days_late_if_ready_on(ready, needed)

    def ready_by(self) -> date | None:
        """The last working day the upstream may be ready without delaying the downstream:
        the inverse of `days_late`, so ready on it is on time and a working day later is
        late. None when the downstream's date is unknown."""
        needed = self.needed_on()
        if needed is None:
            return None
        # A first guess, then a step or two to where the rule itself turns: working-day
        # arithmetic around weekends makes "needed less the lag" off by a day or two.
        day = add_working_days(needed, -self.lag_days)
        while (
            day.weekday() >= WORKING_DAYS_PER_WEEK or self._days_late_if_ready_on(day, needed) > 0
        ):
            day -= timedelta(days=1)
        while self._days_late_if_ready_on(add_working_days(day, 1), needed) <= 0:
            day = add_working_days(day, 1)
        return day

    def _days_late_if_ready_on(self, ready: date, needed: date) -> int:
        return (add_working_days(ready, self.lag_days) - needed).days

    def clean(self) -> None:
        # Cycles are refused by projects.services.dependency_create/update, which hold the
        # graph lock while they search; a check here would race.
        errors: dict[str, str] = {}
        if self.upstream_id is not None and self.upstream_id == self.downstream_id:
            errors["downstream"] = "A project cannot depend on itself."
        for side in ("upstream", "downstream"):
            if message := self._milestone_mismatch(side):
                errors[f"{side}_milestone"] = message
        if not errors and self._duplicates_a_pair():
            errors["upstream"] = f"{self.downstream} already depends on {self.upstream}."
        if errors:
            raise ValidationError(errors)

    def _milestone_mismatch(self, side: str) -> str | None:
        """Why the milestone pinned on this side is not one of that side's project, if so."""
        project_id = getattr(self, f"{side}_id")
        milestone: Milestone | None = getattr(self, f"{side}_milestone")
        if milestone is None or project_id is None or milestone.project_id == project_id:
            return None
        return (
            f"{milestone.name} is a milestone of {milestone.project}, "
            f"not of the {side} project {getattr(self, side)}."
        )

    def _duplicates_a_pair(self) -> bool:
        if self.upstream_id is None or self.downstream_id is None:
            return False
        return (
            Dependency.objects.filter(
                upstream_id=self.upstream_id, downstream_id=self.downstream_id
            )
            .exclude(pk=self.pk)
            .exists()
        )


# Projects not yet approved for delivery: their bookings are tentative demand.
PIPELINE_STAGES = (Project.Stage.INITIATION, Project.Stage.PLANNING)


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def visible_to(self, user: AnyUser) -> Self:
        return self.filter(project__in=Project.objects.visible_to(user))

    def editable_by(self, user: AnyUser) -> Self:
        """Programme managers book people onto their programme's projects."""
        if sees_everything(user):
            return self
        return self.filter(project__programme__in=Programme.objects.managed_by(user))

    def tentative(self) -> Self:
        """Bookings on projects still in the pipeline (initiation, planning): demand that is
        asked for but not yet committed."""
        return self.filter(project__stage__in=PIPELINE_STAGES)

    def committed(self) -> Self:
        return self.exclude(project__stage__in=PIPELINE_STAGES)

    def overlapping(self, start: date, finish: date) -> Self:
        """Bookings sharing at least one day with start..finish (both days included)."""
        return self.filter(start_date__lte=finish, finish_date__gte=start)

    def weekly_booked_hours(self, start: date, finish: date) -> dict[int, dict[date, Decimal]]:
        """Hours booked per person per ISO week (keyed by its Monday), from one query.

        1. Fetch the bookings touching the ISO weeks of start..finish, with each person's
           capacity (a percentage booking is a share of it).
        2. Spread each booking's weekly hours over the weeks it touches, pro rata to the
           working days (Monday to Friday) it covers in each: a booking ending on a Wednesday
           and another starting on the Thursday do not both count in full that week.
        """
        hours, _ = self._booked(start, finish)
        return hours

    def weekly_load(self, today: date, weeks: int = LOAD_WINDOW_WEEKS) -> dict[int, Load]:
        """Each person with these bookings in the capacity window (`capacity.load_window`:
        this ISO week and the next eleven), with their load in every week of it, from one
        query. Whether a week is over-booked is `capacity.is_overbooked`; start from all of
        a person's bookings (`person.allocations`, or `filter(person__in=…)`) to count every
        project they are on."""
        mondays = load_window(today, weeks)
        hours, capacity = self._booked(mondays[0], mondays[-1])
        return {
            person: Load(
                tuple(
                    WeekLoad(monday, booked.get(monday, Decimal(0)), capacity[person])
                    for monday in mondays
                )
            )
            for person, booked in hours.items()
        }

    def _booked(
        self, start: date, finish: date
    ) -> tuple[dict[int, dict[date, Decimal]], dict[int, Decimal]]:
        """The hours of weekly_booked_hours, and each booked person's weekly capacity."""
        first_monday = start - timedelta(days=start.weekday())
        last_monday = finish - timedelta(days=finish.weekday())
        bookings = self.overlapping(first_monday, last_monday + timedelta(days=6))
        return booked_hours(bookings.select_related("person"), start, finish)


def booked_hours(
    bookings: Iterable[Allocation], start: date, finish: date
) -> tuple[dict[int, dict[date, Decimal]], dict[int, Decimal]]:
    """`AllocationQuerySet.weekly_booked_hours` of bookings held in memory (each with its
    person), and each booked person's weekly capacity: the one spreading rule, also for
    bookings as a scenario would make them (portfolio.scenarios)."""
    first_monday = start - timedelta(days=start.weekday())
    last_monday = finish - timedelta(days=finish.weekday())
    hours: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    capacity: dict[int, Decimal] = {}
    for booking in bookings:
        capacity[booking.person_id] = booking.person.weekly_capacity_hours
        weekly = booking.weekly_hours()
        own_first_monday = booking.start_date - timedelta(days=booking.start_date.weekday())
        monday = max(first_monday, own_first_monday)
        while monday <= min(last_monday, booking.finish_date):
            days = booking.working_days_in_week(monday)
            if days:
                hours[booking.person_id][monday] += weekly * days / 5
            monday += timedelta(weeks=1)
    return {person: dict(weeks) for person, weeks in hours.items()}, capacity


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

    objects = AllocationQuerySet.as_manager()
    history = HistoricalRecords()

    # What the last save over-booked, set by projects.services.allocation_save, which
    # counts the load once, under the person's lock; "" when nothing (or not saved so).
    overbooking_on_save = ""

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

    def overbooked_weeks(self) -> list[WeekLoad]:
        """The ISO weeks this booking covers in which its person is over-booked, counting
        every project they are booked on (this booking as saved)."""
        booked = Allocation.objects.filter(person_id=self.person_id).weekly_booked_hours(
            self.start_date, self.finish_date
        )
        capacity = self.person.weekly_capacity_hours
        weeks = (
            WeekLoad(monday, hours, capacity)
            for monday, hours in booked.get(self.person_id, {}).items()
            if self.working_days_in_week(monday)
        )
        return [week for week in weeks if week.is_overbooked]

    def overbooking_warning(self) -> str:
        """What a booker is told when this booking over-books its person; "" when not."""
        summary = overbooking_summary(self.overbooked_weeks())
        return f"This takes {self.person} to {summary}." if summary else ""

    def working_days_in_week(self, monday: date) -> int:
        """Weekdays of the week starting on `monday` that this booking covers (0 to 5)."""
        first = max(monday, self.start_date)
        last = min(monday + timedelta(days=4), self.finish_date)
        return max(0, (last - first).days + 1)

    def clash(self) -> Allocation | None:
        """Another booking of the same person on the same project sharing a day with this."""
        if self.person_id is None or self.project_id is None:
            return None
        if not (isinstance(self.start_date, date) and isinstance(self.finish_date, date)):
            return None
        return (
            Allocation.objects.filter(person_id=self.person_id, project_id=self.project_id)
            .exclude(pk=self.pk)
            .overlapping(self.start_date, self.finish_date)
            .order_by("start_date")
            .first()
        )

    def overlap_message(self) -> str | None:
        clash = self.clash()
        if clash is None:
            return None
        return (
            f"{self.person} is already booked on this project from {_day(clash.start_date)} "
            f"to {_day(clash.finish_date)}."
        )

    def clean(self) -> None:
        # PostgreSQL's exclusion constraint (migration 0002) backs the overlap rule; under
        # concurrency, projects.services.allocation_save locks the person before this runs.
        errors: dict[str, str] = {}
        if _ends_before_start(self.start_date, self.finish_date):
            errors["finish_date"] = "The booking cannot finish before it starts."
        if self.percent is None and self.hours_per_week is None:
            errors["percent"] = "Give a percentage or hours per week."
        elif self.percent is not None and self.hours_per_week is not None:
            errors["percent"] = "Give a percentage or hours per week, not both."
        if "finish_date" not in errors and (message := self.overlap_message()):
            errors["start_date"] = message
        if errors:
            raise ValidationError(errors)


class RegisterQuerySet(models.QuerySet):
    """Risks and issues: raised on a project or a programme, seen by whoever sees those."""

    def visible_to(self, user: AnyUser) -> Self:
        if sees_everything(user):
            return self
        return self.filter(
            Q(project__in=Project.objects.visible_to(user))
            | Q(programme__in=Programme.objects.visible_to(user))
        )

    def editable_by(self, user: AnyUser) -> Self:
        """A project's manager writes its items; a programme's manager writes the programme's
        own and escalated items."""
        if sees_everything(user):
            return self
        return self.filter(
            Q(project__in=Project.objects.delivered_by(user))
            | Q(programme__in=Programme.objects.managed_by(user))
        )

    def open(self) -> Self:
        return self.exclude(status="closed")


class IssueQuerySet(RegisterQuerySet):
    def overdue(self, today: date) -> Self:
        """Issue.is_overdue, table-wide: open and past the due date."""
        return self.open().filter(due_date__lt=today)


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

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse("projects:register-detail", args=[self._meta.model_name, self.pk])

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    def clean(self) -> None:
        what = self._meta.verbose_name
        if self.project_id is None and self.programme_id is None:
            raise ValidationError({"project": f"Raise the {what} on a project or a programme."})
        project = self.project if self.project_id is not None else None
        if project is None:
            return
        # A project item reaches a programme only by escalation, and then only its own.
        if self.is_escalated and self.programme_id != project.programme_id:
            raise ValidationError(
                {"programme": f"An escalated {what} sits on the programme of {project}."}
            )
        if not self.is_escalated and self.programme_id is not None:
            raise ValidationError(
                {
                    "programme": f"A {what} raised on a project reaches a programme by "
                    "escalation: leave the programme empty, or raise it on the programme alone."
                }
            )


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

    objects = RegisterQuerySet.as_manager()
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
        indexes = [
            # "Top risks" (dashboards, board packs) read the few highest-scoring open risks
            # in this order: walking this index stops after them instead of sorting them all.
            models.Index(
                (models.F("probability") * models.F("impact")).desc(),
                models.F("raised_on").desc(),
                name="risk_open_by_score",
                condition=~Q(status="closed"),
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

    objects = IssueQuerySet.as_manager()
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

    def is_overdue(self, today: date | None = None) -> bool:
        """Past its due date and not closed (IssueQuerySet.overdue is the same rule for a
        table). Without a day given, today (so a template can ask)."""
        today = today or timezone.localdate()
        return (
            self.status != self.Status.CLOSED
            and self.due_date is not None
            and self.due_date < today
        )
