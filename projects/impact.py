"""The impact engine's graph, read from the database, and what a user may see of a result.

`read_impact_graph` reads every active project, milestone, dependency and benefit (across
programmes and portfolios: a slip does not stop at a boundary) in four queries, as plain
values, now or as they stood at a past moment, and hands them to `portfolio.core.impact`,
which computes; `impact_graph` is today's, kept until a write to the plan moves it.
`ImpactReport` groups a result by programme and keeps out what the user may not see
(counted, not named).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

from portfolio.core import impact, pagecache
from portfolio.core.impact import Change, Graph, Link, Move, Node
from portfolio.core.queue import publish
from programmes.models import Benefit, Programme
from projects.models import Dependency, DerivedForecast, Milestone, Project, StatusReport

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portfolio.core.roles import AnyUser

_DONE = (Project.Stage.CLOSED,)


# The page-cache scope every write to the plan moves (`portfolio.health.scopes`): projects,
# milestones, dependencies, benefits and programmes, whichever portfolio they are in.
PLAN = "plan"


def impact_graph() -> Graph:
    """The whole plan as the engine's graph, as it stands now: read once per version of the
    plan (`pagecache.kept`), then shared by every process until a write to the plan moves
    it. Read-only: the engine never changes a graph, and neither may its callers."""
    return pagecache.kept("impact-graph", [PLAN], read_impact_graph)


def read_impact_graph(moment: datetime | None = None) -> Graph:
    """The whole plan as the engine's graph, read from the database in four queries: now, or
    as it stood at `moment` (the history tables; benefits left out there, as they have no
    history).

    1. Each active project gives a start (its baseline start) and a finish (its forecast,
       else its baseline finish); a closed project's dates are fixed.
    2. Each milestone gives a node on its expected date (actual, else forecast, else
       baseline); one reached (an actual date) is fixed.
    3. A project's own dates are chained in order (`impact.plan_links`).
    4. A dependency joins its pinned milestones, else the ends its kind names (finish to
       start, start to start, finish to finish), with its lag in working days.
    """
    rows = _PlanRows(moment)
    nodes: dict[str, Node] = {}
    by_project: dict[int, list[Node]] = defaultdict(list)
    projects = rows.projects().values_list(
        "id",
        "name",
        "programme_id",
        "programme__name",
        "baseline_start",
        "baseline_finish",
        "forecast_finish",
        "stage",
    )
    labels: dict[int, tuple[str, int | None, str]] = {}
    for pk, name, programme, programme_name, start, baseline, forecast, stage in projects:
        labels[pk] = (name, programme, programme_name or "")
        fixed = stage in _DONE
        ends = (
            Node(
                impact.project_start(pk),
                "Start",
                pk,
                name,
                programme,
                labels[pk][2],
                start,
                fixed,
                start,
            ),
            Node(
                impact.project_finish(pk),
                "Finish",
                pk,
                name,
                programme,
                labels[pk][2],
                forecast or baseline,
                fixed,
                baseline,
            ),
        )
        nodes.update((node.id, node) for node in ends)
        by_project[pk] = list(ends)
    milestones = (
        rows.milestones()
        .filter(project_id__in=labels)
        .values_list("id", "project_id", "name", "baseline_date", "forecast_date", "actual_date")
    )
    for pk, project, name, baseline, forecast, actual in milestones.order_by("id"):
        node = Node(
            impact.milestone(pk),
            name,
            project,
            labels[project][0],
            labels[project][1],
            labels[project][2],
            actual or forecast or baseline,
            actual is not None,
            baseline,
        )
        nodes[node.id] = node
        by_project[project].insert(-1, node)
    links: list[Link] = []
    for own in by_project.values():
        middle = sorted(own[1:-1], key=lambda node: (node.on or date.max, node.id))
        links += impact.plan_links([own[0], *middle, own[-1]])
    links += [link for link in _dependency_links(rows) if link.upstream in nodes]
    benefits = _benefits() if moment is None else []
    return Graph(nodes, [link for link in links if link.downstream in nodes], benefits)


@dataclass(frozen=True)
class _PlanRows:
    """The plan's tables now, or their history rows as they stood at `moment` (the same
    fields: a history row keeps its row's `id`)."""

    moment: datetime | None

    def projects(self) -> QuerySet[Any]:
        if self.moment is None:
            return Project.objects.active()
        return Project.history.as_of(self.moment).filter(archived_at__isnull=True)

    def milestones(self) -> QuerySet[Any]:
        if self.moment is None:
            return Milestone.objects.all()
        return Milestone.history.as_of(self.moment)

    def dependencies(self) -> QuerySet[Any]:
        if self.moment is None:
            return Dependency.objects.all()
        return Dependency.history.as_of(self.moment)


