"""What the programme dashboard shows, read table-wide in a fixed number of queries.

`dashboard_for` is the one entry point: it starts from the projects the user may see and
reads each table once (projects, latest reports, milestones, dependencies, bookings, risks,
issues, benefits and their measurements, stakeholders), whatever the programme's size.
Health is not computed here: the health engine stores it and the page reads it from there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import dateformat

from portfolio.core.capacity import LOAD_WINDOW_WEEKS, WeekLoad, load_window
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Programme,
    Stakeholder,
)
from projects.models import (
    Allocation,
    Dependency,
    Issue,
    Milestone,
    Project,
    ProjectQuerySet,
    Risk,
    StatusReport,
)

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


def _day(value: date) -> str:
    return dateformat.format(value, "j M Y")


def _hours(value: Decimal) -> str:
    """45.00 → '45', 22.50 → '22.5'."""
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}"


def _percent(part: Decimal, whole: Decimal) -> int:
    return int((part * 100 / whole).quantize(Decimal(1), ROUND_HALF_UP))


# Projects side by side -------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    report: StatusReport | None  # the newest submitted revision of the newest week
    milestones: list[Milestone]

    @property
    def finish(self) -> date:
        return self.project.forecast_finish or self.project.baseline_finish

    @property
    def cost_variance(self) -> Decimal | None:
        """Forecast at completion minus budget (positive: over budget); None when either
        is unknown."""
        fac, budget = self.project.forecast_at_completion, self.project.budget
        return None if fac is None or budget is None else fac - budget

    @property
    def cost_variance_percent(self) -> int | None:
        variance = self.cost_variance
        if variance is None or not self.project.budget:  # unknown or 0: no percent
            return None
        return _percent(variance, self.project.budget)


def project_rows(projects: ProjectQuerySet) -> list[ProjectRow]:
    """The projects with their latest submitted report and milestones: three queries."""
    newest = (
        StatusReport.objects.latest_revisions()
        .filter(project=OuterRef("pk"))
        .order_by("-period_start")
        .values("pk")[:1]
    )
    found = list(
        projects.select_related("manager")
        .with_health()
        .annotate(latest_report_id=Subquery(newest))
        .order_by(F("baseline_start").asc(nulls_last=True), "name")
    )
    report_ids = [p.latest_report_id for p in found if p.latest_report_id]
    reports = StatusReport.objects.in_bulk(report_ids)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(project__in=[p.pk for p in found]):
        milestones[milestone.project_id].append(milestone)
    return [
        ProjectRow(
            project=p,
            report=reports.get(p.latest_report_id),
            milestones=milestones[p.pk],
        )
        for p in found
    ]


# Dependencies: what is late upstream -------------------------------------------------------


@dataclass(frozen=True)
class DependencyCheck:
    """A dependency's dates as the dashboard shows them; the rule is Dependency.days_late."""

    dependency: Dependency
    ready_on: date | None  # None: the project whose start it is has no known start
    needed_on: date | None
    ready_by: date | None  # the last working day the upstream may be ready

    @classmethod
    def of(cls, dependency: Dependency) -> DependencyCheck:
        return cls(
            dependency=dependency,
            ready_on=dependency.ready_on(),
            needed_on=dependency.needed_on(),
            ready_by=dependency.ready_by(),
        )

    @property
    def days_late(self) -> int | None:
        return self.dependency.days_late()

    @property
    def is_late(self) -> bool:
        return (self.days_late or 0) > 0

    @property
    def upstream_item(self) -> str:
        milestone = self.dependency.upstream_milestone
        if milestone is not None:
            return milestone.name
        return "Start" if self.dependency.kind == Dependency.Kind.START_TO_START else "Finish"

    @property
    def downstream_item(self) -> str:
        milestone = self.dependency.downstream_milestone
        if milestone is not None:
            return milestone.name
        return "Finish" if self.dependency.kind == Dependency.Kind.FINISH_TO_FINISH else "Start"


