"""What moves if this slips: the impact engine, model-free.

A graph of dated nodes (each project's start and finish, its milestones) joined by links
(a successor may not come before its predecessor plus a lag in working days, Monday to
Friday). `projects.impact` reads it from the database; this module only computes:

- `forward_pass`: given changes ("milestone M +20 working days", "project P finish +4
  weeks"), every node that moves later, with its old and new date and the chain of links
  that carries the move;
- `critical_chain`: the chain of tight links that fixes the latest date of a set of nodes
  (a programme), for the timeline to highlight;
- `benefits_hit`: the benefits whose target date a move now overruns.

Rules, as scheduling tools use them:
1. Successors only move later; nothing is ever pulled earlier, and a node with a fixed date
   (a milestone already reached) does not move.
2. Slack first: a link whose successor lies later than it needs to absorbs that much of a
   slip before its successor moves.
3. A link that is already late stays as late as it was (health reports it); the engine
   shows what the change adds, so a change of zero moves nothing.
4. An unknown date is no constraint: a node without a date neither moves nor carries a
   move, and links to or from it are ignored.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property
from itertools import pairwise

NodeId = str

WORKING_DAYS_PER_WEEK = 5


def project_start(project_id: int) -> NodeId:
    return f"project:{project_id}:start"


def project_finish(project_id: int) -> NodeId:
    return f"project:{project_id}:finish"


def milestone(milestone_id: int) -> NodeId:
    return f"milestone:{milestone_id}"


# Working days ------------------------------------------------------------------------------


def _weekdays_up_to(day: date) -> int:
    """Weekdays from 1 January of year 1 (a Monday) up to `day`, both included."""
    weeks, rest = divmod(day.toordinal() - 1, 7)
    return weeks * WORKING_DAYS_PER_WEEK + min(rest + 1, WORKING_DAYS_PER_WEEK)


def working_days_between(first: date, last: date) -> int:
    """The weekdays after `first` up to and including `last` (negative when last < first)."""
    return _weekdays_up_to(last) - _weekdays_up_to(first)


def add_working_days(day: date, days: int) -> date:
    """The `days`-th weekday after `day` (before it when negative); `day` itself for 0."""
    if days == 0:
        return day
    weekday = day.weekday()
    if days > 0:
        if weekday >= WORKING_DAYS_PER_WEEK:  # count on from the Friday before
            day, weekday = day - timedelta(days=weekday - 4), 4
        weeks, rest = divmod(days, WORKING_DAYS_PER_WEEK)
        extra = 2 if weekday + rest >= WORKING_DAYS_PER_WEEK else 0
        return day + timedelta(days=7 * weeks + rest + extra)
    if weekday >= WORKING_DAYS_PER_WEEK:  # count back from the Monday after
        day, weekday = day + timedelta(days=7 - weekday), 0
    weeks, rest = divmod(-days, WORKING_DAYS_PER_WEEK)
    extra = 2 if weekday - rest < 0 else 0
    return day - timedelta(days=7 * weeks + rest + extra)


# The graph ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """A dated point of the plan: a project's start or finish, or one of its milestones."""

    id: NodeId
    label: str
    project_id: int
    project_label: str
    programme_id: int | None = None
    programme_label: str = ""
    on: date | None = None  # the current expected date; None when unknown
    fixed: bool = False  # reached (an actual date): it does not move
    planned: date | None = None  # the baseline, when known

    @property
    def is_milestone(self) -> bool:
        return self.id.startswith("milestone:")


@dataclass(frozen=True)
class Link:
    """`downstream` may not come before `upstream` plus `lag` working days (negative: a
    lead). `kind` is the dependency's type ("fs", "ss", "ff"), or "plan" for the order of a
    project's own dates; `dependency_id` names the dependency it comes from, if any."""

    upstream: NodeId
    downstream: NodeId
    lag: int = 0
    kind: str = "fs"
    dependency_id: int | None = None


@dataclass(frozen=True)
class Change:
    """A node's date moved later by a number of working days."""

    node: NodeId
    working_days: int

    @classmethod
    def weeks(cls, node: NodeId, weeks: int) -> Change:
        return cls(node, weeks * WORKING_DAYS_PER_WEEK)


@dataclass(frozen=True)
class Benefit:
    """A programme's benefit: it comes late when a project of its programme now finishes
    after its target date (benefits are realised by the programme's deliveries)."""

    id: int
    label: str
    programme_id: int
    target_date: date


