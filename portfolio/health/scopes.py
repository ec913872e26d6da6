"""Which page-cache scopes a written row moves (portfolio.core.pagecache), and what a viewer
may see. It lives beside the health inputs because it reads both apps, the same way.

1. A row belongs to projects, programmes or portfolios directly (a milestone to its
   project, a benefit to its programme); `_direct` says which.
2. Each belongs to its parents as well: a project's rows move ``project:X``, its
   programme's ``programme:P`` (the programme dashboard shows its projects) and its
   portfolio's ``portfolio:F`` (the executive dashboard shows all of it). Nothing moves a
   sibling: a write to programme A leaves programme B's pages cached.
3. A draft status report moves only ``drafts:X`` (the project's own editing views); names,
   people and policies move ``catalogue``, which every page shows; who manages or leads
   what moves ``visibility`` (the viewer profiles).
4. The PMO's Reporting page shows, per portfolio, who reported for a week: ``reporting:F``
   moves with the rows it reads (a report submitted or a draft started, a reminder, a
   project, programme or policy saved), not with health records or registers, so the
   roll-up that follows every submit leaves it cached. An autosave (an UPDATE of the
   draft, no signal) moves nothing.
5. Saves and deletes are heard through model signals (rows that can move are read before
   a save, to move the scopes they leave); bulk writes through `health_inputs_changed`;
   stored health records and card summaries by the roll-up calling `records_stored` and
   `rows_changed`. Other writes (raw SQL) are bounded by the cache's max age.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from portfolio.core import pagecache
from portfolio.core.pagecache import CATALOGUE, VISIBILITY, scope
from portfolio.health.models import (
    PortfolioHealth,
    PortfolioSummary,
    ProgrammeHealth,
    ProgrammeSummary,
    ProjectHealth,
)
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from projects.impact import PLAN
from projects.models import (
    Allocation,
    Baseline,
    Dependency,
    DerivedForecast,
    Issue,
    Milestone,
    PhasedAmount,
    Project,
    ProjectPhasing,
    ReminderLog,
    Risk,
    StatusReport,
)


@dataclass
class Owners:
    """The rows' direct owners, and scopes named outright (catalogue, drafts…)."""

    projects: set[int] = field(default_factory=set)
    programmes: set[int] = field(default_factory=set)
    portfolios: set[int] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    # Rows the Reporting page shows: of these projects, and of these portfolios.
    reporting_projects: set[int] = field(default_factory=set)
    reporting_portfolios: set[int] = field(default_factory=set)

    def __or__(self, other: Owners) -> Owners:
        return Owners(
            self.projects | other.projects,
            self.programmes | other.programmes,
            self.portfolios | other.portfolios,
            self.named | other.named,
            self.reporting_projects | other.reporting_projects,
            self.reporting_portfolios | other.reporting_portfolios,
        )


def _ids(values: Iterable[int | None]) -> set[int]:
    return {v for v in values if v is not None}


def _with_downstream(project_ids: set[int]) -> set[int]:
    """The projects and those depending on them: their pages show upstream dates (what is
    late upstream), whether or not their health changes."""
    if not project_ids:
        return project_ids
    downstream = Dependency.objects.filter(upstream__in=project_ids).values_list(
        "downstream_id", flat=True
    )
    return project_ids | set(downstream)


def _projects(rows: list[Any], owners: Owners) -> None:
    owners.projects |= _with_downstream(_ids(r.pk for r in rows))
    owners.programmes |= _ids(r.programme_id for r in rows)
    owners.portfolios |= _ids(r.portfolio_id for r in rows)
    owners.reporting_portfolios |= _ids(r.portfolio_id for r in rows)


def _programmes(rows: list[Any], owners: Owners) -> None:
    owners.programmes |= _ids(r.pk for r in rows)
    owners.portfolios |= _ids(r.portfolio_id for r in rows)
    owners.reporting_portfolios |= _ids(r.portfolio_id for r in rows)


def _by_project(rows: list[Any], owners: Owners) -> None:
    owners.projects |= _ids(r.project_id for r in rows)


def _by_programme(rows: list[Any], owners: Owners) -> None:
    owners.programmes |= _ids(r.programme_id for r in rows)


def _by_portfolio(rows: list[Any], owners: Owners) -> None:
    owners.portfolios |= _ids(r.portfolio_id for r in rows)
    owners.named.add(CATALOGUE)


