"""Health inputs: every model the health rules read, and the subjects a change to one of its
rows affects. Written once, here, so that no write path can forget to recompute:

1. `connect` (HealthConfig.ready) hooks every input model's post_save and post_delete, and,
   for rows that can move between subjects (a project to another programme, a booking to
   another person), pre_save, to catch the subjects the row leaves.
2. Writes that bypass model signals (QuerySet.update, bulk_create: the importer, the
   forecast a submit copies onto its project) send `health_inputs_changed` with the rows.
3. Either way `request_for_rows` turns rows into coalesced requests of every affected
   project, programme and portfolio (`portfolio.health.requests`), inside the writing
   transaction; the jobs run after commit.

`tests/health/` holds a test that fails when the rules read a table no entry here names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_request_many
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
)
from projects.models import (
    Allocation,
    Dependency,
    DerivedForecast,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)

Subject = HealthRequest.Subject


@dataclass
class Subjects:
    """Ids of the subjects a change affects. A project's job asks for its parent itself, so
    a parent is named only when it is affected directly (a row left it, or a rule of its own
    reads the row)."""

    projects: set[int] = field(default_factory=set)
    programmes: set[int] = field(default_factory=set)
    portfolios: set[int] = field(default_factory=set)

    def __or__(self, other: Subjects) -> Subjects:
        return Subjects(
            self.projects | other.projects,
            self.programmes | other.programmes,
            self.portfolios | other.portfolios,
        )

    def request(self) -> None:
        health_request_many(
            [
                *((Subject.PROJECT, pk) for pk in sorted(self.projects)),
                *((Subject.PROGRAMME, pk) for pk in sorted(self.programmes)),
                *((Subject.PORTFOLIO, pk) for pk in sorted(self.portfolios)),
            ]
        )


def _ids(values: Iterable[int | None]) -> set[int]:
    return {v for v in values if v is not None}


def _with_downstream(project_ids: set[int]) -> set[int]:
    """The projects and every project that depends on one of them (its dependency
    dimension reads their dates)."""
    if not project_ids:
        return project_ids
    downstream = Dependency.objects.filter(upstream__in=project_ids).values_list(
        "downstream_id", flat=True
    )
    return project_ids | set(downstream)


def _whole_portfolios(portfolio_ids: set[int]) -> Subjects:
    """A change to a portfolio's scale or policy: every subject in it."""
    if not portfolio_ids:
        return Subjects()
    projects = Project.objects.filter(portfolio__in=portfolio_ids)
    programmes = Programme.objects.filter(portfolio__in=portfolio_ids)
    return Subjects(
        projects=set(projects.values_list("pk", flat=True)),
        programmes=set(programmes.values_list("pk", flat=True)),
        portfolios=portfolio_ids,
    )


def _programmes_booking(person_ids: set[int]) -> set[int]:
    """Every programme a person is booked in: their load shows in each."""
    return set(
        Allocation.objects.filter(person__in=person_ids, project__programme__isnull=False)
        .values_list("project__programme_id", flat=True)
        .distinct()
    )


def _projects(rows: list[Project]) -> Subjects:
    return Subjects(
        projects=_with_downstream(_ids(r.pk for r in rows)),
        # Its own parents too: a project that moves leaves the old ones (pre_save).
        programmes=_ids(r.programme_id for r in rows),
        portfolios=_ids(r.portfolio_id for r in rows),
    )


def _milestones(rows: list[Milestone]) -> Subjects:
    return Subjects(projects=_with_downstream(_ids(r.project_id for r in rows)))


def _dependencies(rows: list[Dependency]) -> Subjects:
    return Subjects(
        projects=_ids([*(r.upstream_id for r in rows), *(r.downstream_id for r in rows)])
    )


def _derived_forecasts(rows: list[DerivedForecast]) -> Subjects:
    return Subjects(projects=_ids(r.project_id for r in rows))


def _allocations(rows: list[Allocation]) -> Subjects:
    own = Project.objects.filter(pk__in=_ids(r.project_id for r in rows)).values_list(
        "programme_id", flat=True
    )
    booking = _programmes_booking(_ids(r.person_id for r in rows))
    return Subjects(programmes=_ids(own) | booking)