@dataclass
class Graph:
    nodes: dict[NodeId, Node]
    links: list[Link]
    benefits: list[Benefit] = field(default_factory=list)

    @cached_property
    def outgoing(self) -> dict[NodeId, list[Link]]:
        found: dict[NodeId, list[Link]] = defaultdict(list)
        for link in self._usable_links:
            found[link.upstream].append(link)
        return found

    @cached_property
    def incoming(self) -> dict[NodeId, list[Link]]:
        found: dict[NodeId, list[Link]] = defaultdict(list)
        for link in self._usable_links:
            found[link.downstream].append(link)
        return found

    @cached_property
    def _usable_links(self) -> list[Link]:
        """Links between two known dates (rule 4)."""
        return [
            link
            for link in self.links
            if self.date_of(link.upstream) is not None and self.date_of(link.downstream) is not None
        ]

    def incoming_links(self) -> list[Link]:
        """Every link between two known dates."""
        return list(self._usable_links)

    def date_of(self, node_id: NodeId) -> date | None:
        node = self.nodes.get(node_id)
        return node.on if node else None

    def required(self, link: Link, upstream_on: date) -> date:
        """The earliest the link lets its downstream be, with the upstream on that day."""
        return add_working_days(upstream_on, link.lag)

    def slack(self, link: Link) -> int:
        """Calendar days the downstream lies beyond what the link requires today (negative
        when the link is already late)."""
        upstream, downstream = self.date_of(link.upstream), self.date_of(link.downstream)
        assert upstream is not None and downstream is not None
        return (downstream - self.required(link, upstream)).days