def _policies(rows: list[Any], owners: Owners) -> None:
    # The due weekday and grace days decide who is late or overdue.
    _by_portfolio(rows, owners)
    owners.reporting_portfolios |= _ids(r.portfolio_id for r in rows)


def _reminders(rows: list[Any], owners: Owners) -> None:
    _by_project(rows, owners)
    owners.reporting_projects |= _ids(r.project_id for r in rows)


def _in_portfolio(rows: list[Any], owners: Owners) -> None:
    owners.portfolios |= _ids(r.portfolio_id for r in rows)


def _register_items(rows: list[Any], owners: Owners) -> None:
    _by_project(rows, owners)
    _by_programme(rows, owners)


def _dependencies(rows: list[Any], owners: Owners) -> None:
    owners.projects |= _ids([*(r.upstream_id for r in rows), *(r.downstream_id for r in rows)])


def _derived_forecasts(rows: list[Any], owners: Owners) -> None:
    # The pushed project's page gives the push; the causing project's page its reach.
    owners.projects |= _ids([*(r.project_id for r in rows), *(r.caused_by_id for r in rows)])


def _allocations(rows: list[Any], owners: Owners) -> None:
    # A person's load shows in every programme they are booked in (the heat map).
    _by_project(rows, owners)
    people = _ids(r.person_id for r in rows)
    owners.programmes |= _ids(
        Allocation.objects.filter(person__in=people).values_list("project__programme_id", flat=True)
    )


def _milestones(rows: list[Any], owners: Owners) -> None:
    owners.projects |= _with_downstream(_ids(r.project_id for r in rows))


def _status_reports(rows: list[Any], owners: Owners) -> None:
    # A draft changes only its project's editing views; a record changes every page (and
    # its forecasts, copied onto the project, those downstream).
    submitted = {r.project_id for r in rows if r.state == StatusReport.State.SUBMITTED}
    owners.projects |= _with_downstream(submitted)
    if submitted:  # its forecast finish is copied onto the project, a date of the plan
        owners.named.add(PLAN)
    owners.named |= {scope("drafts", r.project_id) for r in rows if r.project_id not in submitted}
    # A draft started (or dropped) turns the week's status to "draft" (or back).
    owners.reporting_projects |= _ids(r.project_id for r in rows)


def _measurements(rows: list[Any], owners: Owners) -> None:
    benefits = Benefit.objects.filter(pk__in=_ids(r.benefit_id for r in rows))
    owners.programmes |= _ids(benefits.values_list("programme_id", flat=True))


def _portfolios(rows: list[Any], owners: Owners) -> None:
    owners.portfolios |= _ids(r.pk for r in rows)
    owners.named |= {CATALOGUE, VISIBILITY}


def _catalogue(rows: list[Any], owners: Owners) -> None:
    owners.named.add(CATALOGUE)


def _people(rows: list[Any], owners: Owners) -> None:
    owners.named |= {CATALOGUE, VISIBILITY}


_DIRECT: dict[type[Model], Callable[[list[Any], Owners], None]] = {
    Project: _projects,
    Milestone: _milestones,
    Baseline: _by_project,
    # Money by month shows on the project page and its programme's and portfolio's.
    ProjectPhasing: _by_project,
    PhasedAmount: _by_project,
    Dependency: _dependencies,
    DerivedForecast: _derived_forecasts,
    Allocation: _allocations,
    Risk: _register_items,
    Issue: _register_items,
    StatusReport: _status_reports,
    ReminderLog: _reminders,
    Programme: _programmes,
    Benefit: _by_programme,
    BenefitMeasurement: _measurements,
    Stakeholder: _by_programme,
    Portfolio: _portfolios,
    HealthPolicy: _policies,
    Person: _people,
    Team: _catalogue,
    ProjectHealth: _by_project,
    ProgrammeHealth: _by_programme,
    # Shown only by pages inside its portfolio (not a catalogue entry like a policy): the
    # roll-up after each submit would otherwise retire every cached page of the site.
    PortfolioHealth: _in_portfolio,
    # The dashboard's read models (portfolio.health.summaries).
    ProgrammeSummary: _by_programme,
    PortfolioSummary: _in_portfolio,
}
# Rows that can leave their owners (a project moved to another programme) or change who
# may see what (a new manager): read before a save.
_MOVES = (Project, Programme, Risk, Issue, Allocation, Dependency, Benefit)
_WATCHERS = (Project, Programme)  # their managers and parents decide visibility
_BEFORE = "_page_scopes_before"


