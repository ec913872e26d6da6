"""The executive dashboard's read models: what a programme card and a portfolio's section
show, worked out once by the worker and read by every render.

1. `card_facts` and `section_facts` work them out from the source rows (health records,
   projects and their health, benefits) for any number of subjects in a fixed number of
   queries; `card_facts` with a `moment` reads the health standing then ("as it stood on").
2. `refresh_programme_summaries` and `refresh_portfolio_summaries` store them in
   `ProgrammeSummary` and `PortfolioSummary` rows, moving a row's version and its page-cache
   scope only when what it shows changed. The roll-up calls them whenever it recomputes (or
   snapshots) a programme or portfolio, and every write they reflect (projects, their
   money, health and moves, benefits and measurements, new or archived programmes) asks
   for that recomputation through the health inputs (`portfolio.health.inputs`).
3. `current_cards` and `current_sections` read the stored rows: one narrow query however
   many. A row that is missing, or a card from an earlier day (its trend window and
   planned benefits move with the date; the nightly run refreshes it), is worked out
   afresh instead, so nothing shown is older than the last committed roll-up.
4. `stale_programme_summaries` and `stale_portfolio_summaries` list the stored rows that
   differ from a fresh computation: empty once the jobs have settled (tests/health).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.core.ratings import Rating, label_of
from portfolio.health.models import (
    HealthRecord,
    PortfolioHealth,
    PortfolioSummary,
    ProgrammeHealth,
    ProgrammeSummary,
    ProjectHealth,
)
from portfolio.health.scopes import rows_changed
from programmes.models import Benefit, Portfolio, Programme
from projects.models import Project, Totals

TREND_WEEKS = 12
# A card lists this many reasons; the rest are counted and left to the programme's page.
REASONS_SHOWN = 3
# Project ratings a card counts as red, and as amber (either scale).
RED_RATINGS = (Rating.RED, Rating.AMBER_RED)
AMBER_RATINGS = (Rating.AMBER, Rating.AMBER_GREEN)


@dataclass(frozen=True)
class BenefitsSummary:
    """A programme's measured benefits, averaged: realised and planned shares of target."""

    realised: int
    planned: int | None


@dataclass(frozen=True)
class CardHealth:
    """The part of a programme's health record a card shows."""

    overall: str = ""
    gap: bool = False
    reasons: tuple[str, ...] = ()  # the first REASONS_SHOWN messages
    reason_count: int = 0

    @property
    def more_reasons(self) -> int:
        return max(0, self.reason_count - len(self.reasons))

    def get_overall_display(self) -> str:
        return label_of(self.overall)


@dataclass(frozen=True)
class CardFacts:
    health: CardHealth
    trend_start: date  # the Monday of the trend's first week
    trend: tuple[str, ...]  # the rating at the end of each week, oldest first ("" none)
    totals: Totals = field(default_factory=Totals)
    benefits: BenefitsSummary | None = None  # None until one of its benefits is measured
    red_projects: int = 0
    amber_projects: int = 0


def trend_start(today: date) -> date:
    return Period.containing(today).previous(TREND_WEEKS - 1).start


# Programme cards ---------------------------------------------------------------------


def card_facts(
    ids: Sequence[int], today: date, moment: datetime | None = None
) -> dict[int, CardFacts]:
    """Each programme's card from the source rows, in a fixed number of queries."""
    ids = list(ids)
    if not ids:
        return {}
    health = _health(ids, moment)
    trends = _trends(ids, today)
    totals = Project.objects.active().filter(programme__in=ids).totals_by("programme")
    benefits = _benefits(ids, today)
    counts = _project_counts(ids)
    start = trend_start(today)
    return {
        pk: CardFacts(
            health=health.get(pk, CardHealth()),
            trend_start=start,
            trend=trends.get(pk, ("",) * TREND_WEEKS),
            totals=totals.get(pk, Totals()),
            benefits=benefits.get(pk),
            red_projects=counts[pk][0],
            amber_projects=counts[pk][1],
        )
        for pk in ids
    }


