"""The executive portfolio dashboard's data, read in a fixed number of queries however
large the portfolio.

- `overview`, the first response: each portfolio's health and how many of its programmes
  stand at each rating, what needs attention and why, upcoming milestones, top risks.
- `programme_cards`, loaded on demand: one page of a portfolio's programme cards (health,
  a 12-week trend, spend against budget, benefits realised against plan), filtered.

`moment` shows it all as it stood then."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, TextChoices
from django.db.models.functions import Coalesce
from django.utils import timezone

from portfolio.core.ratings import SEVERITY, Rating, label_of
from portfolio.health.models import (
    HealthRecord,
    PortfolioHealth,
    PortfolioSummary,
    ProgrammeHealth,
    ProgrammeSummary,
    ProjectHealth,
)
from portfolio.health.summaries import (
    BenefitsSummary,
    CardFacts,
    CardHealth,
    card_facts,
    card_health,
    current_cards,
    current_sections,
)
from programmes.models import Portfolio, Programme, person_for, sees_everything
from projects.models import (
    DerivedForecast,
    Milestone,
    Project,
    ProjectQuerySet,
    Risk,
    Totals,
)

ATTENTION_LIMIT = 12
LIST_LIMIT = 8
UPCOMING_DAYS = 45
CARDS_PER_PAGE = 24
# Programmes a "red or amber" filter keeps, on either scale.
ATTENTION_RATINGS = (Rating.RED, Rating.AMBER_RED, Rating.AMBER)


@dataclass
class ProgrammeCard:
    """A programme card: the programme row (name, manager) and the facts the worker stored
    for it (portfolio.health.summaries), or worked out as they stood at a past moment."""

    programme: Programme
    facts: CardFacts
    version: int = 0  # the stored summary's; the open page polls with it

    @property
    def health(self) -> CardHealth:
        return self.facts.health

    @property
    def trend(self) -> tuple[str, ...]:
        """The rating at the end of each of the last 12 weeks, oldest first."""
        return self.facts.trend

    @property
    def totals(self) -> Totals:
        return self.facts.totals

    @property
    def benefits(self) -> BenefitsSummary | None:
        return self.facts.benefits

    @property
    def spend_percent(self) -> Decimal | None:
        return self.totals.spend_percent

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
    health: CardHealth = field(default_factory=CardHealth)
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
    def version(self) -> str:
        """Changes whenever what the section's summary shows changes: an open page swaps
        the summary only then."""
        shown = (
            self.health,
            sorted(self.tally.items()),
            self.gaps,
            self.standalone,
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:12]

    @property
    def needing_attention(self) -> int:
        return sum(n for r, n in self.tally.items() if r in ATTENTION_RATINGS)


@dataclass
class Overview:
    sections: list[PortfolioSection]
    attention: list[Attention]
    milestones: list[Milestone]
    risks: list[Risk]
    # Upstream slips that push a project of another programme (today only: derived
    # forecasts have no history).
    crossing_slips: list[DerivedForecast]


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
    of the portfolios (no programme card is built here). The sections of portfolios the
    viewer reads whole come from their stored summaries; the others (a manager sees part
    of a portfolio), and every section as it stood at a past moment, are counted here."""
    today = timezone.localdate(moment) if moment else timezone.localdate()
    portfolios = list(Portfolio.objects.visible_to(user).active().order_by("name"))
    programmes = Programme.objects.visible_to(user).active().filter(portfolio__in=portfolios)
    projects = Project.objects.visible_to(user).active()
    records = _records(ProgrammeHealth, "programme", moment).filter(programme__in=programmes)
    whole = [] if moment else _read_whole(user, portfolios)
    stored = current_sections(whole)
    sections = {
        p.pk: PortfolioSection(p, f.health, dict(f.tally), f.gaps, f.standalone)
        for p in portfolios
        if (f := stored.get(p.pk)) is not None
    }
    rest = [p for p in portfolios if p.pk not in sections]
    sections |= _counted_sections(rest, programmes, projects, records, moment)
    return Overview(
        sections=[sections[p.pk] for p in portfolios],
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
        crossing_slips=[]
        if moment
        else list(
            DerivedForecast.objects.crossing_programmes()
            .filter(project__in=projects)
            .select_related("project__programme", "caused_by__programme")
            .order_by("-finish_pushed_days", "-start_pushed_days")[:LIST_LIMIT]
        ),
    )


def _read_whole(user: Any, portfolios: list[Portfolio]) -> list[int]:
    """The portfolios whose every programme and project the viewer reads: all for the PMO,
    an executive's own portfolios."""
    ids = [p.pk for p in portfolios]
    if sees_everything(user):
        return ids
    person = person_for(user)
    if person is None:
        return []
    return list(person.executive_portfolios.filter(pk__in=ids).values_list("pk", flat=True))


