"""What importing a plan into a project would change: the preview, and the commit's plan.

Milestones are matched by name within the project (case and surrounding spaces ignored), so
a re-import updates rather than duplicates, and a milestone first typed in by hand is
matched too. Links between a milestone of this project and a task of another plan (an
external task, or a link naming another file) become dependencies between the projects;
links inside the plan are the plan's own business and are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import dateformat

from portfolio.imports.mspdi.reading import (
    ELAPSED_LAG_FORMATS,
    PERCENT_LAG_FORMATS,
    Link,
    Plan,
    Task,
    project_name_of,
)
from projects.access import may_edit_project, may_link
from projects.models import Dependency, Milestone, Project
from projects.services import dependency_cycle

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

# MSPDI link types (0 FF, 1 FS, 2 SF, 3 SS); start-to-finish has no dependency kind.
KINDS = {
    0: Dependency.Kind.FINISH_TO_FINISH,
    1: Dependency.Kind.FINISH_TO_START,
    3: Dependency.Kind.START_TO_START,
}
MAX_LAG_DAYS = 365
# The fields an import sets, and how the preview names them.
FIELDS = (
    ("baseline_date", "baseline"),
    ("forecast_date", "forecast"),
    ("actual_date", "actual"),
    ("stage", "stage"),
)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _show(value: object) -> str:
    if isinstance(value, date):
        return dateformat.format(value, "j M Y")
    return str(value) if value else "—"


@dataclass
class MilestoneChange:
    name: str
    action: str  # "create", "update" or "unchanged"
    values: dict[str, Any]
    existing: Milestone | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)


@dataclass
class DependencyChange:
    upstream: Project
    downstream: Project
    upstream_milestone: str  # a name: the milestone may be created by the same commit
    downstream_milestone: str
    kind: str
    lag_days: int

    @property
    def kind_label(self) -> str:
        return str(Dependency.Kind(self.kind).label)

    @property
    def description(self) -> str:
        ends = [n for n in (self.upstream_milestone, self.downstream_milestone) if n]
        text = "Imported from Microsoft Project" + (f": {' → '.join(ends)}" if ends else "")
        return text[: Dependency._meta.get_field("description").max_length]


@dataclass
class Skipped:
    item: str
    reason: str


@dataclass
class BaselineChange:
    start: date | None
    finish: date | None
    set_start: bool
    note: str


@dataclass
class Preview:
    plan: Plan
    project: Project
    milestones: list[MilestoneChange] = field(default_factory=list)
    dependencies: list[DependencyChange] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    baseline: BaselineChange | None = None
    links_within_plan: int = 0

    def of(self, action: str) -> list[MilestoneChange]:
        return [change for change in self.milestones if change.action == action]

    @property
    def can_commit(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "create": len(self.of("create")),
            "update": len(self.of("update")),
            "unchanged": len(self.of("unchanged")),
            "dependencies": len(self.dependencies),
            "skipped": len(self.skipped),
            "errors": len(self.errors),
        }

    def as_json(self) -> dict[str, Any]:
        """The preview as the API answers it."""
        return {
            "plan": {"name": self.plan.name, "save_version": self.plan.save_version},
            "counts": self.counts(),
            "milestones": [_milestone_json(change) for change in self.milestones],
            "dependencies": [_dependency_json(change) for change in self.dependencies],
            "skipped": [{"item": s.item, "reason": s.reason} for s in self.skipped],
            "errors": list(self.errors),
            "baseline": _baseline_json(self.baseline),
            "links_within_plan": self.links_within_plan,
        }


def _milestone_json(change: MilestoneChange) -> dict[str, Any]:
    values = {k: v.isoformat() if isinstance(v, date) else v for k, v in change.values.items()}
    return {
        "name": change.name,
        "action": change.action,
        **values,
        "changes": [{"field": f, "old": old, "new": new} for f, old, new in change.changes],
    }


def _dependency_json(change: DependencyChange) -> dict[str, Any]:
    return {
        "upstream": change.upstream.pk,
        "upstream_name": change.upstream.name,
        "upstream_milestone": change.upstream_milestone,
        "downstream": change.downstream.pk,
        "downstream_name": change.downstream.name,
        "downstream_milestone": change.downstream_milestone,
        "kind": change.kind,
        "lag_days": change.lag_days,
    }


def _baseline_json(baseline: BaselineChange | None) -> dict[str, Any] | None:
    if baseline is None:
        return None
    return {
        "start": baseline.start.isoformat() if baseline.start else None,
        "finish": baseline.finish.isoformat() if baseline.finish else None,
        "sets_start": baseline.set_start,
        "note": baseline.note,
    }


def mspdi_preview(*, plan: Plan, project: Project, user: AnyUser) -> Preview:
    """What importing `plan` into `project` would change, for this user (read-only).

    1. Each milestone task is matched by name to one of the project's milestones: created,
       updated (with each field's old and new value) or unchanged.
    2. Each link between one of those and a task of another plan becomes a dependency when
       the other project and milestone are found, the user may link them, and no dependency
       of the pair exists; otherwise it is listed as skipped, with the reason.
    3. The plan's own baseline is shown; it fills the project's baseline start only when the
       project has none and the user may edit the project.
    """
    preview = Preview(plan=plan, project=project)
    if not plan.milestones:
        preview.errors.append(
            "The plan has no milestones (tasks marked as milestones in Project), so there is "
            "nothing to import into the project."
        )
    _plan_milestones(preview)
    _plan_links(preview, user)
    preview.baseline = _baseline(plan, project, user)
    return preview


# Milestones -----------------------------------------------------------------------------


def _plan_milestones(preview: Preview) -> None:
    existing: dict[str, list[Milestone]] = {}
    for milestone in preview.project.milestones.all():
        existing.setdefault(_key(milestone.name), []).append(milestone)
    seen: set[str] = set()
    for task in preview.plan.milestones:
        reason = _milestone_refusal(task, seen, existing)
        if reason:
            preview.skipped.append(Skipped(f"Milestone “{task.name or task.uid}”", reason))
            continue
        seen.add(_key(task.name))
        matches = existing.get(_key(task.name))
        preview.milestones.append(_milestone_change(task, matches[0] if matches else None))


def _milestone_refusal(task: Task, seen: set[str], existing: dict[str, list[Milestone]]) -> str:
    if not task.name:
        return f"The task with UID {task.uid} has no name, and milestones are matched by name."
    if task.planned is None and task.baseline_finish is None:
        return "It has no date in the file."
    if _key(task.name) in seen:
        return "Another milestone of the file has the same name; names must differ to match."
    if len(existing.get(_key(task.name), [])) > 1:
        return "The project has two milestones of this name; rename one to import it."
    if len(task.name) > Milestone._meta.get_field("name").max_length:  # type: ignore[operator]
        return "Its name is longer than 200 characters."
    return ""


def _milestone_change(task: Task, existing: Milestone | None) -> MilestoneChange:
    """Baseline 0's finish is the baseline; without one a new milestone takes its planned
    day, and an existing one keeps its own (a plan never baselined must not re-baseline)."""
    planned = task.planned or task.baseline_finish
    baseline = task.baseline_finish or (existing.baseline_date if existing else planned)
    values = {
        "baseline_date": baseline,
        "forecast_date": planned if planned != baseline else None,
        "actual_date": task.actual_finish,
        "stage": task.stage[: Milestone._meta.get_field("stage").max_length],
    }
    if existing is None:
        return MilestoneChange(task.name, "create", values)
    changes = [
        (label, _show(getattr(existing, name)), _show(values[name]))
        for name, label in FIELDS
        if getattr(existing, name) != values[name]
    ]
    return MilestoneChange(
        task.name, "update" if changes else "unchanged", values, existing, changes
    )


# Links ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _End:
    """One end of a cross-plan link: a project found by name, and a milestone name."""

    project: Project | None
    milestone: str
    label: str  # how the preview names it
    problem: str = ""


def _plan_links(preview: Preview, user: AnyUser) -> None:
    ours = {_key(change.name) for change in preview.milestones}
    projects = _other_projects(preview.plan, preview.project, user)
    for task in preview.plan.tasks:
        for link in task.links:
            predecessor = preview.plan.task(link.predecessor_uid)
            if not _crosses_plans(task, predecessor, link):
                preview.links_within_plan += 1
                continue
            _plan_link(preview, task, predecessor, link, ours, projects, user)


def _crosses_plans(task: Task, predecessor: Task | None, link: Link) -> bool:
    return bool(link.cross_project or task.is_external or (predecessor and predecessor.is_external))


def _other_projects(plan: Plan, project: Project, user: AnyUser) -> dict[str, list[Project]]:
    """The projects the plan's links name that the user may see, by name and by code,
    except the one imported into: one query, for the names the plan gives only."""
    paths = {task.external_project for task in plan.tasks if task.is_external}
    paths |= {link.cross_project for task in plan.tasks for link in task.links}
    names = {project_name_of(path).lower() for path in paths if path}
    if not names:
        return {}
    candidates = (
        Project.objects.visible_to(user)
        .exclude(pk=project.pk)
        .active()
        .alias(lower_name=Lower("name"), lower_code=Lower("code"))
        .filter(Q(lower_name__in=names) | Q(lower_code__in=names))
    )
    found: dict[str, list[Project]] = {}
    for other in candidates:
        for key in {_key(other.name), _key(other.code)}:
            found.setdefault(key, []).append(other)
    return found


def _plan_link(
    preview: Preview,
    task: Task,
    predecessor: Task | None,
    link: Link,
    ours: set[str],
    projects: dict[str, list[Project]],
    user: AnyUser,
) -> None:
    upstream = _end(preview, predecessor, link.cross_project, ours, projects)
    downstream = _end(preview, task, "", ours, projects)
    item = f"Link {upstream.label} → {downstream.label}"
    reason = upstream.problem or downstream.problem or _link_refusal(link, preview.plan)
    if not reason and (upstream.project is None) == (downstream.project is None):
        reason = "A dependency needs one end in this project and the other in another."
    if reason:
        preview.skipped.append(Skipped(item, reason))
        return
    change = DependencyChange(
        upstream=upstream.project or preview.project,
        downstream=downstream.project or preview.project,
        upstream_milestone=upstream.milestone,
        downstream_milestone=downstream.milestone,
        kind=KINDS[link.kind],
        lag_days=lag_days(link, preview.plan.minutes_per_day),
    )
    if refusal := _dependency_refusal(preview, change, user):
        preview.skipped.append(Skipped(item, refusal))
    else:
        preview.dependencies.append(change)


def _end(
    preview: Preview,
    task: Task | None,
    cross_project: str,
    ours: set[str],
    projects: dict[str, list[Project]],
) -> _End:
    """Which project and milestone one end of a link is: an external task or the link's
    other file names another project; a task of the plan is one of this project's."""
    path = cross_project or (task.external_project if task else "")
    if path:
        return _other_end(path, task if task and task.is_external else None, projects)
    if task is None:
        return _End(None, "", "an unknown task", "The link names a task the file does not hold.")
    label = f"“{task.name}”"
    if _key(task.name) not in ours:
        return _End(None, "", label, f"{label} is not a milestone imported into this project.")
    return _End(None, task.name, label)


def _other_end(path: str, task: Task | None, projects: dict[str, list[Project]]) -> _End:
    name = project_name_of(path)
    matches = projects.get(_key(name), [])
    label = f"“{task.name}” in {name}" if task else name or path
    if not matches:
        return _End(None, "", label, f"No project you may see is named or coded “{name}”.")
    if len(matches) > 1:
        return _End(None, "", label, f"Several projects you may see are named “{name}”.")
    project = matches[0]
    if task is None:
        return _End(project, "", label)
    if not project.milestones.filter(name__iexact=task.name.strip()).exists():
        return _End(None, "", label, f"{project} has no milestone named “{task.name}”.")
    return _End(project, task.name.strip(), label)


def _link_refusal(link: Link, plan: Plan) -> str:
    if link.kind not in KINDS:
        return "Start-to-finish links have no equivalent among dependency types."
    if link.lag_format in PERCENT_LAG_FORMATS:
        return "A lag given as a percentage of the task cannot be expressed in working days."
    if abs(lag_days(link, plan.minutes_per_day)) > MAX_LAG_DAYS:
        return f"Its lag is more than {MAX_LAG_DAYS} working days."
    return ""


def lag_days(link: Link, minutes_per_day: int) -> int:
    """The link's lag in working days. LinkLag is in tenths of a minute: of working time
    (a day being the plan's MinutesPerDay), or of calendar time for the elapsed formats,
    of which five days in seven are working days."""
    minutes = link.lag / 10
    if link.lag_format in ELAPSED_LAG_FORMATS:
        return round(minutes / (24 * 60) * 5 / 7)
    return round(minutes / minutes_per_day)


def _dependency_refusal(preview: Preview, change: DependencyChange, user: AnyUser) -> str:
    upstream, downstream = change.upstream, change.downstream
    if not may_link(user, upstream, downstream):
        return may_link.refusal
    pair = {(d.upstream, d.downstream) for d in preview.dependencies}
    if (upstream, downstream) in pair:
        return f"Another link of the file already makes {downstream} depend on {upstream}."
    if Dependency.objects.filter(upstream=upstream, downstream=downstream).exists():
        return f"{downstream} already depends on {upstream}; that dependency is kept as it is."
    if cycle := dependency_cycle(upstream=upstream, downstream=downstream):
        return "It would create a cycle: " + " → ".join(str(p) for p in cycle)
    return ""


# Baseline -------------------------------------------------------------------------------


def _baseline(plan: Plan, project: Project, user: AnyUser) -> BaselineChange | None:
    summary = plan.summary
    if summary is None:
        return None
    start = summary.baseline_start or summary.start
    finish = summary.baseline_finish or summary.finish
    if start is None and finish is None:
        return None
    note, set_start = _baseline_note(project, start, user)
    return BaselineChange(start, finish, set_start, note)


def _baseline_note(project: Project, start: date | None, user: AnyUser) -> tuple[str, bool]:
    kept = (
        f"The project's baseline ({_show(project.baseline_start)} – "
        f"{_show(project.baseline_finish)}) is kept"
    )
    if project.baseline_start is not None or start is None:
        return kept + "; change it on the project's page if the plan's is the approved one.", False
    if not may_edit_project(user, project):
        return kept + "; only the PMO sets a project's baseline.", False
    if start > project.baseline_finish:
        return kept + "; the plan starts after the project's baseline finish.", False
    return f"The project has no baseline start: it becomes {_show(start)}.", True