def dependency_checks(user: AnyUser, programme: Programme) -> list[DependencyCheck]:
    """Every dependency touching the programme's active projects, in one query."""
    dependencies = (
        Dependency.objects.visible_to(user)
        .filter(Q(upstream__programme=programme) | Q(downstream__programme=programme))
        .filter(upstream__archived_at__isnull=True, downstream__archived_at__isnull=True)
        .select_related("upstream", "downstream", "upstream_milestone", "downstream_milestone")
        .order_by(
            F("downstream__baseline_start").asc(nulls_last=True),
            "downstream__name",
            "upstream__name",
        )
    )
    return [DependencyCheck.of(d) for d in dependencies]


def bar_start(project: Project, milestones: list[Milestone]) -> tuple[date, bool]:
    """Where a project's roadmap bar starts, and whether that is its known start.

    A project without a known start is not given one: its bar starts at its first milestone
    (when that is before its finish), else it is drawn as a marker on its finish."""
    finish = project.forecast_finish or project.baseline_finish
    if project.baseline_start is not None:
        return project.baseline_start, True
    dates = [d for m in milestones for d in (m.baseline_date, m.expected_date()) if d <= finish]
    return (min(dates) if dates else finish), False


def roadmap(rows: list[ProjectRow], checks: list[DependencyCheck]) -> dict[str, Any]:
    """Tasks for frappe-gantt: one bar per project, baseline start to forecast finish, with
    its milestones as markers; a downstream bar lists the upstream bars it depends on.
    Projects of other programmes joined by a dependency get a bar of their own. A project
    without a known start is drawn as `bar_start` says, with `start_known` false."""

    def task_id(project: Project) -> str:
        return f"project-{project.pk}"

    progress = {
        row.project.pk: row.report.percent_complete
        for row in rows
        if row.report and row.report.percent_complete is not None
    }
    milestones = {row.project.pk: row.milestones for row in rows}
    projects = [row.project for row in rows]
    own = {p.pk for p in projects}
    for check in checks:
        for project in (check.dependency.upstream, check.dependency.downstream):
            if project.pk not in own and project not in projects:
                projects.append(project)
    needs: dict[int, list[str]] = defaultdict(list)
    arrows = []
    for check in checks:
        upstream, downstream = check.dependency.upstream, check.dependency.downstream
        needs[downstream.pk].append(task_id(upstream))
        arrows.append(
            {
                "from": task_id(upstream),
                "to": task_id(downstream),
                "late": check.is_late,
                "days_late": max(check.days_late or 0, 0),
            }
        )
    tasks = []
    for project in projects:
        external = project.pk not in own
        slippage = project.slippage_days
        start, start_known = bar_start(project, milestones.get(project.pk, []))
        tasks.append(
            {
                "id": task_id(project),
                "name": f"{project.code} {project.name}",
                "start": start.isoformat(),
                "start_known": start_known,
                "end": (project.forecast_finish or project.baseline_finish).isoformat(),
                "progress": progress.get(project.pk, 0),
                "dependencies": needs[project.pk],
                # frappe-gantt adds custom_class with classList.add: a single class only.
                "custom_class": _bar_class(external=external, slipped=slippage > 0)
                if start_known
                else "bar-start-unknown",
                "external": external,
                "url": project.get_absolute_url(),
                "baseline_finish": project.baseline_finish.isoformat(),
                "slippage_days": slippage,
                "milestones": [
                    {
                        "name": m.name,
                        "date": m.expected_date().isoformat(),
                        "baseline": m.baseline_date.isoformat(),
                        "slippage_days": m.slippage_days,
                        "done": m.actual_date is not None,
                    }
                    for m in milestones.get(project.pk, [])
                ],
            }
        )
    return {"tasks": tasks, "arrows": arrows}


