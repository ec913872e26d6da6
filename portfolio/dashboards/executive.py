"""The executive portfolio dashboard's data, read in a fixed number of queries however
large the portfolio.

- `overview`, the first response: each portfolio's health and how many of its programmes
  stand at each rating, what needs attention and why, upcoming milestones, top risks.
- `programme_cards`, loaded on demand: one page of a portfolio's programme cards (health,
  a 12-week trend, spend against budget, benefits realised against plan), filtered.

`moment` shows it all as it stood then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, TextChoices
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.ratings import SEVERITY, Rating, label_of
from portfolio.health.models import HealthRecord, PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Benefit, Portfolio, Programme, person_for
from projects.models import Milestone, Project, Risk, Totals

TREND_WEEKS = 12
ATTENTION_LIMIT = 12
LIST_LIMIT = 8
UPCOMING_DAYS = 45
CARDS_PER_PAGE = 24
# Programmes a "red or amber" filter keeps, on either scale.
ATTENTION_RATINGS = (Rating.RED, Rating.AMBER_RED, Rating.AMBER)


@dataclass(frozen=True)
class BenefitsSummary:
    """A programme's measured benefits, averaged: realised and planned shares of target."""

    realised: int
    planned: int | None


@dataclass
class ProgrammeCard:
    programme: Programme
    health: HealthRecord | None
    trend: list[str]  # the rating at the end of each of the last 12 weeks, oldest first
    totals: Totals
    benefits: BenefitsSummary | None  # None until one of its benefits is measured

    @property
    def spend_percent(self) -> Decimal | None:
        """Spend against budget; None when the budget is 0 or partly unknown (spend on a
        project without a budget would be set against the others' budgets)."""
        if not self.totals.budget or self.totals.unknown_budgets:
            return None
        return (self.totals.spend * 100 / self.totals.budget).quantize(Decimal("1"))

    @property
    def trend_title(self) -> str:
        """The whole trend in one tooltip, so the cells need no title (nor a date) each."""
        return "Last 12 weeks, oldest first: " + ", ".join(label_of(r) for r in self.trend)


@dataclass
class Attention:
    """Something an executive should look at: a red (or gap-flagged) project or programme."""

    name: str
    url: str
    kind: str
    health: HealthRecord

    @property
    def severity(self) -> int:
        rating = self.health.overall
        return (SEVERITY[Rating(rating)] if rating else -1) * 2 + int(self.health.gap)


@dataclass
class PortfolioSection:
    """A portfolio's headline: its health, how many of its programmes stand at each rating,
    and its standalone projects. The programme cards load on demand (`programme_cards`)."""

    portfolio: Portfolio
    health: HealthRecord | None
    tally: dict[str, int] = field(default_factory=dict)  # rating ("" for none) → programmes
    gaps: int = 0
    standalone: Totals = field(default_factory=Totals)

    @property
    def programme_count(self) -> int:
        return sum(self.tally.values())

    @property
    def counts(self) -> list[tuple[str, int]]:
        """(rating, programmes) worst first, only the ratings present; no data last."""
        ordered = sorted((r for r in self.tally if r), key=lambda r: -SEVERITY[Rating(r)])
        return [(r, self.tally[r]) for r in [*ordered, ""] if self.tally.get(r)]

    @property
    def needing_attention(self) -> int:
        return sum(n for r, n in self.tally.items() if r in ATTENTION_RATINGS)


@dataclass
class Overview:
    sections: list[PortfolioSection]
    attention: list[Attention]
    milestones: list[Milestone]
    risks: list[Risk]


class Show(TextChoices):
    """Which programme cards a portfolio section lists."""

    ALL = "all", "All"
    ATTENTION = "attention", "Red or amber"
    GAP = "gap", "Gap flagged"
    MINE = "mine", "My programmes"


@dataclass
class CardPage:
    portfolio: Portfolio
    show: str
    cards: list[ProgrammeCard]
    number: int
    has_next: bool