# The forward pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A node that moves: from `old` to `new`, carried by `chain` (the nodes from the change
    that starts it to this one, both included) through `links` (one per step)."""

    node: Node
    old: date
    new: date
    chain: tuple[NodeId, ...]
    links: tuple[Link, ...]

    @property
    def days(self) -> int:
        return (self.new - self.old).days

    @property
    def working_days(self) -> int:
        return working_days_between(self.old, self.new)


@dataclass(frozen=True)
class Impact:
    moves: dict[NodeId, Move]
    changed: frozenset[NodeId]

    def moved(self) -> list[Move]:
        """Every move but the changes themselves, earliest new date first."""
        return sorted(
            (m for m in self.moves.values() if m.node.id not in self.changed),
            key=lambda m: (m.new, m.node.id),
        )


class CycleError(ValueError):
    """The links form a cycle: the plan has no order (dependencies refuse cycles, so this
    means the graph was built wrongly)."""


def forward_pass(graph: Graph, changes: Iterable[Change]) -> Impact:
    """Every node that moves later because of the changes.

    1. Apply each change to its node (a node with no date, a fixed one or a change of zero
       or less moves nothing).
    2. Walk the nodes reachable from the changed ones in topological order; each takes the
       latest date its moved predecessors require, less what the link already lacked
       (rule 3), and moves only when that is later than its date (slack absorbs the rest).
    3. The link giving the latest requirement drives the move; the chain follows drivers
       back to a change.
    """
    new: dict[NodeId, date] = {}
    driver: dict[NodeId, Link] = {}
    for change in changes:
        node = graph.nodes.get(change.node)
        if node is None or node.on is None or node.fixed or change.working_days <= 0:
            continue
        moved = add_working_days(node.on, change.working_days)
        new[node.id] = max(new.get(node.id, node.on), moved)
    changed = frozenset(new)
    for node_id in _topological(graph, changed):
        # A changed node too: a slip upstream may push it past its own change.
        _settle(graph, node_id, new, driver)
    return Impact(
        moves={node_id: _move(graph, node_id, new, driver) for node_id in new},
        changed=changed,
    )


def _settle(
    graph: Graph, node_id: NodeId, new: dict[NodeId, date], driver: dict[NodeId, Link]
) -> None:
    node = graph.nodes[node_id]
    assert node.on is not None
    if node.fixed:
        return
    latest, carrying = new.get(node_id, node.on), None
    for link in graph.incoming.get(node_id, ()):
        if link.upstream not in new:
            continue
        lacked = max(0, -graph.slack(link))
        candidate = graph.required(link, new[link.upstream]) - timedelta(days=lacked)
        if candidate > latest:
            latest, carrying = candidate, link
    if carrying is not None:
        new[node_id], driver[node_id] = latest, carrying


def _topological(graph: Graph, sources: frozenset[NodeId]) -> list[NodeId]:
    """The nodes reachable from `sources`, each after all its reachable predecessors."""
    reachable: set[NodeId] = set()
    queue = deque(sources)
    while queue:
        node_id = queue.popleft()
        if node_id in reachable:
            continue
        reachable.add(node_id)
        queue.extend(link.downstream for link in graph.outgoing.get(node_id, ()))
    waiting = {
        node_id: sum(1 for link in graph.incoming.get(node_id, ()) if link.upstream in reachable)
        for node_id in reachable
    }
    ready = deque(sorted(n for n, count in waiting.items() if count == 0))
    order: list[NodeId] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for link in graph.outgoing.get(node_id, ()):
            waiting[link.downstream] -= 1
            if waiting[link.downstream] == 0:
                ready.append(link.downstream)
    if len(order) != len(reachable):
        raise CycleError("The plan's links form a cycle.")
    return order


def _move(
    graph: Graph, node_id: NodeId, new: dict[NodeId, date], driver: dict[NodeId, Link]
) -> Move:
    chain, links = [node_id], []
    while chain[-1] in driver:
        link = driver[chain[-1]]
        links.append(link)
        chain.append(link.upstream)
    node = graph.nodes[node_id]
    assert node.on is not None
    return Move(node, node.on, new[node_id], tuple(reversed(chain)), tuple(reversed(links)))


# The critical chain and the benefits ---------------------------------------------------------


def critical_chain(graph: Graph, node_ids: Iterable[NodeId]) -> list[Node]:
    """The chain that fixes the latest date among these nodes (a programme's), first node
    first: from that node, step back through the tightest incoming link while it has no
    slack. It may leave the set: a programme's finish may hang on another's milestone."""
    dated = [graph.nodes[n] for n in node_ids if graph.date_of(n) is not None]
    if not dated:
        return []
    current = max(dated, key=lambda node: (node.on, node.id))
    chain, seen = [current], {current.id}
    while True:
        links = graph.incoming.get(current.id, ())
        tight = min(links, key=lambda link: (graph.slack(link), link.upstream), default=None)
        if tight is None or graph.slack(tight) > 0 or tight.upstream in seen:
            return list(reversed(chain))
        current = graph.nodes[tight.upstream]
        chain.append(current)
        seen.add(current.id)


@dataclass(frozen=True)
class BenefitHit:
    benefit: Benefit
    by: Move  # the latest of its programme's finishes that now overruns the target


def benefits_hit(graph: Graph, impact: Impact) -> list[BenefitHit]:
    """The benefits whose target date a project finish of their programme now overruns,
    having been on or before it."""
    late_finish: dict[int, Move] = {}
    for move in impact.moves.values():
        programme = move.node.programme_id
        if programme is None or not move.node.id.endswith(":finish"):
            continue
        if programme not in late_finish or move.new > late_finish[programme].new:
            late_finish[programme] = move
    hits = []
    for benefit in graph.benefits:
        late = late_finish.get(benefit.programme_id)
        if late is not None and late.old <= benefit.target_date < late.new:
            hits.append(BenefitHit(benefit, late))
    return hits


def derived_dates(graph: Graph) -> dict[NodeId, Move]:
    """Where today's slips push the nodes that have not slipped themselves: the plan as
    baselined, every slip (a current date later than its baseline) applied as a change, and
    the forward pass. A node appears when it is pushed past its own current date, its
    manager's forecast, which this never replaces; `Move.old` is that current date."""
    planned = Graph(
        {
            node_id: replace(node, on=node.planned, fixed=False)
            for node_id, node in graph.nodes.items()
            if node.planned is not None
        },
        [link for link in graph.links if link.kind != "plan"],
    )
    planned.links += plan_links_of(planned)
    slips = [
        Change(node.id, working_days_between(node.planned, node.on))
        for node in graph.nodes.values()
        if node.planned is not None and node.on is not None and node.on > node.planned
    ]
    found = {}
    impact = forward_pass(planned, slips)
    for move in impact.moved():
        current = graph.date_of(move.node.id)
        if current is not None and move.new > current and not graph.nodes[move.node.id].fixed:
            found[move.node.id] = replace(move, node=graph.nodes[move.node.id], old=current)
    return found


def plan_links_of(graph: Graph) -> list[Link]:
    """`plan_links` for every project of a graph, its dates in order (start, milestones by
    date, finish)."""
    by_project: dict[int, list[Node]] = defaultdict(list)
    for node in graph.nodes.values():
        by_project[node.project_id].append(node)
    links = []
    for nodes in by_project.values():
        ordered = sorted(nodes, key=_plan_order)
        links += plan_links(ordered)
    return links


def _plan_order(node: Node) -> tuple[int, date, NodeId]:
    rank = 0 if node.id.endswith(":start") else 2 if node.id.endswith(":finish") else 1
    return (rank, node.on or date.max, node.id)


def plan_links(nodes: Sequence[Node]) -> list[Link]:
    """A project's own order: start, its milestones by date, finish, each held at its
    present distance from the one before (in working days), so a slip inside a project
    carries on to everything after it. Nodes without a date are left out (rule 4)."""
    dated = [node for node in nodes if node.on is not None]
    links = []
    for before, after in pairwise(dated):
        assert before.on is not None and after.on is not None
        gap = working_days_between(before.on, after.on)
        links.append(Link(before.id, after.id, lag=gap, kind="plan"))
    return links