def _dependency_links(rows: _PlanRows) -> Iterable[Link]:
    found = rows.dependencies().values_list(
        "id",
        "upstream_id",
        "downstream_id",
        "upstream_milestone_id",
        "downstream_milestone_id",
        "kind",
        "lag_days",
    )
    for pk, upstream, downstream, upstream_milestone, downstream_milestone, kind, lag in found:
        if upstream_milestone is not None:
            source = impact.milestone(upstream_milestone)
        elif kind == Dependency.Kind.START_TO_START:
            source = impact.project_start(upstream)
        else:
            source = impact.project_finish(upstream)
        if downstream_milestone is not None:
            target = impact.milestone(downstream_milestone)
        elif kind == Dependency.Kind.FINISH_TO_FINISH:
            target = impact.project_finish(downstream)
        else:
            target = impact.project_start(downstream)
        yield Link(source, target, lag=lag, kind=kind, dependency_id=pk)


def _benefits() -> list[impact.Benefit]:
    rows = Benefit.objects.filter(programme__archived_at__isnull=True).values_list(
        "pk", "name", "programme_id", "target_date"
    )
    return [impact.Benefit(pk, name, programme, target) for pk, name, programme, target in rows]


# What a user sees of a result ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A node of a chain as the user may see it: `project_id` None (and a vague label) for
    a project they cannot see."""

    node: str
    project_id: int | None
    label: str


@dataclass(frozen=True)
class Row:
    move: Move
    chain: list[Step]

    @property
    def chain_text(self) -> str:
        return " → ".join(step.label for step in self.chain)


@dataclass
class ProgrammeGroup:
    """The moves of one programme (or of standalone projects, `programme_id` None)."""

    programme_id: int | None
    label: str
    rows: list[Row] = field(default_factory=list)

    @property
    def projects(self) -> int:
        return len({row.move.node.project_id for row in self.rows})


@dataclass
class ImpactReport:
    groups: list[ProgrammeGroup]
    benefits: list[impact.BenefitHit]
    hidden_moves: int
    hidden_benefits: int
    graph: Graph
    visible_projects: frozenset[int]

    @property
    def moved(self) -> int:
        return sum(len(group.rows) for group in self.groups)

    def is_empty(self) -> bool:
        return not (self.moved or self.hidden_moves)

    @property
    def projects(self) -> int:
        return sum(group.projects for group in self.groups)


def _shown_projects(user: AnyUser) -> frozenset[int]:
    """The projects whose moves a user sees named: those they may read, and those joined to
    one by a dependency (as the dependency tables and the programme roadmap show them)."""
    readable = Project.objects.visible_to(user).values_list("pk", flat=True)
    linked = Dependency.objects.visible_to(user).values_list("upstream_id", "downstream_id")
    return frozenset(readable) | {pk for pair in linked for pk in pair}


def impact_report(user: AnyUser, changes: list[Change], graph: Graph | None = None) -> ImpactReport:
    """What the changes move, grouped by programme, as this user may see it: moves in
    projects they cannot see (`_shown_projects`), and benefits of programmes they neither
    read nor see a move in, are counted only."""
    graph = graph or impact_graph()
    result = impact.forward_pass(graph, changes)
    visible = _shown_projects(user)
    programmes = set(Programme.objects.visible_to(user).values_list("pk", flat=True))
    groups: dict[int | None, ProgrammeGroup] = {}
    hidden = 0
    for move in result.moved():
        if move.node.project_id not in visible:
            hidden += 1
            continue
        key = move.node.programme_id
        label = move.node.programme_label or "Projects outside a programme"
        row = Row(move, [_step(graph.nodes[n], visible) for n in move.chain])
        groups.setdefault(key, ProgrammeGroup(key, label)).rows.append(row)
    # A benefit is named where its programme is readable, or shows a move named above.
    programmes |= {key for key in groups if key is not None}
    hits = impact.benefits_hit(graph, result)
    shown = [hit for hit in hits if hit.benefit.programme_id in programmes]
    return ImpactReport(
        groups=sorted(groups.values(), key=lambda g: (g.programme_id is None, g.label)),
        benefits=shown,
        hidden_moves=hidden,
        hidden_benefits=len(hits) - len(shown),
        graph=graph,
        visible_projects=visible,
    )


def _step(node: Node, visible: frozenset[int]) -> Step:
    """A step of a chain ("Project A: Finish"); one through a project the user may not see
    is named only as that."""
    if node.project_id not in visible:
        return Step(node.id, None, "a project you cannot see")
    return Step(node.id, node.project_id, f"{node.project_label}: {node.label}")


# Derived forecasts ------------------------------------------------------------------------


# The registered name of `projects.tasks.refresh_derived_forecasts`.
REFRESH_DERIVED_FORECASTS = "projects.refresh_derived_forecasts"


def derived_forecasts_requested(sender: type[Model], instance: Model, **_: Any) -> None:
    """A write that can move a slip (a project's forecast, a milestone, a dependency, a
    submitted report that gives its project a new forecast finish): refresh the derived
    forecasts once the transaction commits, once per transaction however many rows it
    writes. The refresh reads the whole plan (about a second at the L size), so a weekly
    report that moves no date asks for none."""
    if isinstance(instance, StatusReport) and not _moves_project_forecast(instance):
        return
    # Once per transaction: a callback already waiting for this commit covers this row too
    # (a rolled-back savepoint takes its callbacks with it, so none is lost).
    waiting = transaction.get_connection().run_on_commit
    if not any(func is _publish_refresh for _savepoints, func, _robust in waiting):
        transaction.on_commit(_publish_refresh)


def _moves_project_forecast(report: StatusReport) -> bool:
    """A submitted report's forecast finish is copied onto its project (read before the
    copy: post_save of the report comes first); a draft, or the same date, moves nothing."""
    if report.state != StatusReport.State.SUBMITTED or report.forecast_finish is None:
        return False
    unchanged = Project.objects.filter(
        pk=report.project_id, forecast_finish=report.forecast_finish
    ).exists()
    return not unchanged


# One refresh queued at a time: it reads the whole plan when it starts, so the writes that
# commit before then need no refresh of their own. The refresh lets go of the mark as it
# starts; a mark whose job was lost expires (a refresh twice is harmless).
_QUEUED = "derived-forecasts:queued"
_QUEUED_SECONDS = 60


def _publish_refresh() -> None:
    try:
        first = bool(cache.add(_QUEUED, 1, timeout=_QUEUED_SECONDS))
    except Exception:  # no cache: publish every time
        first = True
    if first and not publish(REFRESH_DERIVED_FORECASTS):
        _let_go_of_queued()


def _let_go_of_queued() -> None:
    try:
        cache.delete(_QUEUED)
    except Exception:
        logger.warning("derived forecasts: cannot clear the queued mark", exc_info=True)


def connect_derived_forecasts() -> None:
    for model in (Project, Milestone, Dependency, StatusReport):
        uid = f"derived-forecasts.{model._meta.label_lower}"
        post_save.connect(derived_forecasts_requested, sender=model, dispatch_uid=f"{uid}.saved")
        post_delete.connect(
            derived_forecasts_requested, sender=model, dispatch_uid=f"{uid}.deleted"
        )


@dataclass
class _Push:
    """What upstream slips do to one project: DerivedForecast's fields."""

    start: date | None = None
    start_pushed_days: int = 0
    finish: date | None = None
    finish_pushed_days: int = 0
    milestones_pushed: int = 0
    caused_by_id: int | None = None
    chain: str = ""

    def add(self, move: Move, graph: Graph) -> None:
        if move.node.is_milestone:
            self.milestones_pushed += 1
        elif move.node.id.endswith(":start"):
            self.start, self.start_pushed_days = move.new, move.days
        else:
            self.finish, self.finish_pushed_days = move.new, move.days
        if move.days >= max(self.start_pushed_days, self.finish_pushed_days):
            self.caused_by_id = graph.nodes[move.chain[0]].project_id
            labels = [f"{graph.nodes[n].project_label}: {graph.nodes[n].label}" for n in move.chain]
            self.chain = " → ".join(labels)[:500]