def overview(user: Any, moment: datetime | None = None) -> Overview:
    """The dashboard's first response: a fixed number of narrow queries, whatever the size
    of the portfolios (no programme card is built here)."""
    today = timezone.localdate(moment) if moment else timezone.localdate()
    portfolios = list(Portfolio.objects.visible_to(user).active().order_by("name"))
    programmes = Programme.objects.visible_to(user).active().filter(portfolio__in=portfolios)
    projects = Project.objects.visible_to(user).active()
    portfolio_health = _standing(PortfolioHealth, "portfolio", portfolios, moment)
    standalone = projects.filter(programme__isnull=True).totals_by("portfolio")
    sections = {
        p.pk: PortfolioSection(
            p, portfolio_health.get(p.pk), standalone=standalone.get(p.pk, Totals())
        )
        for p in portfolios
    }
    records = _records(ProgrammeHealth, "programme", moment).filter(programme__in=programmes)
    for row in (
        records.order_by()
        .values("programme__portfolio_id", "overall")
        .annotate(n=Count("pk"), gaps=Count("pk", filter=Q(gap=True)))
    ):
        section = sections[row["programme__portfolio_id"]]
        section.tally[row["overall"]] = section.tally.get(row["overall"], 0) + row["n"]
        section.gaps += row["gaps"]
    for row in (
        programmes.order_by()
        .values("portfolio_id")
        .annotate(n=Count("pk"))
        .values("portfolio_id", "n")
    ):
        section = sections[row["portfolio_id"]]
        section.tally[""] = section.tally.get("", 0) + row["n"] - section.programme_count
    return Overview(
        sections=list(sections.values()),
        attention=_attention(records, projects, moment),
        milestones=list(
            Milestone.objects.filter(project__in=projects)
            .expected_between(today, today + timedelta(days=UPCOMING_DAYS))
            .select_related("project")
            .order_by(Coalesce("forecast_date", "baseline_date"), "name")[:LIST_LIMIT]
        ),
        risks=list(
            Risk.objects.visible_to(user)
            .open()
            .filter(project__archived_at__isnull=True)
            .annotate(score_value=F("probability") * F("impact"))
            .select_related("project", "programme", "owner")
            .order_by("-score_value", "-raised_on")[:LIST_LIMIT]
        ),
    )


def programme_cards(
    user: Any, portfolio: Portfolio, show: str, number: int, moment: datetime | None = None
) -> CardPage:
    """One page of a portfolio's programme cards, filtered; a fixed number of queries."""
    today = timezone.localdate(moment) if moment else timezone.localdate()
    programmes = _shown(
        Programme.objects.visible_to(user).active().filter(portfolio=portfolio),
        show,
        user,
        moment,
    )
    start = (number - 1) * CARDS_PER_PAGE
    chosen = list(
        programmes.select_related("manager").order_by("name", "pk")[
            start : start + CARDS_PER_PAGE + 1
        ]
    )
    has_next = len(chosen) > CARDS_PER_PAGE
    chosen = chosen[:CARDS_PER_PAGE]
    health = _standing(ProgrammeHealth, "programme", chosen, moment)
    trends = _trends(chosen, today)
    totals = Project.objects.active().filter(programme__in=chosen).totals_by("programme")
    benefits = _benefits(chosen, today)
    cards = [
        ProgrammeCard(
            programme=p,
            health=health.get(p.pk),
            trend=trends.get(p.pk, [""] * TREND_WEEKS),
            totals=totals.get(p.pk, Totals()),
            benefits=benefits.get(p.pk),
        )
        for p in chosen
    ]
    return CardPage(portfolio, show, cards, number, has_next)


def _shown(
    programmes: QuerySet[Programme], show: str, user: Any, moment: datetime | None
) -> QuerySet[Programme]:
    """The programmes a filter keeps: red or amber, gap-flagged, or the viewer's own."""
    if show == Show.MINE:
        person = person_for(user)
        if person is None:
            return programmes.none()
        return programmes.filter(
            Q(manager=person)
            | Q(sponsor=person)
            | Q(pk__in=Project.objects.filter(manager=person).values("programme"))
        )
    records = _records(ProgrammeHealth, "programme", moment)
    if show == Show.ATTENTION:
        return programmes.filter(
            pk__in=records.filter(overall__in=ATTENTION_RATINGS).values("programme")
        )
    if show == Show.GAP:
        return programmes.filter(pk__in=records.filter(gap=True).values("programme"))
    return programmes