def _counted_sections(
    portfolios: list[Portfolio],
    programmes: QuerySet[Programme],
    projects: ProjectQuerySet,
    records: QuerySet[Any],
    moment: datetime | None,
) -> dict[int, PortfolioSection]:
    """The sections of these portfolios as far as the viewer sees them (a fixed number of
    queries), with the health standing at `moment`."""
    if not portfolios:
        return {}
    portfolio_health = _standing(PortfolioHealth, "portfolio", portfolios, moment)
    standalone = projects.filter(programme__isnull=True, portfolio__in=portfolios).totals_by(
        "portfolio"
    )
    sections = {
        p.pk: PortfolioSection(
            p,
            card_health(portfolio_health[p.pk]) if p.pk in portfolio_health else CardHealth(),
            standalone=standalone.get(p.pk, Totals()),
        )
        for p in portfolios
    }
    for row in (
        records.filter(programme__portfolio__in=portfolios)
        .order_by()
        .values("programme__portfolio_id", "overall")
        .annotate(n=Count("pk"), gaps=Count("pk", filter=Q(gap=True)))
    ):
        section = sections[row["programme__portfolio_id"]]
        section.tally[row["overall"]] = section.tally.get(row["overall"], 0) + row["n"]
        section.gaps += row["gaps"]
    for row in (
        programmes.filter(portfolio__in=portfolios)
        .order_by()
        .values("portfolio_id")
        .annotate(n=Count("pk"))
        .values("portfolio_id", "n")
    ):
        section = sections[row["portfolio_id"]]
        unrated = row["n"] - section.programme_count
        if unrated:
            section.tally[""] = section.tally.get("", 0) + unrated
    return sections


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
    return CardPage(portfolio, show, _cards(chosen, today, moment), number, has_next)


def _cards(
    programmes: list[Programme], today: date, moment: datetime | None
) -> list[ProgrammeCard]:
    """Today's cards from the stored summaries (one narrow query); as they stood at a past
    moment from the health history."""
    ids = [p.pk for p in programmes]
    if moment is None:
        stored = current_cards(ids, today)
        return [ProgrammeCard(p, stored[p.pk].facts, stored[p.pk].version) for p in programmes]
    past = card_facts(ids, today, moment)
    return [ProgrammeCard(p, past[p.pk]) for p in programmes]


def changed_cards(user: Any, shown: dict[int, int]) -> list[ProgrammeCard]:
    """Of the cards an open page shows (programme id → version), those whose stored version
    has moved since, as the viewer may see them (a fixed number of queries)."""
    programmes = list(
        Programme.objects.visible_to(user)
        .active()
        .filter(pk__in=list(shown))
        .select_related("manager")
        .order_by("pk")
    )
    cards = _cards(programmes, timezone.localdate(), None)
    return [card for card in cards if card.version != shown[card.programme.pk]]


@dataclass
class Changes:
    """What an open dashboard's poll sends when something changed: the summaries and cards
    whose versions moved since those the page showed, and the overview for the side column."""

    overview: Overview
    sections: list[PortfolioSection]
    cards: list[ProgrammeCard]


def changes_since(user: Any, sections: list[str], cards: list[str]) -> Changes:
    """`sections` and `cards` as the page sends them ("<id>-<version>"); malformed entries
    are ignored (they come from the browser)."""
    now = overview(user)
    shown_sections = dict(_pairs(sections))
    shown_cards = {pk: int(v) for pk, v in _pairs(cards) if v.isdigit()}
    return Changes(
        overview=now,
        sections=[
            s
            for s in now.sections
            if s.portfolio.pk in shown_sections and shown_sections[s.portfolio.pk] != s.version
        ],
        cards=changed_cards(user, shown_cards) if shown_cards else [],
    )


def _pairs(values: list[str]) -> list[tuple[int, str]]:
    pairs = []
    for value in values:
        pk, _, version = value.partition("-")
        if pk.isdigit() and version:
            pairs.append((int(pk), version))
    return pairs


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
    """Changes whenever any health record or dashboard summary is stored: what an open
    dashboard polls for without the page cache (a summary's version moves on its own when
    only money or benefits changed).

    One round trip for the five tables: it runs on every poll of every open page.
    """
    quote = connection.ops.quote_name
    newest = ", ".join(
        [
            *(
                f"(SELECT MAX(id) FROM {quote(model._meta.db_table)})"
                for model in (ProjectHealth, ProgrammeHealth, PortfolioHealth)
            ),
            *(
                f"(SELECT SUM(version) FROM {quote(model._meta.db_table)})"
                for model in (ProgrammeSummary, PortfolioSummary)
            ),
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        stamps = cursor.fetchone()
    return "-".join(str(s or 0) for s in stamps)