def _health(ids: list[int], moment: datetime | None) -> dict[int, CardHealth]:
    records = ProgrammeHealth.objects.filter(programme__in=ids)
    records = records.current() if moment is None else records.as_of(moment, "programme")
    return {r.programme_id: card_health(r) for r in records}


def card_health(record: HealthRecord) -> CardHealth:
    reasons = [reason.get("message", "") for reason in record.reasons]
    return CardHealth(
        overall=record.overall,
        gap=record.gap,
        reasons=tuple(reasons[:REASONS_SHOWN]),
        reason_count=len(reasons),
    )


def trend_mondays(today: date) -> list[date]:
    first = trend_start(today)
    return [first + timedelta(weeks=n) for n in range(TREND_WEEKS)]


def _trends(ids: list[int], today: date) -> dict[int, tuple[str, ...]]:
    """Each programme's rating at the end of each of the last 12 weeks (one query)."""
    records = ProgrammeHealth.objects.filter(programme__in=ids)
    return records.weekly_ratings("programme", trend_mondays(today), today)


def _benefits(ids: list[int], today: date) -> dict[int, BenefitsSummary]:
    """Each programme's measured benefits (Benefit's progress rule), averaged: one query for
    the benefits, one for their measurements."""
    benefits = (
        Benefit.objects.filter(programme__in=ids)
        .select_related("programme")  # its progress rule reads the programme
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


def _project_counts(ids: list[int]) -> dict[int, tuple[int, int]]:
    """How many of each programme's active projects are red, and amber (one query)."""
    rows = (
        ProjectHealth.objects.filter(
            is_current=True, project__programme__in=ids, project__archived_at__isnull=True
        )
        .filter(overall__in=[*RED_RATINGS, *AMBER_RATINGS])
        .order_by()
        .values_list("project__programme_id", "overall")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in ids}
    for programme_id, overall, n in rows:
        counts[programme_id][0 if overall in RED_RATINGS else 1] += n
    return {pk: (red, amber) for pk, (red, amber) in counts.items()}


# The read model ------------------------------------------------------------------------


def facts_of(summary: ProgrammeSummary) -> CardFacts:
    benefits = (
        BenefitsSummary(summary.benefits_realised, summary.benefits_planned)
        if summary.benefits_realised is not None
        else None
    )
    return CardFacts(
        health=CardHealth(
            overall=summary.overall,
            gap=summary.gap,
            reasons=tuple(summary.reasons),
            reason_count=summary.reason_count,
        ),
        trend_start=summary.trend_start,
        trend=tuple(summary.trend),
        totals=Totals(
            summary.project_count,
            _decimal(summary.budget),
            Decimal(summary.spend),
            summary.unknown_budgets,
        ),
        benefits=benefits,
        red_projects=summary.red_projects,
        amber_projects=summary.amber_projects,
    )


def _decimal(value: Decimal | float | None) -> Decimal | None:
    """A stored amount as read back (SQLite may give a float); None stays unknown."""
    return None if value is None else Decimal(value)


def _fill(summary: ProgrammeSummary, facts: CardFacts, today: date) -> None:
    summary.computed_on = today
    summary.overall = facts.health.overall
    summary.gap = facts.health.gap
    summary.reasons = list(facts.health.reasons)
    summary.reason_count = facts.health.reason_count
    summary.trend_start = facts.trend_start
    summary.trend = list(facts.trend)
    summary.project_count = facts.totals.count
    summary.budget = facts.totals.budget
    summary.spend = facts.totals.spend
    summary.unknown_budgets = facts.totals.unknown_budgets
    summary.benefits_realised = facts.benefits.realised if facts.benefits else None
    summary.benefits_planned = facts.benefits.planned if facts.benefits else None
    summary.red_projects = facts.red_projects
    summary.amber_projects = facts.amber_projects


SUMMARY_FIELDS = [
    f.name for f in ProgrammeSummary._meta.concrete_fields if f.name not in ("programme",)
]


def refresh_programme_summaries(ids: Iterable[int] | None, today: date) -> int:
    """Store today's card of each programme (every active one when `ids` is None) where it
    differs from the stored one; returns how many changed.

    1. The programmes' rows are locked in id order, as the roll-up's `_store` does: two
       workers refreshing one programme take turns, and the second finds nothing to do.
    2. Changed and new summaries move their version and the programme's page scopes, so no
       cached card outlives what it was rendered from.
    """
    programmes = Programme.objects.active() if ids is None else Programme.objects.filter(pk__in=ids)
    with transaction.atomic():
        locked = list(programmes.select_for_update().order_by("pk").values_list("pk", flat=True))
        stored = ProgrammeSummary.objects.in_bulk(locked)
        fresh = card_facts(locked, today)
        created: list[ProgrammeSummary] = []
        updated: list[ProgrammeSummary] = []
        moved: list[ProgrammeSummary] = []
        for pk in locked:
            summary = stored.get(pk) or ProgrammeSummary(programme_id=pk, version=0)
            changed = summary.version == 0 or facts_of(summary) != fresh[pk]
            if not changed and summary.computed_on == today:
                continue
            _fill(summary, fresh[pk], today)
            summary.version += int(changed)
            (updated if pk in stored else created).append(summary)
            if changed:  # a row that only caught up with the date shows the same card
                moved.append(summary)
        ProgrammeSummary.objects.bulk_create(created, batch_size=500)
        ProgrammeSummary.objects.bulk_update(updated, SUMMARY_FIELDS, batch_size=500)
        rows_changed(moved)
    return len(moved)


@dataclass(frozen=True)
class StoredCard:
    facts: CardFacts
    version: int  # 0: not stored yet


def current_cards(ids: Sequence[int], today: date) -> dict[int, StoredCard]:
    """Each programme's card as stored (one query); missing or out-of-date ones are worked
    out afresh (a fixed number of queries more, however many)."""
    stored = ProgrammeSummary.objects.in_bulk(list(ids))
    cards = {
        pk: StoredCard(facts_of(s), s.version) for pk, s in stored.items() if s.computed_on == today
    }
    missing = [pk for pk in ids if pk not in cards]
    for pk, facts in card_facts(missing, today).items():
        found = stored.get(pk)
        cards[pk] = StoredCard(facts, found.version if found else 0)
    return cards


def stale_programme_summaries(today: date | None = None) -> list[int]:
    """The active programmes whose stored card differs from a fresh computation (for checks
    and tests: empty once no health request is pending)."""
    today = today or timezone.localdate()
    ids = list(Programme.objects.active().values_list("pk", flat=True))
    fresh = card_facts(ids, today)
    stored = ProgrammeSummary.objects.in_bulk(ids)
    return [
        pk
        for pk in ids
        if pk not in stored or stored[pk].computed_on != today or facts_of(stored[pk]) != fresh[pk]
    ]


# Portfolio sections ----------------------------------------------------------------------


@dataclass(frozen=True)
class SectionFacts:
    """A portfolio's section as a viewer who reads the whole portfolio sees it."""

    health: CardHealth
    tally: dict[str, int]  # rating ("" for none) → active programmes
    gaps: int
    standalone: Totals


def section_facts(ids: Sequence[int]) -> dict[int, SectionFacts]:
    """Each portfolio's section from the source rows, in a fixed number of queries."""
    ids = list(ids)
    if not ids:
        return {}
    health = {
        r.portfolio_id: card_health(r)
        for r in PortfolioHealth.objects.current().filter(portfolio__in=ids)
    }
    tallies: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    gaps = dict.fromkeys(ids, 0)
    rows = (
        Programme.objects.active()
        .filter(portfolio__in=ids)
        .annotate(
            overall=Subquery(
                ProgrammeHealth.objects.current()
                .filter(programme=OuterRef("pk"))
                .values("overall")[:1]
            ),
            gap=Subquery(
                ProgrammeHealth.objects.current().filter(programme=OuterRef("pk")).values("gap")[:1]
            ),
        )
        .order_by()
        .values_list("portfolio_id", "overall", "gap")
    )
    for portfolio_id, overall, gap in rows:
        tally = tallies[portfolio_id]
        tally[overall or ""] = tally.get(overall or "", 0) + 1
        gaps[portfolio_id] += int(bool(gap))
    standalone = (
        Project.objects.active()
        .filter(programme__isnull=True, portfolio__in=ids)
        .totals_by("portfolio")
    )
    return {
        pk: SectionFacts(
            health=health.get(pk, CardHealth()),
            tally=tallies[pk],
            gaps=gaps[pk],
            standalone=standalone.get(pk, Totals()),
        )
        for pk in ids
    }


def section_facts_of(summary: PortfolioSummary) -> SectionFacts:
    return SectionFacts(
        health=CardHealth(
            overall=summary.overall,
            gap=summary.gap,
            reasons=tuple(summary.reasons),
            reason_count=summary.reason_count,
        ),
        tally=dict(summary.tally),
        gaps=summary.gaps,
        standalone=Totals(
            summary.standalone_count,
            _decimal(summary.standalone_budget),
            Decimal(summary.standalone_spend),
            summary.standalone_unknown_budgets,
        ),
    )


def _fill_section(summary: PortfolioSummary, facts: SectionFacts) -> None:
    summary.overall = facts.health.overall
    summary.gap = facts.health.gap
    summary.reasons = list(facts.health.reasons)
    summary.reason_count = facts.health.reason_count
    summary.tally = facts.tally
    summary.gaps = facts.gaps
    summary.standalone_count = facts.standalone.count
    summary.standalone_budget = facts.standalone.budget
    summary.standalone_spend = facts.standalone.spend
    summary.standalone_unknown_budgets = facts.standalone.unknown_budgets


SECTION_FIELDS = [f.name for f in PortfolioSummary._meta.concrete_fields if f.name != "portfolio"]


def refresh_portfolio_summaries(ids: Iterable[int] | None) -> int:
    """Store each portfolio's section (every active one when `ids` is None) where it differs
    from the stored one, under the portfolios' row locks, as `refresh_programme_summaries`
    does; returns how many changed."""
    portfolios = Portfolio.objects.active() if ids is None else Portfolio.objects.filter(pk__in=ids)
    with transaction.atomic():
        locked = list(portfolios.select_for_update().order_by("pk").values_list("pk", flat=True))
        stored = PortfolioSummary.objects.in_bulk(locked)
        fresh = section_facts(locked)
        created: list[PortfolioSummary] = []
        updated: list[PortfolioSummary] = []
        for pk in locked:
            summary = stored.get(pk)
            if summary is not None and section_facts_of(summary) == fresh[pk]:
                continue
            if summary is None:
                summary = PortfolioSummary(portfolio_id=pk, version=0)
            _fill_section(summary, fresh[pk])
            summary.version += 1
            (updated if pk in stored else created).append(summary)
        PortfolioSummary.objects.bulk_create(created, batch_size=500)
        PortfolioSummary.objects.bulk_update(updated, SECTION_FIELDS, batch_size=500)
        rows_changed([*created, *updated])
    return len(created) + len(updated)


def current_sections(ids: Sequence[int]) -> dict[int, SectionFacts]:
    """Each portfolio's section as stored (one query); missing ones worked out afresh."""
    stored = {
        pk: section_facts_of(s) for pk, s in PortfolioSummary.objects.in_bulk(list(ids)).items()
    }
    return stored | section_facts([pk for pk in ids if pk not in stored])


def stale_portfolio_summaries() -> list[int]:
    """The active portfolios whose stored section differs from a fresh computation."""
    ids = list(Portfolio.objects.active().values_list("pk", flat=True))
    fresh = section_facts(ids)
    stored = PortfolioSummary.objects.in_bulk(ids)
    return [pk for pk in ids if pk not in stored or section_facts_of(stored[pk]) != fresh[pk]]
