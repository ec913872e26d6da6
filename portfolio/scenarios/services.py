"""Scenario writes: build one, add and remove changes, apply it to live data, discard it.

Applying is one transaction: each change is written through the owning app's service
(`projects.services`, `programmes.services`), audited with a reason naming the scenario, so
history, health requests and cached pages follow as for any edit; any failure rolls every
write back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portfolio.core.history import audit
from portfolio.scenarios.models import Scenario, ScenarioChange
from programmes.services import person_capacity_set, team_placeholders_add
from projects.models import Allocation
from projects.services import allocation_remove, allocation_save, project_cancel, project_move

if TYPE_CHECKING:
    from datetime import date

    from portfolio.core.roles import AnyUser
    from programmes.models import Portfolio, Programme


def scenario_create(
    *,
    owner: AnyUser,
    name: str,
    scope: Portfolio | Programme,
    description: str = "",
) -> Scenario:
    scenario = Scenario(name=name, description=description, owner=owner)  # type: ignore[misc]
    if scope._meta.model_name == "portfolio":
        scenario.portfolio = scope  # type: ignore[assignment]
    else:
        scenario.programme = scope  # type: ignore[assignment]
    scenario.full_clean()
    scenario.save()
    return scenario


def scenario_change_add(*, scenario: Scenario, **fields: Any) -> ScenarioChange:
    """Validate a change against the scenario's scope, record the live values it is built
    on, and save it. A move "to a date" arrives as `to_date` (the new finish) and is kept
    as days, like a delay in weeks."""
    weeks, to_date = fields.pop("weeks", None), fields.pop("to_date", None)
    change = ScenarioChange(scenario=scenario, **fields)
    if change.kind == ScenarioChange.Kind.MOVE and change.project_id is not None:
        change.days = _move_days(change, weeks, to_date)
    change.full_clean(exclude=["scenario"])
    _require_in_scope(scenario, change)
    change.base = change.live_values()
    change.save()
    Scenario.objects.filter(pk=scenario.pk).update(updated_at=timezone.now())
    return change


def _move_days(change: ScenarioChange, weeks: int | None, to_date: date | None) -> int | None:
    if (weeks is None) == (to_date is None):
        raise ValidationError({"weeks": "Give a number of weeks or a new finish date."})
    if weeks is not None:
        return int(weeks) * 7
    assert change.project is not None and to_date is not None
    finish = change.project.forecast_finish or change.project.baseline_finish
    if to_date <= finish:
        raise ValidationError(
            {"to_date": f"A move goes later: the finish is {finish:%d %b %Y} now."}
        )
    return (to_date - finish).days


def _require_in_scope(scenario: Scenario, change: ScenarioChange) -> None:
    """Projects and bookings of the scenario's portfolio or programme only."""
    projects = scenario.projects()
    if change.project_id is not None and not projects.filter(pk=change.project_id).exists():
        raise ValidationError({"project": f"Choose a project of {scenario.scope_label}."})
    if (
        change.allocation_id is not None
        and not Allocation.objects.filter(pk=change.allocation_id, project__in=projects).exists()
    ):
        raise ValidationError({"allocation": f"Choose a booking of {scenario.scope_label}."})


def scenario_change_remove(*, change: ScenarioChange) -> None:
    change.delete()


@dataclass(frozen=True)
class Conflict:
    change: ScenarioChange
    differences: list[str]


def scenario_conflicts(scenario: Scenario) -> list[Conflict]:
    """The changes whose live values changed since they were added."""
    found = []
    for change in scenario.changes.select_related("project", "person", "team"):
        if differences := change.conflicts():
            found.append(Conflict(change, differences))
    return found


class ConflictsFound(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} changes conflict with live data.")
        self.conflicts = conflicts


def scenario_apply(
    *, scenario: Scenario, user: AnyUser, confirm_conflicts: bool = False
) -> Scenario:
    """Write the scenario to live data, all or nothing.

    1. Lock the scenario; refuse unless it is a draft.
    2. List the conflicts (live values changed since each change was added); refuse with
       them (ConflictsFound) unless the caller confirms them.
    3. Write each change, in the order added, through the owning app's service, audited
       "Scenario “name”"; a refused write (a booking the policy refuses, a date out of
       order) raises its ValidationError and rolls everything back.
    4. Mark the scenario applied.
    """
    today = timezone.localdate()
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if not scenario.is_draft:
            raise ValidationError({"state": "An applied or discarded scenario is read-only."})
        conflicts = scenario_conflicts(scenario)
        if conflicts and not confirm_conflicts:
            raise ConflictsFound(conflicts)
        reason = f"Scenario “{scenario.name}”"
        for change in scenario.changes.select_related(
            "project", "allocation__person", "allocation__project__portfolio", "person", "team"
        ):
            _apply(change, today=today, user=user, reason=reason)
        scenario.state = Scenario.State.APPLIED
        scenario.applied_at = timezone.now()
        scenario.save()
    return scenario


def _apply(change: ScenarioChange, *, today: date, user: AnyUser, reason: str) -> None:
    kind = ScenarioChange.Kind
    if change.kind == kind.MOVE and change.project is not None:
        project_move(
            project=change.project, days=change.days or 0, today=today, user=user, reason=reason
        )
    elif change.kind == kind.CANCEL and change.project is not None:
        project_cancel(project=change.project, today=today, user=user, reason=reason)
    elif change.kind == kind.REMOVE_BOOKING and change.allocation is not None:
        allocation_remove(allocation=change.allocation, user=user, reason=reason)
    elif change.kind in (kind.BOOKING, kind.NEW_BOOKING):
        booking = _booking_of(change)
        audit(booking, user=user, reason=reason)
        allocation_save(allocation=booking)
    elif change.kind == kind.CAPACITY and change.person is not None:
        person_capacity_set(person=change.person, hours=change.hours, user=user, reason=reason)  # type: ignore[arg-type]
    elif change.kind == kind.PLACEHOLDER and change.team is not None:
        team_placeholders_add(
            team=change.team,
            count=change.count or 0,
            hours=change.hours,  # type: ignore[arg-type]
            label=f"{change.team}, {change.scenario.name}",
            user=user,
            reason=reason,
        )


def _booking_of(change: ScenarioChange) -> Allocation:
    live = (
        Allocation.objects.filter(pk=change.allocation_id).first() if change.allocation_id else None
    )
    if change.kind == ScenarioChange.Kind.BOOKING and live is None:
        raise ValidationError({"allocation": "The booking this change edits was removed."})
    booking = change.booking(live)
    assert booking is not None
    if live is not None:
        booking._state.adding = False
        booking._state.db = live._state.db
    return booking


def scenario_discard(*, scenario: Scenario) -> Scenario:
    with transaction.atomic():
        scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if not scenario.is_draft:
            raise ValidationError({"state": "An applied or discarded scenario is read-only."})
        scenario.state = Scenario.State.DISCARDED
        scenario.save()
    return scenario