# The rows the impact graph reads (`projects.impact.read_impact_graph`): each write moves
# the plan's version as well, whichever portfolio it is in (a chain crosses them).
_PLAN_ROWS = (Project, Milestone, Dependency, Benefit, Programme)


def owners_of(rows: Iterable[Model]) -> Owners:
    owners = Owners()
    by_model: dict[type[Model], list[Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, group in by_model.items():
        direct = _DIRECT.get(model)
        if direct is not None:
            direct(group, owners)
        if model in _PLAN_ROWS:
            owners.named.add(PLAN)
    return owners


def scopes_of(owners: Owners) -> set[str]:
    """Every scope the owners belong to: their own and their parents' (a query or two)."""
    programmes, portfolios = set(owners.programmes), set(owners.portfolios)
    placed: set[int] = set()  # programmes whose portfolio is known already
    if owners.projects:
        parents = Project.objects.filter(pk__in=owners.projects).values_list(
            "programme_id", "portfolio_id"
        )
        for programme_id, portfolio_id in parents:
            portfolios.add(portfolio_id)
            if programme_id is not None:
                programmes.add(programme_id)
                placed.add(programme_id)
    if programmes - placed:
        portfolios |= set(
            Programme.objects.filter(pk__in=programmes - placed).values_list(
                "portfolio_id", flat=True
            )
        )
    return (
        {scope("project", pk) for pk in owners.projects}
        | {scope("programme", pk) for pk in programmes}
        | {scope("portfolio", pk) for pk in portfolios}
        | owners.named
        | _reporting_scopes(owners)
    )


def _reporting_scopes(owners: Owners) -> set[str]:
    portfolios = set(owners.reporting_portfolios)
    if owners.reporting_projects:
        portfolios |= set(
            Project.objects.filter(pk__in=owners.reporting_projects).values_list(
                "portfolio_id", flat=True
            )
        )
    return {scope("reporting", pk) for pk in portfolios}


def rows_changed(rows: Iterable[Model]) -> None:
    pagecache.scopes_changed(scopes_of(owners_of(rows)))


def records_stored(rows: Iterable[Model]) -> None:
    """The roll-up stored health records (bulk_create sends no signal): move their scopes."""
    rows_changed(rows)


def _differ(instance: Any, old: Any, names: tuple[str, ...]) -> bool:
    return any(getattr(old, name, None) != getattr(instance, name, None) for name in names)


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is None:
        return
    owners = owners_of([old])
    if isinstance(instance, _WATCHERS):
        if _differ(instance, old, ("manager_id", "programme_id", "portfolio_id", "archived_at")):
            owners.named.add(VISIBILITY)
        if _differ(instance, old, ("name", "code")):  # names show on every page
            owners.named.add(CATALOGUE)
    setattr(instance, _BEFORE, owners)


def _after_write(sender: type[Model], instance: Model, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures: loaddata
        return
    owners = owners_of([instance])
    before: Owners | None = getattr(instance, _BEFORE, None)
    if before is not None:
        owners = owners | before
    # A new programme shows to its portfolio's readers, a new project to its manager; a
    # delete counts as a change of who sees what.
    created = kwargs.get("created", True)
    shown_to_someone = isinstance(instance, Programme) or (
        isinstance(instance, Project) and instance.manager_id is not None
    )
    if created and shown_to_someone:
        owners.named.add(VISIBILITY)
    pagecache.scopes_changed(scopes_of(owners))


def _executives_changed(sender: Any, instance: Model, action: str, **_: Any) -> None:
    if action.startswith("post_"):
        pagecache.scopes_changed({CATALOGUE, VISIBILITY})


def receive_rows(sender: object, *, rows: Iterable[Model] = (), **_: Any) -> None:
    """`health_inputs_changed`: writes that bypass model signals name their rows."""
    rows_changed(rows)


def connect() -> None:
    for model in _DIRECT:
        uid = f"pagescopes.{model._meta.label_lower}"
        post_save.connect(_after_write, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(_after_write, sender=model, dispatch_uid=f"{uid}.deleted")
        if model in _MOVES:
            pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}.before")
    m2m_changed.connect(
        _executives_changed,
        sender=Portfolio.executives.through,
        dispatch_uid="pagescopes.executives",
    )