def _bar_class(*, external: bool, slipped: bool) -> str:
    if external:
        return "bar-external"
    return "bar-slipped" if slipped else "bar-on-time"


# Resource heat map -----------------------------------------------------------------------


@dataclass(frozen=True)
class LoadCell:
    """One person's bookings in one ISO week, across all projects; whether that is over
    capacity is the capacity rule's (`WeekLoad`)."""

    person: Person
    load: WeekLoad
    on_projects: tuple[tuple[str, Decimal], ...]  # projects the viewer may see, with hours
    elsewhere: Decimal  # hours on projects the viewer may not see

    @property
    def monday(self) -> date:
        return self.load.monday

    @property
    def hours(self) -> Decimal:
        return self.load.booked_hours

    @property
    def capacity(self) -> Decimal:
        return self.load.capacity_hours

    @property
    def percent(self) -> int | None:
        return self.load.percent

    @property
    def is_over(self) -> bool:
        return self.load.is_overbooked

    @property
    def level(self) -> str:
        return self.load.level

    @property
    def title(self) -> str:
        load = f"{self.percent}%" if self.percent is not None else "no capacity"
        text = (
            f"{self.person.name}, week of {_day(self.monday)}: {_hours(self.hours)} h booked "
            f"of {_hours(self.capacity)} h ({load}{', over-allocated' if self.is_over else ''})"
        )
        parts = [f"{name} {_hours(hours)} h" for name, hours in self.on_projects]
        if self.elsewhere > 0:
            parts.append(f"other work {_hours(self.elsewhere)} h")
        return f"{text}. {'; '.join(parts)}" if parts else text


@dataclass(frozen=True)
class LoadRow:
    person: Person
    cells: list[LoadCell]

    @property
    def over_weeks(self) -> int:
        return sum(cell.is_over for cell in self.cells)


@dataclass(frozen=True)
class LoadGrid:
    weeks: list[date]
    rows: list[LoadRow]

    @property
    def over_allocated(self) -> list[LoadRow]:
        return [row for row in self.rows if row.over_weeks]


