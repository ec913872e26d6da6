"""The impact engine's graph, read from the database, and what a user may see of a result.

`impact_graph` reads every active project, milestone, dependency and benefit (across
programmes and portfolios: a slip does not stop at a boundary) in four queries, as plain
values, and hands them to `portfolio.core.impact`, which computes. `ImpactReport` groups
a result by programme and keeps out what the user may not see (counted, not named).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from portfolio.core import impact
from portfolio.core.impact import Change, Graph, Link, Move, Node
from programmes.models import Benefit, Programme
from projects.models import Dependency, Milestone, Project

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portfolio.core.roles import AnyUser

_DONE = (Project.Stage.CLOSED,)


def impact_graph() -> Graph:
    """The whole plan as the engine's graph, in four queries.

    1. Each active project gives a start (its baseline start) and a finish (its forecast,
       else its baseline finish); a closed project's dates are fixed.
    2. Each milestone gives a node on its expected date (actual, else forecast, else
       baseline); one reached (an actual date) is fixed.
    3. A project's own dates are chained in order (`impact.plan_links`).
    4. A dependency joins its pinned milestones, else the ends its kind names (finish to
       start, start to start, finish to finish), with its lag in working days.
    """
    nodes: dict[str, Node] = {}
    by_project: dict[int, list[Node]] = defaultdict(list)
    projects = Project.objects.active().values_list(
        "pk",
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
                impact.project_start(pk), "Start", pk, name, programme, labels[pk][2], start, fixed
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
            ),
        )
        nodes.update((node.id, node) for node in ends)
        by_project[pk] = list(ends)
    milestones = Milestone.objects.filter(project_id__in=labels).values_list(
        "pk", "project_id", "name", "baseline_date", "forecast_date", "actual_date"
    )
    for pk, project, name, baseline, forecast, actual in milestones.order_by("pk"):
        node = Node(
            impact.milestone(pk),
            name,
            project,
            labels[project][0],
            labels[project][1],
            labels[project][2],
            actual or forecast or baseline,
            actual is not None,
        )
        nodes[node.id] = node
        by_project[project].insert(-1, node)
    links: list[Link] = []
    for own in by_project.values():
        middle = sorted(own[1:-1], key=lambda node: (node.on or date.max, node.id))
        links += impact.plan_links([own[0], *middle, own[-1]])
    links += [link for link in _dependency_links() if link.upstream in nodes]
    return Graph(nodes, [link for link in links if link.downstream in nodes], _benefits())


def _dependency_links() -> Iterable[Link]:
    rows = Dependency.objects.values_list(
        "pk",
        "upstream_id",
        "downstream_id",
        "upstream_milestone_id",
        "downstream_milestone_id",
        "kind",
        "lag_days",
    )
    for pk, upstream, downstream, upstream_milestone, downstream_milestone, kind, lag in rows:
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
