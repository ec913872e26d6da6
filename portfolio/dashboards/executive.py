"""The executive portfolio dashboard's data, read in a fixed number of queries however
large the portfolio: each portfolio's health, a card per programme (health, a 12-week
trend, spend against budget, benefits realised against plan), what needs attention and
why, upcoming milestones and the top risks. `moment` shows it all as it stood then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.ratings import SEVERITY, Rating
from portfolio.health.models import HealthRecord, PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Benefit, Portfolio, Programme
from projects.models import Milestone, Project, Risk, Totals

TREND_WEEKS = 12
ATTENTION_LIMIT = 12
LIST_LIMIT = 8
UPCOMING_DAYS = 45


@dataclass(frozen=True)
class BenefitsSummary:
    """A programme's measured benefits, averaged: realised and planned shares of target."""

    realised: int
    planned: int | None


@dataclass
class ProgrammeCard:
    programme: Programme
    health: HealthRecord | None
    trend: list[tuple[date, str]]
    totals: Totals
    benefits: BenefitsSummary | None  # None until one of its benefits is measured

    @property
    def spend_percent(self) -> Decimal | None:
        if not self.totals.budget:
            return None
        return (self.totals.spend * 100 / self.totals.budget).quantize(Decimal("1"))


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
    portfolio: Portfolio
    health: HealthRecord | None
    cards: list[ProgrammeCard] = field(default_factory=list)
    standalone: Totals = field(default_factory=Totals)


@dataclass
class Overview:
    sections: list[PortfolioSection]
    attention: list[Attention]
    milestones: list[Milestone]
    risks: list[Risk]


def overview(user: Any, moment: datetime | None = None) -> Overview:
    today = timezone.localdate(moment) if moment else timezone.localdate()
    portfolios = list(Portfolio.objects.visible_to(user).active().order_by("name"))
    programmes = list(
        Programme.objects.visible_to(user)
        .active()
        .filter(portfolio__in=portfolios)
        .select_related("manager")
        .order_by("name")
    )
    projects = Project.objects.visible_to(user).active()
    portfolio_health = _standing(PortfolioHealth, "portfolio", portfolios, moment)
    programme_health = _standing(ProgrammeHealth, "programme", programmes, moment)
    trends = _trends(programmes, today)
    totals = projects.totals_by("programme")
    standalone = projects.filter(programme__isnull=True).totals_by("portfolio")
    benefits = _benefits(programmes, today)

    sections = {
        p.pk: PortfolioSection(
            p, portfolio_health.get(p.pk), standalone=standalone.get(p.pk, Totals())
        )
        for p in portfolios
    }
    for programme in programmes:
        sections[programme.portfolio_id].cards.append(
            ProgrammeCard(
                programme=programme,
                health=programme_health.get(programme.pk),
                trend=trends.get(programme.pk, []),
                totals=totals.get(programme.pk, Totals()),
                benefits=benefits.get(programme.pk),
            )
        )
    return Overview(
        sections=list(sections.values()),
        attention=_attention(programmes, programme_health, projects, moment),
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


def _standing(
    model: type[HealthRecord], field_name: str, subjects: Iterable[Any], moment: datetime | None
) -> dict[int, HealthRecord]:
    """Each subject's current record, or the one standing at `moment` (one query)."""
    ids = [s.pk for s in subjects]
    records = model._default_manager.filter(**{f"{field_name}__in": ids})
    records = (
        records.filter(is_current=True) if moment is None else records.as_of(moment, field_name)
    )
    return {getattr(r, f"{field_name}_id"): r for r in records}


def _trends(programmes: list[Programme], today: date) -> dict[int, list[tuple[date, str]]]:
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
            points.append((monday, rating))
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
    programmes: list[Programme],
    programme_health: dict[int, HealthRecord],
    projects: Any,
    moment: datetime | None,
) -> list[Attention]:
    """Red and gap-flagged programmes and projects, the worst first, with their reasons."""
    items = [
        Attention(p.name, f"{p.get_absolute_url()}dashboard/", "Programme", programme_health[p.pk])
        for p in programmes
        if p.pk in programme_health
        and (programme_health[p.pk].overall == Rating.RED or programme_health[p.pk].gap)
    ]
    records = ProjectHealth.objects.filter(project__in=projects).select_related("project")
    records = (
        records.filter(is_current=True) if moment is None else records.as_of(moment, "project")
    )
    records = records.filter(overall__in=[Rating.RED, Rating.AMBER_RED]) | records.filter(gap=True)
    for record in records.order_by("-overall")[: ATTENTION_LIMIT * 3]:
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
