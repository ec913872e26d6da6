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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_save

from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_request
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    HealthPolicy,
    Person,
    Portfolio,
    Programme,
)
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk, StatusReport

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
        for subject, ids in (
            (Subject.PROJECT, self.projects),
            (Subject.PROGRAMME, self.programmes),
            (Subject.PORTFOLIO, self.portfolios),
        ):
            for subject_id in sorted(i for i in ids if i is not None):
                health_request(subject=subject, subject_id=subject_id)


def _ids(*values: int | None) -> set[int]:
    return {v for v in values if v is not None}


def _with_downstream(project_ids: set[int]) -> set[int]:
    """The projects and every project that depends on one of them (its dependency
    dimension reads their dates)."""
    downstream = Dependency.objects.filter(upstream__in=project_ids).values_list(
        "downstream_id", flat=True
    )
    return project_ids | set(downstream)


def _whole_portfolio(portfolio_id: int | None) -> Subjects:
    """A change to the portfolio's scale or policy: every subject in it."""
    if portfolio_id is None:
        return Subjects()
    return Subjects(
        projects=set(
            Project.objects.filter(portfolio_id=portfolio_id).values_list("pk", flat=True)
        ),
        programmes=set(
            Programme.objects.filter(portfolio_id=portfolio_id).values_list("pk", flat=True)
        ),
        portfolios={portfolio_id},
    )


def _programmes_booking(person_ids: set[int]) -> set[int]:
    """Every programme a person is booked in: their load shows in each."""
    return set(
        Allocation.objects.filter(person__in=person_ids, project__programme__isnull=False)
        .values_list("project__programme_id", flat=True)
        .distinct()
    )


def _project(row: Project) -> Subjects:
    return Subjects(
        projects=_with_downstream({row.pk}),
        # Its own parents too: a project that moves leaves the old ones (pre_save).
        programmes=_ids(row.programme_id),
        portfolios=_ids(row.portfolio_id),
    )


def _milestone(row: Milestone) -> Subjects:
    return Subjects(projects=_with_downstream(_ids(row.project_id)))


def _dependency(row: Dependency) -> Subjects:
    return Subjects(projects=_ids(row.upstream_id, row.downstream_id))


def _allocation(row: Allocation) -> Subjects:
    project = Project.objects.filter(pk=row.project_id).values_list("programme_id").first()
    own = _ids(project[0]) if project else set()
    return Subjects(programmes=own | _programmes_booking(_ids(row.person_id)))


def _person(row: Person) -> Subjects:
    return Subjects(programmes=_programmes_booking({row.pk}))


def _register_item(row: Risk | Issue) -> Subjects:
    return Subjects(projects=_ids(row.project_id), programmes=_ids(row.programme_id))


def _status_report(row: StatusReport) -> Subjects:
    # A submit copies its forecasts onto the project, which downstream projects read.
    if row.state != StatusReport.State.SUBMITTED:
        return Subjects()
    return Subjects(projects=_with_downstream(_ids(row.project_id)))


def _benefit(row: Benefit) -> Subjects:
    return Subjects(programmes=_ids(row.programme_id))


def _measurement(row: BenefitMeasurement) -> Subjects:
    programme = Benefit.objects.filter(pk=row.benefit_id).values_list("programme_id").first()
    return Subjects(programmes=_ids(programme[0]) if programme else set())


def _programme(row: Programme) -> Subjects:
    return Subjects(programmes={row.pk}, portfolios=_ids(row.portfolio_id))


def _policy(row: HealthPolicy) -> Subjects:
    return _whole_portfolio(row.portfolio_id)


def _portfolio(row: Portfolio) -> Subjects:
    return _whole_portfolio(row.pk)


@dataclass(frozen=True)
class HealthInput:
    model: type[Model]
    affected: Callable[[Any], Subjects]
    # True when a saved row can leave the subjects it affected (the old ones are read first).
    moves: bool = False


REGISTRY: tuple[HealthInput, ...] = (
    HealthInput(Project, _project, moves=True),
    HealthInput(Milestone, _milestone),
    HealthInput(Dependency, _dependency, moves=True),
    HealthInput(Allocation, _allocation, moves=True),
    HealthInput(Person, _person),
    HealthInput(Risk, _register_item, moves=True),
    HealthInput(Issue, _register_item, moves=True),
    HealthInput(StatusReport, _status_report),
    HealthInput(Benefit, _benefit, moves=True),
    HealthInput(BenefitMeasurement, _measurement),
    HealthInput(Programme, _programme, moves=True),
    HealthInput(HealthPolicy, _policy),
    HealthInput(Portfolio, _portfolio),
)
_BY_MODEL = {entry.model: entry for entry in REGISTRY}
_BEFORE = "_health_subjects_before"


def request_for_rows(rows: Iterable[Model]) -> None:
    """Request a recomputation of every subject these rows affect (after commit)."""
    affected = Subjects()
    for row in rows:
        affected = affected | _BY_MODEL[type(row)].affected(row)
    affected.request()


def _before_save(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw or instance.pk is None:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is not None:
        setattr(instance, _BEFORE, _BY_MODEL[sender].affected(old))


def _after_write(sender: type[Model], instance: Model, raw: bool = False, **_: Any) -> None:
    if raw:  # fixtures: loaddata
        return
    affected = _BY_MODEL[sender].affected(instance) | getattr(instance, _BEFORE, Subjects())
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
