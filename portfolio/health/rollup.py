"""Recomputing health and rolling it up: project → programme → portfolio.

It lives in the composing layer because a programme's health reads both apps: its
projects' health, its own benefits and risks, the people booked on its projects and the
dependencies between them.

- Requests coalesce and survive crashes: see portfolio.health.requests. A job stores its
  result, then asks for its parent, then retires its own request: three short transactions,
  each waiting for at most one kind of lock, so a job never holds a mark that a user's
  write is waiting for while it waits for one that write holds (they deadlocked when it
  was one transaction). A crash between them leaves the mark, and the job runs again.
- Jobs recompute from the source rows and store only what changed (a new current record);
  subject rows are locked while storing, so two workers running the same job at once
  store one record, and running a job twice is harmless.
- A request whose job could not be sent (broker down) stays in the table; `sweep` sends it
  again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Model, Q
from django.utils import timezone

from portfolio.core.capacity import OVERBOOKED_ABOVE_PERCENT, load_window
from portfolio.core.health_rules import (
    Assessment,
    Dimension,
    Part,
    Reason,
    grade,
    on_scale,
    roll_up,
    rollup_reason,
)
from portfolio.core.ratings import Rating, worst
from portfolio.core.signals import health_records_stored
from portfolio.health.models import (
    HealthRecord,
    HealthRequest,
    PortfolioHealth,
    ProgrammeHealth,
    ProjectHealth,
)
from portfolio.health.project import assess_project, project_facts
from portfolio.health.requests import (
    health_begin,
    health_done_many,
    health_pending_generations,
    health_request_many,
)
from portfolio.health.scopes import records_stored
from portfolio.health.summaries import (
    refresh_portfolio_summaries,
    refresh_programme_summaries,
)
from programmes.models import Benefit, Person, Portfolio, Programme
from projects.models import Allocation, Dependency, Project, Risk

logger = logging.getLogger(__name__)
# Over-booked (portfolio.core.capacity) is amber; half as much again is red.
OVER_CAPACITY_RED_PERCENT = 150
# Percentage points a benefit's realised share may trail its plan before amber, and red.
BENEFIT_BEHIND_AMBER, BENEFIT_BEHIND_RED = 20, 50
Subject = HealthRequest.Subject


# Jobs ---------------------------------------------------------------------------------


def recompute_requested(subject: str, subject_id: int, today: date | None = None) -> bool:
    """One job: if the subject's request is still pending, recompute it, ask for its parent
    and retire the request. False when there was nothing to do."""
    generation = health_begin(subject=subject, subject_id=subject_id)
    if generation is None:
        return False
    with transaction.atomic():
        recompute(subject, subject_id, today)
    _ask_parents_and_retire(subject, {subject_id: generation})
    return True


def recompute_pending(today: date | None = None) -> int:
    """The batch job (an import asked for many subjects): every pending request, projects
    first, then programmes, then portfolios; each kind in one transaction. Returns how many
    subjects were recomputed."""
    done = 0
    for subject in (Subject.PROJECT, Subject.PROGRAMME, Subject.PORTFOLIO):
        generations = health_pending_generations(subject)
        if not generations:
            continue
        with transaction.atomic():
            recompute_many(subject, list(generations), today)
        _ask_parents_and_retire(subject, generations)
        done += len(generations)
    return done


def _ask_parents_and_retire(subject: str, generations: dict[int, int]) -> None:
    """After the results committed: ask for the parents' recomputation, then retire the
    requests that were read (each in its own transaction; see the module's note)."""
    with transaction.atomic():
        health_request_many(parents_of(subject, list(generations)))
    with transaction.atomic():
        health_done_many(subject=subject, generations=generations)


def recompute(subject: str, subject_id: int, today: date | None = None) -> None:
    """Recompute the subject and store what changed (its parent is the caller's to ask)."""
    logger.info("Recomputed %s %s", subject, subject_id)
    recompute_many(subject, [subject_id], today)


def recompute_many(subject: str, ids: list[int], today: date | None = None) -> None:
    """Recompute these subjects of one kind and store what changed."""
    today = today or timezone.localdate()
    if subject == Subject.PROJECT:
        recompute_projects(ids, today)
    elif subject == Subject.PROGRAMME:
        recompute_programmes(ids, today)
    else:
        recompute_portfolios(ids, today)


def parents_of(subject: str, ids: list[int]) -> list[tuple[str, int]]:
    """The subjects whose health rolls these up: a project's programme (or its portfolio
    when standalone), a programme's portfolio; none for a portfolio."""
    if subject == Subject.PROJECT:
        parents = Project.objects.filter(pk__in=ids).values_list("programme_id", "portfolio_id")
        return sorted(
            {
                (Subject.PROGRAMME, programme_id)
                if programme_id
                else (Subject.PORTFOLIO, portfolio_id)
                for programme_id, portfolio_id in parents
            }
        )
    if subject == Subject.PROGRAMME:
        portfolios = Programme.objects.filter(pk__in=ids).values_list("portfolio_id", flat=True)
        return [(Subject.PORTFOLIO, pk) for pk in sorted(set(portfolios))]
    return []


# Storing ------------------------------------------------------------------------------


def _store(
    model: type[HealthRecord],
    subject: type[Model],
    field: str,
    assessments: dict[int, Assessment],
    kind: str = HealthRecord.Kind.CHANGE,
) -> int:
    """Store the assessments that differ from the current records; returns how many.

    The subjects' rows are locked (in id order, so concurrent runs cannot deadlock) before
    the current records are read: a second worker waits, then finds nothing changed.
    """
    ids = sorted(assessments)
    now = timezone.now()
    with transaction.atomic():
        list(
            subject._default_manager.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        current = {
            getattr(r, f"{field}_id"): r
            for r in model._default_manager.filter(is_current=True, **{f"{field}__in": ids})
        }
        retired, created = [], []
        for pk in ids:
            payload = assessments[pk].payload()
            record = current.get(pk)
            if (
                record is not None
                and record.payload() == payload
                and kind == HealthRecord.Kind.CHANGE
            ):
                continue
            if record is not None:
                retired.append(record.pk)
            created.append(
                model(**{f"{field}_id": pk}, is_current=True, taken_at=now, kind=kind, **payload)
            )
        model._default_manager.filter(pk__in=retired).update(is_current=False)
        model._default_manager.bulk_create(created, batch_size=1000)
        records_stored(created)
        health_records_stored.send(sender=model, rows=created, previous=current)
    return len(created)


# Projects -----------------------------------------------------------------------------


def assess_projects(
    ids: Sequence[int] | None, today: date, reports_until: date | None = None
) -> dict[int, Assessment]:
    projects = Project.objects.select_related("portfolio__health_policy")
    projects = projects.filter(pk__in=ids) if ids is not None else projects.active()
    facts = project_facts(list(projects), today, reports_until)
    return {pk: assess_project(f, f.project.portfolio.policy, today) for pk, f in facts.items()}


def recompute_projects(ids: Sequence[int] | None, today: date, kind: str = "change") -> int:
    return _store(ProjectHealth, Project, "project", assess_projects(ids, today), kind)


# Programmes ---------------------------------------------------------------------------


@dataclass
class _ProgrammeFacts:
    programme: Programme
    parts: list[Part]
    reasons: list[Reason]
    computed: dict[str, Rating]


def assess_programmes(
    ids: Sequence[int] | None, today: date, project_ratings: dict[int, str] | None = None
) -> dict[int, Assessment]:
    """Each programme: its projects rolled up by policy, plus its own dimensions (benefits,
    programme risks, people over capacity, dependency conflicts). A fixed number of queries."""
    programmes = Programme.objects.select_related("portfolio__health_policy")
    programmes = programmes.filter(pk__in=ids) if ids is not None else programmes.active()
    facts = {p.pk: _ProgrammeFacts(p, [], [], {}) for p in programmes}
    ids = list(facts)

    def signal(
        pk: int,
        dimension: str,
        rating: Rating,
        rule: str,
        message: str,
        observed: object = "",
        threshold: object = "",
    ) -> None:
        f = facts[pk]
        f.computed[dimension] = worst([f.computed.get(dimension), rating]) or rating
        if rating != Rating.GREEN:
            f.reasons.append(
                Reason(dimension, rule, rating.value, message, str(observed), str(threshold))
            )

    current = (
        project_ratings
        if project_ratings is not None
        else dict(
            ProjectHealth.objects.filter(
                is_current=True, project__programme__in=ids, project__archived_at__isnull=True
            ).values_list("project_id", "overall")
        )
    )
    for pk, programme_id, name, budget in (
        Project.objects.active()
        .filter(programme__in=ids)
        .values_list("pk", "programme_id", "name", "budget")
    ):
        # An unknown budget weighs nothing in a budget-weighted roll-up (as a 0 budget does).
        facts[programme_id].parts.append(Part(current.get(pk) or None, budget or Decimal(0), name))

    _benefit_signals(ids, today, signal)
    for row in (
        Risk.objects.filter(programme__in=ids)
        .exclude(status=Risk.Status.CLOSED)
        .annotate(s=F("probability") * F("impact"))
        .values("programme_id")
        .annotate(top=Max("s"))
    ):
        policy = facts[row["programme_id"]].programme.portfolio.policy
        signal(
            row["programme_id"],
            "risk",
            grade(row["top"], policy.risk_amber_score, policy.risk_red_score),
            "risk.score",
            f"A programme risk scores {row['top']}",
            row["top"],
            f"amber from {policy.risk_amber_score}, red from {policy.risk_red_score}",
        )
    _allocation_signals(ids, today, signal)
    for dependency in (
        Dependency.objects.filter(Q(downstream__programme__in=ids))
        .select_related("upstream", "downstream", "upstream_milestone", "downstream_milestone")
        .order_by("pk")
    ):
        late, needing = dependency.days_late(), dependency.downstream.programme_id
        if late is not None and late > 0 and needing is not None:
            policy = facts[needing].programme.portfolio.policy
            signal(
                needing,
                "dependencies",
                grade(late, 1, policy.schedule_red_days),
                "dependency.conflict",
                f"“{dependency.upstream}” lands {late} days after “{dependency.downstream}” "
                "needs it",
                f"{late} days",
                f"red from {policy.schedule_red_days} days",
            )

    assessments = {}
    for pk, f in facts.items():
        policy = f.programme.portfolio.policy
        rating = roll_up(
            f.parts, policy.rollup, policy.red_share_percent, f.programme.portfolio.rating_scale
        )
        reason = rollup_reason(f.parts, policy.rollup, policy.red_share_percent, rating)
        dimensions = {"projects": Dimension(computed=rating)}
        for name in ("benefits", "risk", "resources", "dependencies"):
            found = f.computed.get(name, Rating.GREEN)
            dimensions[name] = Dimension(computed=found.value)
        reasons = ([reason] if reason and rating != Rating.GREEN else []) + f.reasons
        assessments[pk] = _on_portfolio_scale(
            Assessment(dimensions=dimensions, reasons=tuple(reasons)), f.programme.portfolio
        )
    return assessments


def _benefit_signals(ids: list[int], today: date, signal: Any) -> None:
    """A benefit is behind by how far its realised share trails the plan today (Benefit's
    progress rule), and red once its target date has passed short of the target."""
    benefits = (
        Benefit.objects.filter(programme__in=ids)
        .select_related("programme")
        .prefetch_related("measurements")
        .order_by("pk")
    )
    for benefit in benefits:
        behind = benefit.behind_percent(today)
        if behind is None:
            continue
        rating = (
            Rating.RED
            if benefit.missed_target(today)
            else grade(behind, BENEFIT_BEHIND_AMBER, BENEFIT_BEHIND_RED)
        )
        realised, planned = benefit.realised_percent, benefit.planned_percent(today)
        signal(
            benefit.programme_id,
            "benefits",
            rating,
            "benefit.behind",
            f"“{benefit.name}” at {realised}% of target, {planned}% planned by now",
            f"{realised}%",
            f"{planned}% planned",
        )


def _allocation_signals(ids: list[int], today: date, signal: Any) -> None:
    """People booked on the programme's active projects in the capacity window who are
    over-booked in a week of it, counting all their bookings in every programme (the
    capacity rule, as the programme dashboard's heat map shows it): amber, red from
    OVER_CAPACITY_RED_PERCENT or with no capacity at all."""
    mondays = load_window(today)
    booked = (
        Allocation.objects.filter(project__programme__in=ids, project__archived_at__isnull=True)
        .overlapping(mondays[0], mondays[-1] + timedelta(days=6))
        .values_list("person_id", "project__programme_id")
        .distinct()
    )
    programmes_of: dict[int, set[int]] = defaultdict(set)
    for person_id, programme_id in booked:
        programmes_of[person_id].add(programme_id)
    if not programmes_of:
        return
    loads = Allocation.objects.filter(person__in=programmes_of).weekly_load(today)
    people = Person.objects.in_bulk(list(programmes_of))
    for person_id, load in sorted(loads.items()):
        person, peak = people[person_id], load.peak
        if not load.is_overbooked:
            rating = Rating.GREEN
        elif peak.percent is None or peak.percent >= OVER_CAPACITY_RED_PERCENT:
            rating = Rating.RED
        else:
            rating = Rating.AMBER
        weeks = len(load.over_weeks)
        share = f"{peak.percent}% of capacity" if peak.percent is not None else "no capacity"
        for programme_id in programmes_of[person_id]:
            signal(
                programme_id,
                "resources",
                rating,
                "resources.over_capacity",
                f"{person.name} booked at {share} in the week of {peak.monday:%-d %b}, "
                f"over capacity in {weeks} of the next {len(load.weeks)} weeks",
                f"{peak.percent}%" if peak.percent is not None else f"{peak.booked_hours} h",
                f"over {OVERBOOKED_ABOVE_PERCENT}% of capacity",
            )


# Portfolios ---------------------------------------------------------------------------


def assess_portfolios(
    ids: Sequence[int] | None,
    today: date,
    programme_ratings: dict[int, str] | None = None,
    project_ratings: dict[int, str] | None = None,
) -> dict[int, Assessment]:
    """Each portfolio: its programmes and standalone projects rolled up by its policy."""
    chosen = Portfolio.objects.select_related("health_policy")
    chosen = chosen.filter(pk__in=ids) if ids is not None else chosen.active()
    portfolios = {p.pk: p for p in chosen}
    parts: dict[int, list[Part]] = {pk: [] for pk in portfolios}
    programme_health = (
        programme_ratings
        if programme_ratings is not None
        else dict(
            ProgrammeHealth.objects.filter(
                is_current=True, programme__portfolio__in=list(portfolios)
            ).values_list("programme_id", "overall")
        )
    )
    for pk, portfolio_id, name, budget in (
        Programme.objects.active()
        .filter(portfolio__in=list(portfolios))
        .values_list("pk", "portfolio_id", "name", "budget")
    ):
        parts[portfolio_id].append(Part(programme_health.get(pk) or None, budget, name))
    project_health = (
        project_ratings
        if project_ratings is not None
        else dict(
            ProjectHealth.objects.filter(
                is_current=True,
                project__programme__isnull=True,
                project__portfolio__in=list(portfolios),
            ).values_list("project_id", "overall")
        )
    )
    for pk, portfolio_id, name, known_budget in (
        Project.objects.active()
        .filter(programme__isnull=True, portfolio__in=list(portfolios))
        .values_list("pk", "portfolio_id", "name", "budget")
    ):
        weight = known_budget or Decimal(0)  # an unknown budget weighs nothing, as 0 does
        parts[portfolio_id].append(
            Part(project_health.get(pk) or None, weight, name, standalone=True)
        )
    assessments = {}
    for pk, portfolio in portfolios.items():
        policy = portfolio.policy
        rating = roll_up(parts[pk], policy.rollup, policy.red_share_percent, portfolio.rating_scale)
        reason = rollup_reason(
            parts[pk], policy.rollup, policy.red_share_percent, rating, dimension="programmes"
        )
        assessments[pk] = _on_portfolio_scale(
            Assessment(
                dimensions={"programmes": Dimension(computed=rating)},
                reasons=(reason,) if reason and rating != Rating.GREEN else (),
            ),
            portfolio,
        )
    return assessments


def _on_portfolio_scale(assessment: Assessment, portfolio: Portfolio) -> Assessment:
    scale = portfolio.rating_scale
    return Assessment(
        dimensions={
            name: Dimension(on_scale(d.reported, scale), on_scale(d.computed, scale))
            for name, d in assessment.dimensions.items()
        },
        reasons=assessment.reasons,
        reported_overall=on_scale(assessment.reported_overall, scale),
    )


def recompute_programmes(ids: Sequence[int] | None, today: date, kind: str = "change") -> int:
    """Store the programmes' health and their cards' summaries. The summaries are refreshed
    even when the health is unchanged: a card also shows money, benefits and its projects'
    ratings, and every write to those asks for this recomputation."""
    stored = _store(ProgrammeHealth, Programme, "programme", assess_programmes(ids, today), kind)
    refresh_programme_summaries(ids, today)
    return stored


def recompute_portfolios(ids: Sequence[int] | None, today: date, kind: str = "change") -> int:
    """Store the portfolios' health and their dashboard sections' summaries (refreshed even
    when the health is unchanged: a section also counts its programmes' ratings and sums
    its standalone projects' money)."""
    stored = _store(PortfolioHealth, Portfolio, "portfolio", assess_portfolios(ids, today), kind)
    refresh_portfolio_summaries(ids)
    return stored


# Everything ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupStats:
    projects: int
    programmes: int
    portfolios: int


def recompute_everything(today: date | None = None, kind: str = "change") -> RollupStats:
    """The nightly run: every project, then every programme, then every portfolio.

    With kind="weekly" every subject gets a snapshot row, changed or not (the trend's
    weekly points); otherwise only what changed is stored.
    """
    today = today or timezone.localdate()
    return RollupStats(
        projects=recompute_projects(None, today, kind),
        programmes=recompute_programmes(None, today, kind),
        portfolios=recompute_portfolios(None, today, kind),
    )


def assess_everything(
    today: date, reports_until: date | None = None
) -> tuple[dict[int, Assessment], dict[int, Assessment], dict[int, Assessment]]:
    """Every active project, programme and portfolio assessed from scratch, each level from
    the fresh ratings of the one below (nothing stored is read)."""
    projects = assess_projects(None, today, reports_until)
    project_ratings = {pk: a.overall or "" for pk, a in projects.items()}
    programmes = assess_programmes(None, today, project_ratings)
    programme_ratings = {pk: a.overall or "" for pk, a in programmes.items()}
    portfolios = assess_portfolios(None, today, programme_ratings, project_ratings)
    return projects, programmes, portfolios


def stale_subjects(today: date | None = None) -> list[str]:
    """The subjects whose stored current health differs from a recomputation from scratch
    (for checks and tests: it should always be empty once no request is pending)."""
    fresh = assess_everything(today or timezone.localdate())
    stale = []
    for model, field, assessments in zip(
        (ProjectHealth, ProgrammeHealth, PortfolioHealth),
        ("project", "programme", "portfolio"),
        fresh,
        strict=True,
    ):
        stored = {
            getattr(record, f"{field}_id"): record.payload()
            for record in model._default_manager.filter(is_current=True)
        }
        stale += [f"{field} {pk}" for pk, a in assessments.items() if stored.get(pk) != a.payload()]
    return stale


def record_past_week(moment: datetime) -> None:
    """Weekly snapshots of health as it stood at `moment`, rebuilt from the reports
    submitted by then (for a new installation's trend; today's risks and milestones stand
    in for their past values, which are not kept)."""
    day = moment.date()
    projects, programmes, portfolios = assess_everything(day, reports_until=day)
    _snapshot(ProjectHealth, "project", projects, moment)
    _snapshot(ProgrammeHealth, "programme", programmes, moment)
    _snapshot(PortfolioHealth, "portfolio", portfolios, moment)


def record_past_health(moment: datetime, portfolio_ids: Iterable[int]) -> None:
    """Snapshots of these portfolios, their programmes and projects as they stood at
    `moment` (an imported return's reporting date), rebuilt from the reports submitted by
    then, as `record_past_week` does for everything.

    A snapshot these subjects already have at that very moment (the same return imported
    before) is replaced, not doubled.
    """
    day = timezone.localtime(moment).date()
    ids = list(portfolio_ids)
    project_ids = list(
        Project.objects.active().filter(portfolio_id__in=ids).values_list("pk", flat=True)
    )
    programme_ids = list(
        Programme.objects.active().filter(portfolio_id__in=ids).values_list("pk", flat=True)
    )
    projects = assess_projects(project_ids, day, reports_until=day)
    project_ratings = {pk: a.overall or "" for pk, a in projects.items()}
    programmes = assess_programmes(programme_ids, day, project_ratings)
    programme_ratings = {pk: a.overall or "" for pk, a in programmes.items()}
    portfolios = assess_portfolios(ids, day, programme_ratings, project_ratings)
    for model, field, assessments in (
        (ProjectHealth, "project", projects),
        (ProgrammeHealth, "programme", programmes),
        (PortfolioHealth, "portfolio", portfolios),
    ):
        model._default_manager.filter(
            **{f"{field}_id__in": list(assessments)},
            taken_at=moment,
            kind=HealthRecord.Kind.WEEKLY,
        ).delete()
        _snapshot(model, field, assessments, moment)


def _snapshot(
    model: type[HealthRecord], field: str, assessments: dict[int, Assessment], moment: datetime
) -> None:
    rows = [
        model(**{f"{field}_id": pk}, taken_at=moment, kind=HealthRecord.Kind.WEEKLY, **a.payload())
        for pk, a in assessments.items()
    ]
    model._default_manager.bulk_create(rows, batch_size=1000)
    records_stored(rows)
    if model is ProgrammeHealth:  # a past snapshot changes today's trend
        refresh_programme_summaries(list(assessments), timezone.localdate())