def load_grid(
    project_ids: list[int],
    *,
    visible: QuerySet[Project],
    today: date,
    weeks: int = LOAD_WINDOW_WEEKS,
) -> LoadGrid:
    """Everyone booked on these projects in the capacity window, with their total load on
    every project (so the same person wanted by two projects shows): two queries.

    1. Each person's load per week comes from Allocation.weekly_load, the same read the
       programme's resources health and the person page use.
    2. The same bookings, with their projects, name who wants the hours in each cell; hours on
       projects the viewer may not see are summed as "other work" without a name.
    """
    mondays = load_window(today, weeks)
    last_day = mondays[-1] + timedelta(days=6)
    booked_here = (
        Allocation.objects.filter(project_id__in=project_ids)
        .overlapping(mondays[0], last_day)
        .values("person_id")
    )
    bookings = Allocation.objects.filter(person__in=booked_here)
    loads = bookings.weekly_load(today, weeks)
    people: dict[int, Person] = {}
    named: dict[tuple[int, date], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    elsewhere: dict[tuple[int, date], Decimal] = defaultdict(Decimal)
    details = (
        bookings.overlapping(mondays[0], last_day)
        .select_related("person", "project")
        .annotate(viewer_sees=Exists(visible.filter(pk=OuterRef("project_id"))))
        .order_by("project__name", "start_date")
    )
    for booking in details:
        people[booking.person_id] = booking.person
        for monday in mondays:
            days = booking.working_days_in_week(monday)
            if not days:
                continue
            hours = booking.weekly_hours() * days / 5
            if booking.viewer_sees:
                named[booking.person_id, monday][booking.project.name] += hours
            else:
                elsewhere[booking.person_id, monday] += hours

    def week(person: Person, n: int) -> WeekLoad:
        found = loads.get(person.pk)
        if found is not None:
            return found.weeks[n]
        # Booked only on days outside Monday to Friday: nothing to count.
        return WeekLoad(mondays[n], Decimal(0), person.weekly_capacity_hours)

    rows = [
        LoadRow(
            person=person,
            cells=[
                LoadCell(
                    person=person,
                    load=week(person, n),
                    on_projects=tuple(named[person.pk, monday].items()),
                    elsewhere=elsewhere[person.pk, monday],
                )
                for n, monday in enumerate(mondays)
            ],
        )
        for person in sorted(people.values(), key=lambda p: (p.name, p.pk))
    ]
    return LoadGrid(weeks=mondays, rows=rows)


# Risks -----------------------------------------------------------------------------------

RISK_BANDS = {"low": "Low", "medium": "Medium", "high": "High"}


def risk_band(score: int, policy: HealthPolicy) -> str:
    """The band of a probability × impact score, by the portfolio's risk thresholds."""
    if score >= policy.risk_red_score:
        return "high"
    return "medium" if score >= policy.risk_amber_score else "low"


@dataclass(frozen=True)
class RiskCell:
    probability: int
    impact: int
    count: int
    band: str

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def band_label(self) -> str:
        return RISK_BANDS[self.band]

    @property
    def title(self) -> str:
        risks = "open risk" if self.count == 1 else "open risks"
        return (
            f"Probability {self.probability} × impact {self.impact} = score {self.score} "
            f"({self.band_label.lower()}): {self.count} {risks}"
        )


def programme_risks(user: AnyUser, programme: Programme) -> QuerySet[Risk]:
    """The open risks of the programme: its own, escalated ones and its projects'."""
    return (
        Risk.objects.visible_to(user)
        .open()
        .filter(
            Q(programme=programme)
            | Q(project__programme=programme, project__archived_at__isnull=True)
        )
    )


def risk_matrix(risks: QuerySet[Risk], policy: HealthPolicy) -> list[list[RiskCell]]:
    """Counts per probability (rows, 5 down to 1) and impact (columns, 1 to 5): one query."""
    counts = {
        (row["probability"], row["impact"]): row["n"]
        for row in risks.order_by().values("probability", "impact").annotate(n=Count("pk"))
    }
    return [
        [RiskCell(p, i, counts.get((p, i), 0), risk_band(p * i, policy)) for i in range(1, 6)]
        for p in range(5, 0, -1)
    ]


# Benefits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenefitProgress:
    """A benefit's measurements against its plan, for the table and the chart. The figures
    are the Benefit's own (its progress rule); this adds the chart's series."""

    benefit: Benefit
    measurements: list[BenefitMeasurement]  # oldest first
    today: date

    @property
    def start(self) -> date | None:
        return self.benefit.plan_start()

    @property
    def latest(self) -> BenefitMeasurement | None:
        return self.measurements[-1] if self.measurements else None

    @property
    def planned_today(self) -> Decimal | None:
        planned = self.benefit.planned_value(self.today)
        if planned is None:
            return None
        return planned.quantize(Decimal("0.01"), ROUND_HALF_UP)  # as precise as a measurement

    @property
    def realised_percent(self) -> int | None:
        return self.benefit.realised_percent

    @property
    def planned_percent(self) -> int | None:
        return self.benefit.planned_percent(self.today)

    def series(self) -> dict[str, Any]:
        """Chart.js points, as percentages of the target (floats: display only)."""
        b = self.benefit
        span = b.target - b.baseline
        actual = [
            {
                "x": m.measured_on.isoformat(),
                "y": float(round((m.value - b.baseline) * 100 / span, 1)),
            }
            for m in self.measurements
            if span
        ]
        start = self.start
        planned = (
            [{"x": start.isoformat(), "y": 0}, {"x": b.target_date.isoformat(), "y": 100}]
            if start is not None and span
            else []
        )
        return {"label": b.name, "unit": b.unit, "actual": actual, "planned": planned}


def benefit_progress(programme: Programme, today: date) -> list[BenefitProgress]:
    """Each benefit of the programme with its measurements: two queries."""
    benefits = programme.benefits.select_related("owner").prefetch_related("measurements")
    return [
        BenefitProgress(
            benefit, sorted(benefit.measurements.all(), key=lambda m: m.measured_on), today
        )
        for benefit in benefits
    ]


# Stakeholders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StakeholderCell:
    influence: int
    interest: int
    stakeholders: list[Stakeholder]


def stakeholder_grid(stakeholders: list[Stakeholder]) -> list[list[StakeholderCell]]:
    """Influence (rows, 5 down to 1) × interest (columns, 1 to 5)."""
    placed: dict[tuple[int, int], list[Stakeholder]] = defaultdict(list)
    for s in stakeholders:
        placed[s.influence, s.interest].append(s)
    return [
        [StakeholderCell(inf, i, placed[inf, i]) for i in range(1, 6)] for inf in range(5, 0, -1)
    ]


# The whole page --------------------------------------------------------------------------


class Dashboard:
    """Everything on the dashboard of a programme the user may read, each part read on first
    use: a panel loaded on its own (on reveal) reads only its tables.

    The programme should come with select_related("portfolio__health_policy") so the risk
    thresholds cost no query of their own.
    """

    def __init__(self, programme: Programme, user: AnyUser, today: date) -> None:
        self.programme = programme
        self.user = user
        self.today = today
        self._visible = Project.objects.visible_to(user)

    @cached_property
    def rows(self) -> list[ProjectRow]:
        return project_rows(self._visible.active().filter(programme=self.programme))

    @cached_property
    def checks(self) -> list[DependencyCheck]:
        return dependency_checks(self.user, self.programme)

    @cached_property
    def load(self) -> LoadGrid:
        ids = list(
            self._visible.active().filter(programme=self.programme).values_list("pk", flat=True)
        )
        return load_grid(ids, visible=self._visible, today=self.today)

    @cached_property
    def risk_matrix(self) -> list[list[RiskCell]]:
        risks = programme_risks(self.user, self.programme)
        return risk_matrix(risks, self.programme.portfolio.policy)

    @cached_property
    def escalated_risks(self) -> list[Risk]:
        return list(
            Risk.objects.filter(programme=self.programme)
            .open()
            .select_related("project", "owner")
            .order_by((F("probability") * F("impact")).desc(), "title")
        )

    @cached_property
    def escalated_issues(self) -> list[Issue]:
        return list(
            Issue.objects.filter(programme=self.programme)
            .open()
            .select_related("project", "owner")
            .order_by("-severity", F("due_date").asc(nulls_last=True), "title")
        )

    @cached_property
    def benefits(self) -> list[BenefitProgress]:
        return benefit_progress(self.programme, self.today)

    @cached_property
    def stakeholders(self) -> list[Stakeholder]:
        return list(self.programme.stakeholders.all())

    @cached_property
    def project_count(self) -> int:
        return self._visible.active().filter(programme=self.programme).count()

    @property
    def late_upstream(self) -> list[DependencyCheck]:
        return sorted((c for c in self.checks if c.is_late), key=lambda c: -(c.days_late or 0))

    @property
    def open_risk_count(self) -> int:
        return sum(cell.count for row in self.risk_matrix for cell in row)

    @property
    def stakeholder_grid(self) -> list[list[StakeholderCell]]:
        return stakeholder_grid(self.stakeholders)

    def roadmap(self) -> dict[str, Any]:
        return roadmap(self.rows, self.checks)

    def benefits_chart(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "benefits": [b.series() for b in self.benefits]}


def dashboard_for(*, programme: Programme, user: AnyUser, today: date) -> Dashboard:
    """The dashboard of a programme the user may read (its parts are read on first use)."""
    return Dashboard(programme, user, today)
