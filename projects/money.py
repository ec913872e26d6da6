"""Projects' money by month: budget and forecast as phased, actual spend from the weekly
reports, and their roll-up to programme and portfolio.

- Phasing (projects.models.money): a project's budget (over its baseline start to
  baseline finish) and forecast (forecast at completion, else budget, over its baseline
  start to its expected finish) are spread evenly unless a phasing row says S-curve or
  entered. Entered months are taken as they are; what they leave of the total is shown
  as unphased, not spread.
- Actuals: `StatusReport.spend_to_date` is cumulative. A report counts in the month of the
  week it reports on (its `period_start`); each week's newest submitted revision is read.
  A month's actual is its last figure minus the last one before it
  (portfolio.core.money.monthly_from_cumulative). The project record follows its newest
  report, so a project spend that differs from that report's figure was changed since:
  it is the newest figure and counts in the current month.
- Roll-up: the sums of a programme's or portfolio's active projects (standalone projects
  count in their portfolio), read table-wide in four queries whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from portfolio.core.money import (
    Phasing,
    add_months,
    added,
    cumulative,
    month_of,
    monthly_from_cumulative,
    spread_evenly,
    spread_s_curve,
)
from projects.models import MoneyKind, PhasedAmount, Project, ProjectPhasing, StatusReport

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser

Shape = ProjectPhasing.Shape
# Entered months may lie this far before the project's start or after its finish: a late
# invoice or early procurement, not a typing slip of a decade.
SENSIBLE_YEARS = 5
MAX_AMOUNT = Decimal("999999999999.99")  # the column's 14 digits
# What the roll-up reads of each project (and nothing else, at the L size).
_FIELDS = (
    "programme_id",
    "portfolio_id",
    "budget",
    "forecast_at_completion",
    "spend_to_date",
    "baseline_start",
    "baseline_finish",
    "forecast_finish",
)


# Phasing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plans:
    """The phasing rows of some projects, read in two queries."""

    shapes: dict[tuple[int, str], str]
    entered: dict[tuple[int, str], Phasing]

    @classmethod
    def of(cls, project_ids: Iterable[int]) -> Plans:
        ids = list(project_ids)
        shapes = {
            (project, kind): shape
            for project, kind, shape in ProjectPhasing.objects.of(ids).values_list(
                "project_id", "kind", "shape"
            )
        }
        entered: dict[tuple[int, str], Phasing] = defaultdict(dict)
        for project, kind, month, amount in PhasedAmount.objects.of(ids).values_list(
            "project_id", "kind", "month", "amount"
        ):
            entered[(project, kind)][month] = amount
        return cls(shapes, dict(entered))

    def shape(self, project: Project, kind: str) -> str:
        return self.shapes.get((project.pk, kind), Shape.EVEN)

    def phasing(self, project: Project, kind: str) -> Phasing:
        shape = self.shape(project, kind)
        if shape == Shape.ENTERED:
            return dict(self.entered.get((project.pk, kind), {}))
        total, span = total_of(project, kind), span_of(project, kind)
        if total is None or span is None:
            return {}
        spread = spread_s_curve if shape == Shape.S_CURVE else spread_evenly
        return spread(total, *span)


def total_of(project: Project, kind: str) -> Decimal | None:
    """What the phasing spreads: the budget, or the forecast at completion (else budget)."""
    if kind == MoneyKind.FORECAST and project.forecast_at_completion is not None:
        return Decimal(project.forecast_at_completion)
    return None if project.budget is None else Decimal(project.budget)


def span_of(project: Project, kind: str) -> tuple[date, date] | None:
    """The dates the total is spread over; None when the start is unknown."""
    start = project.baseline_start
    if start is None:
        return None
    finish = project.baseline_finish
    if kind == MoneyKind.FORECAST:
        finish = project.forecast_finish or finish
    return start, max(finish, start)


def _by_month(projects: Iterable[Project], kind: str) -> dict[int, Phasing]:
    rows = list(projects)
    plans = Plans.of(p.pk for p in rows)
    return {p.pk: plans.phasing(p, kind) for p in rows}


def forecast_by_month(projects: Iterable[Project]) -> dict[int, Phasing]:
    """Project id → its forecast cost by month; {} for a project with no money or no start
    (and no months entered)."""
    return _by_month(projects, MoneyKind.FORECAST)


def budget_by_month(projects: Iterable[Project]) -> dict[int, Phasing]:
    """Project id → its budget by month, as `forecast_by_month`."""
    return _by_month(projects, MoneyKind.BUDGET)


# Actuals -------------------------------------------------------------------------------


def actual_by_month(projects: Iterable[Project], today: date | None = None) -> dict[int, Phasing]:
    """Project id → its actual spend by month from its reports (the module says how), in
    one query; months without a report are left out."""
    rows = list(projects)
    today = today or timezone.localdate()
    figures: dict[int, list[tuple[date, Decimal | None]]] = defaultdict(list)
    reports = (
        StatusReport.objects.latest_revisions()
        .filter(project_id__in=[p.pk for p in rows], period_start__lte=today)
        .order_by("project_id", "period_start")
        .values_list("project_id", "period_start", "spend_to_date")
    )
    for project, day, spend in reports:
        figures[project].append((day, spend))
    return {p.pk: _actuals(p, figures.get(p.pk, []), today) for p in rows}


def _actuals(project: Project, figures: list[tuple[date, Decimal | None]], today: date) -> Phasing:
    known = [figure for _, figure in figures if figure is not None]
    reported = known[-1] if known else Decimal(0)
    if project.spend_to_date != reported:
        figures = [*figures, (today, project.spend_to_date)]
    return monthly_from_cumulative(figures)


# By month, against plan ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: date
    budget: Decimal
    forecast: Decimal
    actual: Decimal | None  # None: a month still to come
    cumulative_budget: Decimal
    cumulative_forecast: Decimal
    cumulative_actual: Decimal | None


@dataclass(frozen=True)
class MoneyByMonth:
    """Budget, forecast and actual month by month, and running totals, over every month
    any of them touches."""

    rows: list[MonthRow]
    projects: int

    @classmethod
    def build(
        cls, budget: Phasing, forecast: Phasing, actual: Phasing, *, today: date, projects: int
    ) -> MoneyByMonth:
        months = sorted(set(budget) | set(forecast) | set(actual))
        if not months:
            return cls([], projects)
        now = month_of(today)
        filled = [add_months(months[0], n) for n in range(_count(months[0], months[-1]))]
        zero = Decimal(0)
        full = {
            m: (budget.get(m, zero), forecast.get(m, zero), actual.get(m, zero)) for m in filled
        }
        running_b = cumulative({m: v[0] for m, v in full.items()})
        running_f = cumulative({m: v[1] for m, v in full.items()})
        running_a = cumulative({m: v[2] for m, v in full.items()})
        rows = [
            MonthRow(
                month=m,
                budget=b,
                forecast=f,
                actual=a if m <= now else None,
                cumulative_budget=running_b[m],
                cumulative_forecast=running_f[m],
                cumulative_actual=running_a[m] if m <= now else None,
            )
            for m, (b, f, a) in full.items()
        ]
        return cls(rows, projects)

    @property
    def budget(self) -> Decimal:
        return self.rows[-1].cumulative_budget if self.rows else Decimal(0)

    @property
    def forecast(self) -> Decimal:
        return self.rows[-1].cumulative_forecast if self.rows else Decimal(0)

    @property
    def actual(self) -> Decimal:
        return sum((row.actual or Decimal(0) for row in self.rows), Decimal(0))


def _count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def money_by_month(projects: QuerySet[Project], today: date | None = None) -> MoneyByMonth:
    """These projects' money summed by month, in four queries."""
    today = today or timezone.localdate()
    rows = list(projects.order_by().only(*_FIELDS))
    plans = Plans.of(p.pk for p in rows)
    return MoneyByMonth.build(
        added(plans.phasing(p, MoneyKind.BUDGET) for p in rows),
        added(plans.phasing(p, MoneyKind.FORECAST) for p in rows),
        added(actual_by_month(rows, today).values()),
        today=today,
        projects=len(rows),
    )