def _people(rows: list[Person]) -> Subjects:
    return Subjects(programmes=_programmes_booking(_ids(r.pk for r in rows)))


def _register_items(rows: list[Risk] | list[Issue]) -> Subjects:
    return Subjects(
        projects=_ids(r.project_id for r in rows), programmes=_ids(r.programme_id for r in rows)
    )


def _status_reports(rows: list[StatusReport]) -> Subjects:
    # Only records count; a submit copies its forecasts onto the project, which downstream
    # projects read.
    submitted = [r for r in rows if r.state == StatusReport.State.SUBMITTED]
    return Subjects(projects=_with_downstream(_ids(r.project_id for r in submitted)))


def _benefits(rows: list[Benefit]) -> Subjects:
    return Subjects(programmes=_ids(r.programme_id for r in rows))


def _measurements(rows: list[BenefitMeasurement]) -> Subjects:
    benefits = Benefit.objects.filter(pk__in=_ids(r.benefit_id for r in rows))
    return Subjects(programmes=_ids(benefits.values_list("programme_id", flat=True)))


def _programmes(rows: list[Programme]) -> Subjects:
    return Subjects(
        programmes=_ids(r.pk for r in rows), portfolios=_ids(r.portfolio_id for r in rows)
    )


def _policies(rows: list[HealthPolicy]) -> Subjects:
    return _whole_portfolios(_ids(r.portfolio_id for r in rows))


def _portfolios(rows: list[Portfolio]) -> Subjects:
    return _whole_portfolios(_ids(r.pk for r in rows))


@dataclass(frozen=True)
class HealthInput:
    model: type[Model]
    # The subjects a list of its rows affects, in a fixed number of queries.
    affected: Callable[[Any], Subjects]
    # True when a saved row can leave the subjects it affected (the old ones are read first).
    moves: bool = False


REGISTRY: tuple[HealthInput, ...] = (
    HealthInput(Project, _projects, moves=True),
    HealthInput(Milestone, _milestones),
    HealthInput(Dependency, _dependencies, moves=True),
    HealthInput(DerivedForecast, _derived_forecasts),
    HealthInput(Allocation, _allocations, moves=True),
    HealthInput(Person, _people),
    HealthInput(Risk, _register_items, moves=True),
    HealthInput(Issue, _register_items, moves=True),
    HealthInput(StatusReport, _status_reports),
    HealthInput(Benefit, _benefits, moves=True),
    HealthInput(BenefitMeasurement, _measurements),
    HealthInput(Programme, _programmes, moves=True),
    HealthInput(HealthPolicy, _policies),
    HealthInput(Portfolio, _portfolios),
)
_BY_MODEL = {entry.model: entry for entry in REGISTRY}
_BEFORE = "_health_subjects_before"


def request_for_rows(rows: Iterable[Model]) -> None:
    """Request a recomputation of every subject these rows affect (after commit)."""
    by_model: dict[type[Model], list[Model]] = defaultdict(list)
    for row in rows:
        by_model[type(row)].append(row)
    affected = Subjects()
    for model, group in by_model.items():
        affected = affected | _BY_MODEL[model].affected(group)
    affected.request()


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        setattr(instance, _BEFORE, _BY_MODEL[sender].affected([old]))


def _after_write(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw:  # fixtures: loaddata
        return
    affected = _BY_MODEL[sender].affected([instance]) | getattr(instance, _BEFORE, Subjects())
    affected.request()


def receive_rows(sender: object, *, rows: Iterable[Model] = (), **_: Any) -> None:
    """`health_inputs_changed`: writes that bypass model signals name their rows."""
    request_for_rows(rows)


def connect() -> None:
    for entry in REGISTRY:
        uid = f"health.{entry.model._meta.label_lower}"
        post_save.connect(_after_write, sender=entry.model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(_after_write, sender=entry.model, dispatch_uid=f"{uid}.deleted")
        if entry.moves:
            pre_save.connect(_before_save, sender=entry.model, dispatch_uid=f"{uid}.before")


def input_tables() -> set[str]:
    """The database tables of every registered input (for the registry's own test)."""
    return {entry.model._meta.db_table for entry in REGISTRY}