def derived_pushes(graph: Graph) -> dict[int, _Push]:
    """Where today's slips push each project they reach (project id → DerivedForecast's
    fields): the plan as baselined with every slip applied."""
    wanted: dict[int, _Push] = defaultdict(_Push)
    for move in sorted(impact.derived_dates(graph).values(), key=lambda m: m.days):
        wanted[move.node.project_id].add(move, graph)
    return dict(wanted)


def derived_forecasts_refresh() -> set[int]:
    """Store where today's slips push every project (`impact.derived_dates`), beside its
    manager's own forecast; returns the projects whose derived forecast changed.

    1. Read the graph and run the plan as baselined with every slip applied.
    2. Per project: its pushed start and finish, how many of its milestones move, and the
       slip that drives the largest push (the first project of its chain). Read afresh,
       not kept: this runs when a write commits, maybe before the plan's version moves.
    3. Write only what changed, and delete the rows of projects nothing pushes any more:
       safe to run twice or concurrently (the rows are recomputed from the source, and a
       save is a registered health input, so each changed project's health follows)."""
    _let_go_of_queued()  # a write committed from now on queues the next refresh
    wanted = derived_pushes(read_impact_graph())
    changed: set[int] = set()
    with transaction.atomic():
        existing = {
            f.project_id: f for f in DerivedForecast.objects.select_for_update().order_by("pk")
        }
        for project_id, forecast in existing.items():
            if project_id not in wanted:
                forecast.delete()
                changed.add(project_id)
        # In project order: each save asks for its project's health, and writers that lock
        # the same marks in one order never wait for each other in a cycle.
        for project_id, push in sorted(wanted.items()):
            values = asdict(push)
            forecast = existing.get(project_id) or DerivedForecast(project_id=project_id)
            if forecast.pk and all(getattr(forecast, k) == v for k, v in values.items()):
                continue
            for name, value in values.items():
                setattr(forecast, name, value)
            forecast.save()
            changed.add(project_id)
    return changed
