"""Commit a Microsoft Project plan into a project: one transaction, audited, health asked.

Rows are saved one by one through the model (milestones) and the dependency service, so the
audit history records who imported what and why, and the health inputs' own signals ask for
the recomputation of every project a row touches (portfolio.health.inputs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from portfolio.imports.mspdi.planning import DependencyChange, Preview, mspdi_preview
from portfolio.imports.mspdi.reading import Plan
from projects.models import Milestone, Project
from projects.services import dependency_create

if TYPE_CHECKING:
    from django.db.models import Model

    from portfolio.core.roles import AnyUser

REASON = "Imported from Microsoft Project"


def mspdi_import(*, project: Project, plan: Plan, user: AnyUser) -> Preview:
    """Import `plan` into `project` as its preview (made again here, under a lock) says.

    1. Lock the project row, so two imports of the same project run one after the other
       and the second sees the first's milestones (it updates rather than duplicates).
    2. Plan again inside the transaction; with errors, write nothing.
    3. Write milestones, then the dependencies pinned to them (by name: a milestone may be
       new), then the project's baseline start when the preview says so.
    A refused dependency (ValidationError from the service, e.g. a cycle closed meanwhile)
    rolls everything back.
    """
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        preview = mspdi_preview(plan=plan, project=project, user=user)
        if not preview.can_commit:
            return preview
        saved = _save_milestones(preview, user)
        for change in preview.dependencies:
            _create_dependency(change, project, saved)
        if preview.baseline is not None and preview.baseline.set_start:
            project.baseline_start = preview.baseline.start
            _audit(project, user)
            project.full_clean()
            project.save()
    return preview


def _audit(row: Model, user: AnyUser) -> None:
    # django-simple-history reads these when it records the row's history; the API's token
    # users are not seen by its request middleware, hence the user here too.
    row._history_user = user if user.is_authenticated else None  # type: ignore[attr-defined]
    row._change_reason = REASON  # type: ignore[attr-defined]


def _save_milestones(preview: Preview, user: AnyUser) -> dict[str, Milestone]:
    """Save created and changed milestones; every imported milestone by its name."""
    saved: dict[str, Milestone] = {}
    for change in preview.milestones:
        milestone = change.existing or Milestone(project=preview.project, name=change.name)
        if change.action != "unchanged":
            for name, value in change.values.items():
                setattr(milestone, name, value)
            _audit(milestone, user)
            milestone.full_clean()
            milestone.save()
        saved[change.name] = milestone
    return saved


def _create_dependency(
    change: DependencyChange, project: Project, saved: dict[str, Milestone]
) -> None:
    def pinned(side: Project, name: str) -> Milestone | None:
        if not name:
            return None
        if side.pk == project.pk:
            return saved[name]
        return side.milestones.filter(name__iexact=name).first()

    dependency_create(
        upstream=change.upstream,
        downstream=change.downstream,
        kind=change.kind,
        lag_days=change.lag_days,
        upstream_milestone=pinned(change.upstream, change.upstream_milestone),
        downstream_milestone=pinned(change.downstream, change.downstream_milestone),
        description=change.description,
    )