def programme_by_month(programme_id: int, today: date | None = None) -> MoneyByMonth:
    """The roll-up the programme dashboard's money panel shows."""
    return money_by_month(Project.objects.active().filter(programme_id=programme_id), today)


def portfolio_by_month(portfolio_id: int, today: date | None = None) -> MoneyByMonth:
    """The roll-up the portfolio page's money panel shows: every active project of the
    portfolio, in a programme or standalone (the integrator's benchmark entry point)."""
    return money_by_month(Project.objects.active().filter(portfolio_id=portfolio_id), today)


# One project's page --------------------------------------------------------------------


@dataclass(frozen=True)
class KindPhasing:
    """A project's budget or forecast as phased, with what its months leave unphased."""

    kind: str
    shape: str
    total: Decimal | None
    phasing: Phasing

    @property
    def label(self) -> str:
        return MoneyKind(self.kind).label

    @property
    def shape_label(self) -> str:
        return Shape(self.shape).label

    @property
    def phased(self) -> Decimal:
        return sum(self.phasing.values(), Decimal(0))

    @property
    def unphased(self) -> Decimal:
        """The total less its months (negative when the months come to more)."""
        return (self.total or Decimal(0)) - self.phased


@dataclass(frozen=True)
class ProjectMoney:
    budget: KindPhasing
    forecast: KindPhasing
    by_month: MoneyByMonth

    @property
    def kinds(self) -> list[KindPhasing]:
        return [self.budget, self.forecast]


