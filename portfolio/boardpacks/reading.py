"""What a board pack shows, as it stood at the end of its day, read as the requester may see it.

Nothing is recomputed: health, its reasons and trends are the stored records standing then
(`HealthRecordQuerySet.as_of`, `weekly_ratings`); projects, milestones and risks are their
history rows of that moment (`Model.history.as_of`, as the timeline reads them); benefits
are measured by the measurements taken by then (`Benefit.objects.measured_until`) under
their own progress rule; money is the projects' as they stood (`Totals.of`).

History starts when a row is first saved: rows loaded later (an import of past returns,
the demo) have health records reaching back before their first history row. A programme or
project with health standing at the moment but no history row by then is shown as first
recorded, and so are its milestones and its risks raised by then (`stood`): the record
says it existed, and its first row is the closest to how it stood.

The programme pages are read in batches, a fixed number of queries each, so a worker can
say how far it has got on a large portfolio (`Reader.pages`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Model, OuterRef, Q, Subquery
from django.utils import timezone

from portfolio.core.ratings import SEVERITY, Rating, label_of
from portfolio.health.models import HealthRecord, PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.health.summaries import trend_mondays
from programmes.models import Benefit, Portfolio, Programme
from projects.models import Milestone, Project, Risk, Totals
from projects.models.reporting import DIMENSIONS

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

BATCH = 8  # programme pages read together
MILESTONE_WEEKS = 6  # milestones due this far ahead of the pack's day
TOP_RISKS = 5
ATTENTION_LIMIT = 15
# The columns of a programme page's project table: the reported dimensions, then the ones
# only the data rates.
COLUMNS = (*DIMENSIONS, "reporting", "dependencies")
ATTENTION_RATINGS = (Rating.RED, Rating.AMBER_RED)


def stood(model: type[Model], moment: datetime, which: Q, *, first_recorded: Q | None) -> list[Any]:
    """The rows matching `which` as they stood at `moment` (`history.as_of`), and, of those
    matching `first_recorded` too, the rows first recorded after it as first recorded."""
    found = list(model.history.as_of(moment).filter(which))  # type: ignore[attr-defined]
    if first_recorded is None:
        return found
    history = model.history.model  # type: ignore[attr-defined]
    earliest = (
        history.objects.filter(id=OuterRef("id"))
        .order_by("history_date", "history_id")
        .values("history_id")[:1]
    )
    later = (
        history.objects.filter(which & first_recorded)
        .exclude(id__in=history.objects.filter(history_date__lte=moment).values("id"))
        .filter(history_id=Subquery(earliest))
        .exclude(history_type="-")
    )
    return found + [record.instance for record in later]


def end_of(day: date) -> datetime:
    """The last moment of a day, as `?as_of=` reads it (portfolio.core.live)."""
    return timezone.make_aware(datetime.combine(day, time.max))


@dataclass(frozen=True)
class Trend:
    start: date  # the Monday of the first week
    ratings: tuple[str, ...]  # at the end of each week, oldest first ("" none)

    @property
    def title(self) -> str:
        return "Last 12 weeks, oldest first: " + ", ".join(label_of(r) for r in self.ratings)


@dataclass(frozen=True)
class Attention:
    """A red (or gap-flagged) programme or project, with every reason of its health."""

    kind: str
    name: str
    programme: str
    health: HealthRecord

    @property
    def severity(self) -> int:
        rating = self.health.overall
        return (SEVERITY[Rating(rating)] if rating else -1) * 2 + int(self.health.gap)

    @property
    def reasons(self) -> list[str]:
        return [r.get("message", "") for r in self.health.reasons if r.get("message")]


@dataclass(frozen=True)
class ProjectLine:
    project: Project
    health: HealthRecord | None

    @property
    def overall(self) -> str:
        return self.health.overall if self.health else ""

    @property
    def ratings(self) -> list[str]:
        """The rating of each of COLUMNS ("" unknown), worst of reported and computed."""
        dimensions: dict[str, Any] = self.health.dimensions if self.health else {}
        return [(dimensions.get(name) or {}).get("rating") or "" for name in COLUMNS]


@dataclass(frozen=True)
class BenefitLine:
    benefit: Benefit
    realised: int | None
    planned: int | None


@dataclass
class ProgrammePage:
    programme: Programme
    health: HealthRecord | None
    trend: Trend
    projects: list[ProjectLine] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    benefits: list[BenefitLine] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return Totals.of(line.project for line in self.projects)

    @property
    def spend_percent(self) -> Decimal | None:
        return self.totals.spend_percent


@dataclass
class Summary:
    """The pack's first pages: its subject's health and trend, each programme's headline,
    and what needs attention."""

    health: HealthRecord | None
    trend: Trend
    programmes: list[tuple[Programme, HealthRecord | None, Trend]]
    attention: list[Attention]

    @property
    def tally(self) -> list[tuple[str, int]]:
        """(rating, programmes) worst first; no data last."""
        counts: dict[str, int] = defaultdict(int)
        for _, health, _ in self.programmes:
            counts[health.overall if health else ""] += 1
        rated = sorted((r for r in counts if r), key=lambda r: -SEVERITY[Rating(r)])
        return [(r, counts[r]) for r in [*rated, ""] if counts.get(r)]


class Reader:
    """A board pack of a portfolio (all its programmes the user may see) or one programme,
    as it stood at the end of `day`."""

    def __init__(self, user: AnyUser, subject: Portfolio | Programme, day: date) -> None:
        self.user = user
        self.subject = subject
        self.day = day
        self.moment = end_of(day)
        self.mondays = trend_mondays(day)

    @property
    def portfolio(self) -> Portfolio:
        subject = self.subject
        return subject if isinstance(subject, Portfolio) else subject.portfolio

    @cached_property
    def programmes(self) -> list[Programme]:
        """The programmes in the pack as they stood (those the user may see now)."""
        if isinstance(self.subject, Programme):
            which = Q(id=self.subject.pk)
        else:
            visible = Programme.objects.visible_to(self.user).values("pk")
            which = Q(portfolio_id=self.subject.pk, id__in=visible)
        rated = ProgrammeHealth.objects.filter(taken_at__lte=self.moment).values("programme")
        rows = stood(Programme, self.moment, which, first_recorded=Q(id__in=rated))
        return sorted((p for p in rows if p.archived_at is None), key=lambda p: (p.name, p.pk))

    @cached_property
    def _visible_projects(self) -> Any:
        return Project.objects.visible_to(self.user).values("pk")

    def _projects(self, programme_ids: list[int]) -> list[Project]:
        which = Q(programme_id__in=programme_ids, id__in=self._visible_projects)
        rated = ProjectHealth.objects.filter(taken_at__lte=self.moment).values("project")
        rows = stood(Project, self.moment, which, first_recorded=Q(id__in=rated))
        return sorted(
            (p for p in rows if p.archived_at is None),
            key=lambda p: (p.baseline_start or date.max, p.name, p.pk),
        )

    def _first_recorded_later(self, model: type[Model], ids: list[int]) -> set[int]:
        """Of these rows, those with no history row by the moment (loaded later)."""
        history = model.history.model  # type: ignore[attr-defined]
        recorded = history.objects.filter(id__in=ids, history_date__lte=self.moment)
        return set(ids) - set(recorded.values_list("id", flat=True))

    def _trend(self, trends: dict[int, tuple[str, ...]], pk: int) -> Trend:
        return Trend(self.mondays[0], trends.get(pk, ("",) * len(self.mondays)))

    # The first pages ---------------------------------------------------------------------

    def summary(self) -> Summary:
        ids = [p.pk for p in self.programmes]
        records = ProgrammeHealth.objects.filter(programme__in=ids)
        health = {r.programme_id: r for r in records.as_of(self.moment, "programme")}
        trends = records.weekly_ratings("programme", self.mondays, self.day)
        if isinstance(self.subject, Portfolio):
            own = PortfolioHealth.objects.filter(portfolio=self.subject)
            subject_health = own.standing(self.moment)
            subject_trend = own.weekly_ratings("portfolio", self.mondays, self.day)
        else:
            subject_health = health.get(self.subject.pk)
            subject_trend = trends
        return Summary(
            health=subject_health,
            trend=self._trend(subject_trend, self.subject.pk),
            programmes=[(p, health.get(p.pk), self._trend(trends, p.pk)) for p in self.programmes],
            attention=self._attention(health),
        )

    def _attention(self, programme_health: Mapping[int, HealthRecord]) -> list[Attention]:
        """Red and gap-flagged programmes and projects, the worst first, with their reasons."""
        names = {p.pk: p.name for p in self.programmes}
        items = [
            Attention("Programme", names[pk], names[pk], record)
            for pk, record in programme_health.items()
            if record.overall in ATTENTION_RATINGS or record.gap
        ]
        projects = {p.pk: p for p in self._projects(list(names))}
        records = (
            ProjectHealth.objects.filter(project__in=list(projects))
            .as_of(self.moment, "project")
            .filter(Q(overall__in=ATTENTION_RATINGS) | Q(gap=True))
        )
        for record in records:
            project = projects[record.project_id]
            programme = names.get(project.programme_id or 0, "")
            items.append(Attention("Project", f"{project.code} {project.name}", programme, record))
        return sorted(items, key=lambda a: (-a.severity, a.kind, a.name))[:ATTENTION_LIMIT]

    # The programme pages -----------------------------------------------------------------

    def batches(self) -> list[list[Programme]]:
        found = self.programmes
        return [found[n : n + BATCH] for n in range(0, len(found), BATCH)]

    def pages(self, batch: list[Programme]) -> Iterator[ProgrammePage]:
        """A page per programme of the batch: a fixed number of queries for the batch."""
        ids = [p.pk for p in batch]
        records = ProgrammeHealth.objects.filter(programme__in=ids)
        health = {r.programme_id: r for r in records.as_of(self.moment, "programme")}
        trends = records.weekly_ratings("programme", self.mondays, self.day)
        pages = {p.pk: ProgrammePage(p, health.get(p.pk), self._trend(trends, p.pk)) for p in batch}
        projects = self._projects(ids)
        self._add_projects(pages, projects)
        self._add_milestones(pages, projects)
        self._add_risks(pages, projects)
        self._add_benefits(pages)
        yield from pages.values()

    def _add_projects(self, pages: dict[int, ProgrammePage], projects: list[Project]) -> None:
        records = ProjectHealth.objects.filter(project__in=[p.pk for p in projects])
        health = {r.project_id: r for r in records.as_of(self.moment, "project")}
        for project in projects:
            pages[project.programme_id or 0].projects.append(
                ProjectLine(project, health.get(project.pk))
            )

    def _add_milestones(self, pages: dict[int, ProgrammePage], projects: list[Project]) -> None:
        """The milestones not reached by the day and expected within MILESTONE_WEEKS of it."""
        by_id = {p.pk: p for p in projects}
        last = self.day + timedelta(weeks=MILESTONE_WEEKS)
        later = self._first_recorded_later(Project, list(by_id))
        found = stood(
            Milestone,
            self.moment,
            Q(project_id__in=list(by_id)),
            first_recorded=Q(project_id__in=later),
        )
        due = [
            m
            for m in found
            if (m.actual_date is None or m.actual_date > self.day)
            and self.day <= (m.forecast_date or m.baseline_date) <= last
        ]
        for milestone in sorted(due, key=lambda m: (m.forecast_date or m.baseline_date, m.name)):
            milestone.project = by_id[milestone.project_id]
            pages[by_id[milestone.project_id].programme_id or 0].milestones.append(milestone)

    def _add_risks(self, pages: dict[int, ProgrammePage], projects: list[Project]) -> None:
        """The open risks of each programme, its own and its projects', highest score first."""
        by_id = {p.pk: p for p in projects}
        later_projects = self._first_recorded_later(Project, list(by_id))
        later_programmes = self._first_recorded_later(Programme, list(pages))
        found = [
            r
            for r in stood(
                Risk,
                self.moment,
                Q(programme_id__in=list(pages)) | Q(project_id__in=list(by_id)),
                first_recorded=(
                    Q(project_id__in=later_projects) | Q(programme_id__in=later_programmes)
                )
                & Q(raised_on__lte=self.day),
            )
            if r.status != Risk.Status.CLOSED
        ]
        mine: dict[int, list[Risk]] = defaultdict(list)
        for risk in found:
            project = by_id.get(risk.project_id or 0)
            where = risk.programme_id or (project.programme_id if project else None)
            if where in pages and (risk.project_id is None or project is not None):
                risk.project = project
                mine[where].append(risk)
        for pk, risks in mine.items():
            risks.sort(key=lambda r: (-r.score, r.title))
            pages[pk].risks = risks[:TOP_RISKS]

    def _add_benefits(self, pages: dict[int, ProgrammePage]) -> None:
        benefits = (
            Benefit.objects.filter(programme__in=list(pages))
            .select_related("programme")
            .measured_until(self.day)
        )
        for benefit in benefits:
            pages[benefit.programme_id].benefits.append(
                BenefitLine(benefit, benefit.realised_percent, benefit.planned_percent(self.day))
            )
