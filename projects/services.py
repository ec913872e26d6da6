"""Multi-step writes of the delivery layer, shared by pages, the API and Celery tasks.

Each raises django.core.exceptions.ValidationError keyed by field name, so a form shows the
message next to the field and the API returns it as JSON.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict, TypeVar, Unpack

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import dateformat, timezone

from portfolio.core.history import audit
from portfolio.core.levelling import Piece, Suggestion
from portfolio.core.signals import item_escalated
from programmes.models import HealthPolicy, Person
from projects.access import may_link
from projects.levelling import find_suggestion
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

# Key of the PostgreSQL advisory lock serialising writes to the dependency graph: any fixed
# bigint no other lock in the product uses (b"DEPGRAPH" read as an integer).
DEPENDENCY_GRAPH_LOCK_KEY = 0x4445_5047_5241_5048

# The exclusion constraint of projects/migrations/0002 (PostgreSQL only).
ALLOCATION_OVERLAP_CONSTRAINT = "allocation_no_overlap_per_person_project"


# Dependencies ---------------------------------------------------------------------------


class DependencyChanges(TypedDict, total=False):
    upstream: Project
    downstream: Project
    kind: str
    lag_days: int
    upstream_milestone: Milestone | None
    downstream_milestone: Milestone | None
    description: str


def dependency_require_own_end(*, user: AnyUser, upstream: Project, downstream: Project) -> None:
    """A programme manager links only dependencies touching a programme they manage: refused
    as invalid input on `downstream`, in the words of the access rule."""
    if not may_link(user, upstream, downstream):
        raise ValidationError({"downstream": may_link.refusal})


def dependency_create(
    *,
    upstream: Project,
    downstream: Project,
    kind: str = Dependency.Kind.FINISH_TO_START,
    lag_days: int = 0,
    upstream_milestone: Milestone | None = None,
    downstream_milestone: Milestone | None = None,
    description: str = "",
) -> Dependency:
    """Record that `downstream` needs `upstream`; refused if it would close a cycle."""
    dependency = Dependency(
        upstream=upstream,
        downstream=downstream,
        kind=kind,
        lag_days=lag_days,
        upstream_milestone=upstream_milestone,
        downstream_milestone=downstream_milestone,
        description=description,
    )
    return _dependency_save(dependency)


def dependency_update(*, dependency: Dependency, **fields: Unpack[DependencyChanges]) -> Dependency:
    """Change a dependency's fields; refused if the changed edge would close a cycle."""
    unknown = fields.keys() - DependencyChanges.__optional_keys__
    if unknown:
        raise TypeError(f"Not a dependency field: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(dependency, name, value)
    return _dependency_save(dependency)


def dependency_cycle(
    *, upstream: Project, downstream: Project, ignoring: Dependency | None = None
) -> list[Project]:
    """The cycle an edge upstream → downstream would close, from upstream back to it; [] if none.

    1. Load every edge in one query (the graph is of projects, so small), leaving out the
       edge being edited.
    2. Search breadth first from downstream along upstream → downstream edges.
    3. Reaching upstream means upstream → downstream → … → upstream: a cycle (the shortest).
    Run it under the graph lock (_lock_dependency_graph): otherwise another writer can close
    a cycle between this search and the save.
    """
    edges = Dependency.objects.values_list("upstream_id", "downstream_id")
    if ignoring is not None and ignoring.pk is not None:
        edges = edges.exclude(pk=ignoring.pk)
    path = _path(edges, start=downstream.pk, goal=upstream.pk)
    if path is None:
        return []
    projects = Project.objects.in_bulk(path)
    return [upstream, *(projects[pk] for pk in path)]


def _dependency_save(dependency: Dependency) -> Dependency:
    with transaction.atomic():
        _lock_dependency_graph()
        # Field rules first (self-dependency, duplicate pair, milestones): they read the
        # graph too, so they also run under the lock.
        dependency.full_clean()
        cycle = dependency_cycle(
            upstream=dependency.upstream, downstream=dependency.downstream, ignoring=dependency
        )
        if cycle:
            names = " → ".join(str(project) for project in cycle)
            raise ValidationError(
                {"upstream": ValidationError(f"This would create a cycle: {names}", code="cycle")}
            )
        dependency.save()
    return dependency


def _lock_dependency_graph() -> None:
    """Let one writer at a time change the dependency graph, until its transaction ends.

    Under READ COMMITTED, requests adding A → B and B → A at once each see an acyclic graph
    and both commit: a cycle. No row lock can prevent it, since neither edge exists yet, so
    the graph as a whole is locked. SQLite (the quick start) admits one writer at a time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DEPENDENCY_GRAPH_LOCK_KEY])


def _path(edges: Iterable[tuple[int, int]], *, start: int, goal: int) -> list[int] | None:
    """The shortest path start → … → goal along the edges, both ends included, or None."""
    following: dict[int, list[int]] = defaultdict(list)
    for upstream_id, downstream_id in edges:
        following[upstream_id].append(downstream_id)
    came_from: dict[int, int | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (previous := came_from[path[-1]]) is not None:
                path.append(previous)
            return path[::-1]
        for successor in following[node]:
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    return None


# Allocations ----------------------------------------------------------------------------


def allocation_save(*, allocation: Allocation) -> Allocation:
    """Validate and save a booking; two overlapping bookings at once cannot both pass.

    1. Lock the person's row, so concurrent bookings of one person run one after the other
       and each overlap check sees the bookings committed before it.
    2. full_clean() (dates, percent or hours, overlap) and save.
    3. Should a writer that skipped step 1 slip a clashing row in, PostgreSQL's exclusion
       constraint refuses it: report that as the same error on start_date.
    4. Count the person's load in the booking's weeks over every project; when it goes
       above capacity and the portfolio's policy refuses that, roll the save back. (Still
       under the lock: two bookings at once cannot both fit in the last free hours.) The
       warning otherwise is left in `allocation.overbooking_on_save`, for the caller to
       show, so the load is counted once per save.
    """
    adding = allocation._state.adding
    with transaction.atomic():
        if allocation.person_id is not None:
            _lock_person(allocation.person_id)
        allocation.full_clean()
        try:
            with transaction.atomic():  # a savepoint, so the outer transaction survives
                allocation.save()
        except IntegrityError as error:
            if ALLOCATION_OVERLAP_CONSTRAINT not in str(error):
                raise
            message = allocation.overlap_message() or (
                f"{allocation.person} is already booked on this project for some of these dates."
            )
            raise ValidationError(
                {"start_date": ValidationError(message, code="overlap")}
            ) from error
        allocation.overbooking_on_save = allocation.overbooking_warning()
        try:
            _refuse_overbooking_if_policy_says(allocation)
        except ValidationError:
            if adding:  # rolled back: the form or caller holds an unsaved booking again
                allocation.pk, allocation._state.adding = None, True
            raise
    return allocation


def _refuse_overbooking_if_policy_says(allocation: Allocation) -> None:
    """Under a portfolio policy that refuses over-bookings, undo the save (the caller's
    transaction rolls back) with the reason on the field that sets the load."""
    policy = allocation.project.portfolio.policy
    if policy.overbooking != HealthPolicy.Overbooking.REFUSE:
        return
    if warning := allocation.overbooking_on_save:
        field = "percent" if allocation.percent is not None else "hours_per_week"
        reason = f"{warning} {allocation.project.portfolio}'s policy refuses over-bookings."
        raise ValidationError({field: ValidationError(reason, code="overbooked")})


def _lock_person(person_id: int) -> None:
    # FOR NO KEY UPDATE: blocks other bookings' locks, but not rows that merely reference
    # the person (reports, risks), whose foreign-key checks take FOR KEY SHARE.
    list(Person.objects.select_for_update(no_key=True).filter(pk=person_id).values_list("pk"))


CHANGE_REASON_LENGTH = 100  # django-simple-history's history_change_reason


class StaleSuggestion(Exception):
    """The suggestion is offered no more: the bookings or loads it was made from moved."""


@dataclass(frozen=True)
class Levelled:
    suggestion: Suggestion
    allocations: list[Allocation]  # the rows written, the booking's own first


def allocation_level(*, allocation: Allocation, key: str, today: date) -> Levelled:
    """Apply the levelling suggestion offered under `key` for this booking.

    1. Lock the booking's person, then rank their suggestions again from what is saved now
       (another booking may have landed since the page was drawn): a key offered no more
       raises StaleSuggestion, and nothing is written.
    2. Write the pieces that replace the booking through allocation_save (its own locks,
       checks and history, so each is an ordinary audited booking): the booking's own row
       first, shrunk or moved, then any new rows, so no two overlap on the way.
    """
    with transaction.atomic():
        _lock_person(allocation.person_id)
        suggestion = find_suggestion(key, allocation.person_id, today)
        if suggestion is None or suggestion.booking.id != allocation.pk:
            raise StaleSuggestion(key)
        ordered = sorted(suggestion.pieces, key=lambda piece: piece.booking_id is None)
        # The history keeps why each row changed, in the 100 characters its column holds.
        reason = f"Levelling: {suggestion.summary}"[:CHANGE_REASON_LENGTH]
        written = []
        for piece in ordered:
            row = allocation if piece.booking_id == allocation.pk else Allocation()
            _fill(row, piece)
            row._change_reason = reason  # type: ignore[attr-defined]
            written.append(allocation_save(allocation=row))
    return Levelled(suggestion, written)


def _fill(row: Allocation, piece: Piece) -> None:
    row.person_id, row.project_id = piece.person_id, piece.project_id
    row.start_date, row.finish_date = piece.start, piece.finish
    if piece.percent is not None:
        row.percent, row.hours_per_week = piece.percent, None
    else:
        row.percent = None
        row.hours_per_week = piece.weekly_hours.quantize(Decimal("0.1"))


# Risks and issues -------------------------------------------------------------------------

RegisterItem = TypeVar("RegisterItem", Risk, Issue)


def risk_escalate(*, risk: Risk) -> Risk:
    """Escalate a project's risk to the project's programme; it keeps its project."""
    return _escalate(risk)


def issue_escalate(*, issue: Issue) -> Issue:
    """Escalate a project's issue to the project's programme; it keeps its project."""
    return _escalate(issue)


def _escalate(item: RegisterItem) -> RegisterItem:
    """Set the programme and escalated_at on a fresh, locked copy of the item, and return it.

    Locking and re-reading means two clicks at once escalate once, and the second is told so.
    The caller's copy gets the same two fields, so it reads as escalated too.
    """
    with transaction.atomic():
        locked = type(item).objects.select_for_update().get(pk=item.pk)
        _refuse_unless_escalatable(locked)
        assert locked.project is not None  # checked above; narrows the type
        locked.programme = locked.project.programme
        locked.escalated_at = timezone.now()
        locked.save(update_fields=["programme", "escalated_at"])
        item_escalated.send(sender=type(locked), item=locked)
    item.programme, item.escalated_at = locked.programme, locked.escalated_at
    return locked


def _refuse_unless_escalatable(item: Risk | Issue) -> None:
    what = item._meta.verbose_name
    if item.project is None:
        message = f"Only a {what} raised on a project can be escalated."
    elif item.escalated_at is not None:
        when = dateformat.format(timezone.localtime(item.escalated_at), "j M Y")
        message = f"This {what} was already escalated to {item.programme} on {when}."
    elif item.project.programme_id is None:
        message = f"{item.project} is in no programme, so there is nowhere to escalate to."
    else:
        return
    raise ValidationError({"programme": ValidationError(message, code="not_escalatable")})


# Plan moves (what-if scenarios apply these) ------------------------------------------------


def project_move(
    *, project: Project, days: int, today: date, user: AnyUser | None = None, reason: str = ""
) -> Project:
    """Move a project later by `days` calendar days, whole: its start (when still to come),
    its forecast finish, its open milestones' forecasts and its bookings not yet finished (a
    booking under way keeps its start). Each row is saved and audited on its own, so health
    and history follow as for any edit."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        later = timedelta(days=days)
        if project.baseline_start is not None and project.baseline_start >= today:
            project.baseline_start += later
            project.baseline_finish = max(project.baseline_finish, project.baseline_start)
        project.forecast_finish = (project.forecast_finish or project.baseline_finish) + later
        audit(project, user=user, reason=reason)
        project.full_clean()
        project.save()
        for milestone in project.milestones.open():
            milestone.forecast_date = (milestone.forecast_date or milestone.baseline_date) + later
            audit(milestone, user=user, reason=reason)
            milestone.save()
        # Latest first: a booking moved later never meets one not yet moved.
        bookings = project.allocations.filter(finish_date__gte=today).order_by("-start_date")
        for booking in bookings.select_related("person", "project__portfolio"):
            if booking.start_date >= today:
                booking.start_date += later
            booking.finish_date += later
            audit(booking, user=user, reason=reason)
            allocation_save(allocation=booking)
    return project


def project_cancel(
    *, project: Project, today: date, user: AnyUser | None = None, reason: str = ""
) -> Project:
    """Cancel a project: closed, and its bookings end yesterday (those still to start go)."""
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        project.stage = Project.Stage.CLOSED
        audit(project, user=user, reason=reason)
        project.save()
        for booking in project.allocations.filter(finish_date__gte=today):
            audit(booking, user=user, reason=reason)
            if booking.start_date >= today:
                booking.delete()
            else:
                booking.finish_date = today - timedelta(days=1)
                booking.save()
    return project


def allocation_remove(
    *, allocation: Allocation, user: AnyUser | None = None, reason: str = ""
) -> None:
    audit(allocation, user=user, reason=reason)
    allocation.delete()
