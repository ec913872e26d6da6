"""Re-baselining a project at an approval point (projects.models.baselines says what is
kept). Raises django.core.exceptions.ValidationError keyed by field, like projects.services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects.models import Baseline, BaselineMilestone, Milestone, Project
from projects.models.baselines import ORIGINAL_NAME

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

ORIGINAL_REASON = "The baseline the project had before it was first re-baselined."


@dataclass(frozen=True)
class NewBaseline:
    """What a re-baseline approves. With `from_forecasts`, the open milestones and the
    finish take their current forecasts; otherwise the dates given (a milestone left out
    of `milestone_dates` keeps its baseline; a start or finish left None keeps the
    project's)."""

    name: str
    reason: str
    from_forecasts: bool = True
    baseline_start: date | None = None
    baseline_finish: date | None = None
    milestone_dates: Mapping[int, date] = field(default_factory=dict)


def _snapshot(
    project: Project, milestones: list[Milestone], *, number: int, **fields: Any
) -> Baseline:
    baseline = Baseline.objects.create(
        project=project,
        number=number,
        baseline_start=project.baseline_start,
        baseline_finish=project.baseline_finish,
        **fields,
    )
    BaselineMilestone.objects.bulk_create(
        BaselineMilestone(baseline=baseline, milestone=m, baseline_date=m.baseline_date)
        for m in milestones
    )
    return baseline


def _check(change: NewBaseline, project: Project) -> None:
    errors: dict[str, str] = {}
    if not change.name.strip():
        errors["name"] = "Name the approval point, e.g. “Gate 2 approval”."
    if not change.reason.strip():
        errors["reason"] = "Say why the plan changes: a new baseline needs a reason."
    start = change.baseline_start or project.baseline_start
    finish = change.baseline_finish or project.baseline_finish
    if start is not None and finish < start:
        errors["baseline_finish"] = "The baseline finish cannot be before the baseline start."
    forecast = project.forecast_finish
    if start is not None and forecast is not None and forecast < start:
        errors["baseline_start"] = (
            "The baseline start cannot be after the forecast finish "
            f"({forecast:%d %b %Y}); change the forecast first."
        )
    if errors:
        raise ValidationError(errors)


def _new_milestone_date(milestone: Milestone, change: NewBaseline) -> date:
    # A milestone reached keeps the baseline it was reached against: re-planning does not
    # rewrite what has been delivered.
    if change.from_forecasts:
        if milestone.actual_date is None and milestone.forecast_date is not None:
            return milestone.forecast_date
        return milestone.baseline_date
    return change.milestone_dates.get(milestone.pk, milestone.baseline_date)


def project_rebaseline(*, project: Project, change: NewBaseline, user: AnyUser) -> Baseline:
    """Approve a new baseline for the project, keeping every earlier one.

    1. Lock the project, so two approvals at once get consecutive numbers.
    2. A project without any baseline yet (made after named baselines came in) first gets
       baseline 1, "Original", from its live fields: the earlier plan is never lost.
    3. Write the new dates into the live baseline fields with ordinary saves, so history
       records them and health, slippage and the pages follow (the registered health
       inputs request a recomputation on commit).
    4. Snapshot those fields as the next baseline, with who approved it, when and why."""
    _check(change, project)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        milestones = list(project.milestones.all())
        if not Baseline.objects.of(project).exists():
            _snapshot(project, milestones, number=1, name=ORIGINAL_NAME, reason=ORIGINAL_REASON)
        if change.from_forecasts:
            project.baseline_finish = project.forecast_finish or project.baseline_finish
        else:
            project.baseline_start = change.baseline_start or project.baseline_start
            project.baseline_finish = change.baseline_finish or project.baseline_finish
        project.save()
        for milestone in milestones:
            new_date = _new_milestone_date(milestone, change)
            if new_date != milestone.baseline_date:
                milestone.baseline_date = new_date
                milestone.save(update_fields=["baseline_date"])
        approver = user if getattr(user, "is_authenticated", False) else None
        return _snapshot(
            project,
            milestones,
            number=Baseline.objects.next_number(project),
            name=change.name.strip(),
            reason=change.reason.strip(),
            approved_by=approver,
            approved_at=timezone.now(),
        )