def _records(model: type[HealthRecord], field_name: str, moment: datetime | None) -> QuerySet[Any]:
    """The current records, or those standing at `moment`."""
    records = model._default_manager.all()
    return records.filter(is_current=True) if moment is None else records.as_of(moment, field_name)


def _standing(
    model: type[HealthRecord], field_name: str, subjects: Iterable[Any], moment: datetime | None
) -> dict[int, HealthRecord]:
    """Each subject's current record, or the one standing at `moment` (one query)."""
    ids = [s.pk for s in subjects]
    records = _records(model, field_name, moment).filter(**{f"{field_name}__in": ids})
    return {getattr(r, f"{field_name}_id"): r for r in records}


def _trends(programmes: list[Programme], today: date) -> dict[int, list[str]]:
    """Each programme's rating at the end of each of the last 12 weeks (one query)."""
    first = Period.containing(today).previous(TREND_WEEKS - 1).start
    rows = (
        ProgrammeHealth.objects.filter(programme__in=programmes, taken_at__date__lte=today)
        .filter(taken_at__date__gte=first - timedelta(weeks=2))
        .order_by("taken_at", "pk")
        .values_list("programme_id", "taken_at", "overall")
    )
    by_programme: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for programme_id, taken_at, overall in rows:
        by_programme[programme_id].append((taken_at, overall))
    mondays = [first + timedelta(weeks=n) for n in range(TREND_WEEKS)]
    trends = {}
    for programme_id, records in by_programme.items():
        points, index, rating = [], 0, ""
        for monday in mondays:
            week_end = monday + timedelta(days=7)
            while index < len(records) and timezone.localdate(records[index][0]) < week_end:
                rating = records[index][1]
                index += 1
            points.append(rating)
        trends[programme_id] = points
    return trends


def _benefits(programmes: list[Programme], today: date) -> dict[int, BenefitsSummary]:
    """Each programme's measured benefits (Benefit's progress rule), averaged: one query for
    the benefits and their programmes, one for the measurements."""
    benefits = (
        Benefit.objects.filter(programme__in=programmes)
        .select_related("programme")
        .prefetch_related("measurements")
    )
    realised: dict[int, list[int]] = defaultdict(list)
    planned: dict[int, list[int]] = defaultdict(list)
    for benefit in benefits:
        share = benefit.realised_percent
        if share is None:  # not measured yet: unknown, left out rather than counted as 0
            continue
        realised[benefit.programme_id].append(share)
        plan = benefit.planned_percent(today)
        if plan is not None:
            planned[benefit.programme_id].append(plan)
    return {
        pk: BenefitsSummary(
            realised=_mean(shares), planned=_mean(planned[pk]) if planned[pk] else None
        )
        for pk, shares in realised.items()
    }


def _mean(values: list[int]) -> int:
    return int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))


def _attention(
    programme_records: QuerySet[Any], projects: QuerySet[Project], moment: datetime | None
) -> list[Attention]:
    """Red and gap-flagged programmes and projects, the worst first, with their reasons."""
    items = [
        Attention(r.programme.name, f"{r.programme.get_absolute_url()}dashboard/", "Programme", r)
        for r in (
            programme_records.filter(Q(overall=Rating.RED) | Q(gap=True))
            .select_related("programme")
            .order_by("-overall", "programme__name")[: ATTENTION_LIMIT * 3]
        )
    ]
    records = _records(ProjectHealth, "project", moment).filter(project__in=projects)
    records = records.filter(Q(overall__in=[Rating.RED, Rating.AMBER_RED]) | Q(gap=True))
    for record in records.select_related("project").order_by("-overall")[: ATTENTION_LIMIT * 3]:
        items.append(
            Attention(record.project.name, record.project.get_absolute_url(), "Project", record)
        )
    return sorted(items, key=lambda a: a.severity, reverse=True)[:ATTENTION_LIMIT]


def health_stamp() -> str:
    """Changes whenever any health record is stored: what an open dashboard polls for.

    One round trip for the three record tables: it runs on every poll of every open page.
    """
    newest = ", ".join(
        f"(SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)})"
        for model in (ProjectHealth, ProgrammeHealth, PortfolioHealth)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        stamps = cursor.fetchone()
    return "-".join(str(s or 0) for s in stamps)