def project_money(project: Project, today: date | None = None) -> ProjectMoney:
    today = today or timezone.localdate()
    plans = Plans.of([project.pk])
    kinds = {
        kind: KindPhasing(
            kind, plans.shape(project, kind), total_of(project, kind), plans.phasing(project, kind)
        )
        for kind in MoneyKind.values
    }
    by_month = MoneyByMonth.build(
        kinds[MoneyKind.BUDGET].phasing,
        kinds[MoneyKind.FORECAST].phasing,
        actual_by_month([project], today)[project.pk],
        today=today,
        projects=1,
    )
    return ProjectMoney(kinds[MoneyKind.BUDGET], kinds[MoneyKind.FORECAST], by_month)


def entered_months(project: Project, kind: str) -> Phasing:
    return dict(
        PhasedAmount.objects.filter(project=project, kind=kind).values_list("month", "amount")
    )


# Writing a phasing -------------------------------------------------------------------------


def sensible_months(project: Project) -> tuple[date, date]:
    """The first and last month a project's entered months may name."""
    start = month_of(project.baseline_start or project.baseline_finish)
    finish = month_of(
        max(project.forecast_finish or project.baseline_finish, project.baseline_finish)
    )
    return add_months(start, -12 * SENSIBLE_YEARS), add_months(finish, 12 * SENSIBLE_YEARS)


def _check(project: Project, kind: str, shape: str, months: Mapping[date, Decimal]) -> None:
    if kind not in MoneyKind.values:
        raise ValidationError({"kind": "Choose budget or forecast."})
    if shape not in Shape.values:
        raise ValidationError({"shape": "Choose even, s_curve or entered."})
    if shape != Shape.ENTERED:
        return
    first, last = sensible_months(project)
    for month, amount in sorted(months.items()):
        if not first <= month <= last:
            raise ValidationError(
                {
                    "months": f"{month:%b %Y} is far outside the project's dates: enter months "
                    f"from {first:%b %Y} to {last:%b %Y}."
                }
            )
        if amount < 0 or amount > MAX_AMOUNT:
            raise ValidationError(
                {"months": f"{month:%b %Y}: an amount runs from 0 to {MAX_AMOUNT:,}."}
            )


def project_phasing_set(
    *,
    project: Project,
    kind: str,
    shape: str,
    months: Mapping[date, Decimal] | None = None,
    user: AnyUser | None = None,
) -> ProjectPhasing:
    """Phase a project's budget or forecast: a shape, and for "entered" its months.

    1. Check the kind, the shape and each month (not negative; within SENSIBLE_YEARS of
       the project's dates); refused with ValidationError keyed by field.
    2. Take the project's phasing row for the kind, locked, so two editors queue.
    3. For "entered" with months given, the months replace those entered before (in
       history, bulk_create_with_history); months of another shape stay stored, so choosing
       "entered" again brings them back.
    4. Save the row last: its save moves the cached pages showing the project's money.
    """
    months = dict(months or {})
    _check(project, kind, shape, months)
    with transaction.atomic():
        phasing, _ = ProjectPhasing.objects.select_for_update().get_or_create(
            project=project, kind=kind
        )
        if shape == Shape.ENTERED and months:
            PhasedAmount.objects.filter(project=project, kind=kind).delete()
            bulk_create_with_history(
                [
                    PhasedAmount(project=project, kind=kind, month=m, amount=a)
                    for m, a in sorted(months.items())
                ],
                PhasedAmount,
                default_user=user if user is not None and user.is_authenticated else None,
            )
        phasing.shape = shape
        phasing.save()
    return phasing
