"""Properties of the impact engine (hypothesis), then a few worked examples."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from portfolio.core.impact import (
    Benefit,
    Change,
    Graph,
    Link,
    Node,
    add_working_days,
    benefits_hit,
    critical_chain,
    forward_pass,
    milestone,
    plan_links,
    project_finish,
    project_start,
    working_days_between,
)

MONDAY = date(2027, 1, 4)
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@st.composite
def graphs(draw: st.DrawFn, feasible: bool = False) -> Graph:
    """Up to 12 nodes in a random order with links only from earlier to later ones (so
    acyclic), some dates unknown, some nodes fixed. `feasible`: every link is met today."""
    count = draw(st.integers(min_value=1, max_value=12))
    nodes = []
    for index in range(count):
        on = draw(st.one_of(st.none(), st.dates(MONDAY, MONDAY + timedelta(days=400))))
        nodes.append(
            Node(
                id=milestone(index),
                label=f"M{index}",
                project_id=index % 4,
                project_label=f"P{index % 4}",
                programme_id=index % 2,
                on=on,
                fixed=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    pairs = [(a, b) for a in range(count) for b in range(a + 1, count)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=20)) if pairs else []
    links = [
        Link(milestone(a), milestone(b), lag=draw(st.integers(min_value=-10, max_value=30)))
        for a, b in chosen
    ]
    graph = Graph({n.id: n for n in nodes}, links)
    if feasible:
        assume(all(graph.slack(link) >= 0 for link in graph.incoming_links()))
    return graph


def changes_for(graph: Graph) -> st.SearchStrategy[list[Change]]:
    return st.lists(
        st.builds(
            Change,
            node=st.sampled_from(sorted(graph.nodes)),
            working_days=st.integers(min_value=0, max_value=120),
        ),
        max_size=3,
    )


def _new_dates(graph: Graph, changes: list[Change]) -> dict[str, date]:
    impact = forward_pass(graph, changes)
    return {
        node_id: impact.moves[node_id].new if node_id in impact.moves else node.on
        for node_id, node in graph.nodes.items()
        if node.on is not None
    }


@given(days, st.integers(min_value=-400, max_value=400))
def test_adding_working_days_lands_that_many_working_days_away(day: date, n: int) -> None:
    landed = add_working_days(day, n)
    assert (landed > day) == (n > 0) and (landed < day) == (n < 0)
    if n != 0:
        assert landed.weekday() < 5
    if n > 0 or day.weekday() < 5:
        assert working_days_between(day, landed) == n


@given(st.data())
def test_no_successor_lies_before_its_predecessor_plus_lag_when_it_did_not_before(
    data: st.DataObject,
) -> None:
    graph = data.draw(graphs(feasible=True))
    changes = data.draw(changes_for(graph))
    dates = _new_dates(graph, changes)
    for link in graph.incoming_links():
        if graph.nodes[link.downstream].fixed:
            continue
        assert dates[link.downstream] >= add_working_days(dates[link.upstream], link.lag)


@given(st.data())
def test_a_late_link_stays_no_later_than_it_was(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    changes = data.draw(changes_for(graph))
    dates = _new_dates(graph, changes)
    for link in graph.incoming_links():
        if graph.nodes[link.downstream].fixed:
            continue
        lacking = max(0, -graph.slack(link))
        required = add_working_days(dates[link.upstream], link.lag)
        assert (required - dates[link.downstream]).days <= lacking


@given(st.data())
def test_a_change_of_zero_moves_nothing(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    node_ids = data.draw(st.lists(st.sampled_from(sorted(graph.nodes)), max_size=3))
    assert forward_pass(graph, [Change(n, 0) for n in node_ids]).moves == {}


@given(st.data())
def test_moves_grow_with_the_slip(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    node_id = data.draw(st.sampled_from(sorted(graph.nodes)))
    small = data.draw(st.integers(min_value=0, max_value=60))
    large = small + data.draw(st.integers(min_value=0, max_value=60))
    before = _new_dates(graph, [Change(node_id, small)])
    after = _new_dates(graph, [Change(node_id, large)])
    assert all(after[n] >= before[n] for n in before)


@given(st.data())
def test_nothing_moves_earlier(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    impact = forward_pass(graph, data.draw(changes_for(graph)))
    assert all(move.new > move.old for move in impact.moves.values())


@given(st.data())
def test_slack_is_consumed_before_a_successor_moves(data: st.DataObject) -> None:
    """A node that moves had less slack on its driving link than its predecessor moved."""
    graph = data.draw(graphs())
    impact = forward_pass(graph, data.draw(changes_for(graph)))
    for move in impact.moves.values():
        if not move.links:
            continue
        link = move.links[-1]
        upstream = impact.moves[link.upstream]
        shifted = graph.required(link, upstream.new) - graph.required(link, upstream.old)
        assert shifted.days > max(0, graph.slack(link))
        assert move.days == shifted.days - max(0, graph.slack(link))


@given(st.data())
def test_every_move_is_carried_by_a_chain_from_a_change(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    impact = forward_pass(graph, data.draw(changes_for(graph)))
    for move in impact.moves.values():
        assert move.chain[0] in impact.changed and move.chain[-1] == move.node.id
        assert len(move.links) == len(move.chain) - 1


@given(st.data())
def test_unknown_and_fixed_dates_never_move(data: st.DataObject) -> None:
    graph = data.draw(graphs())
    impact = forward_pass(graph, data.draw(changes_for(graph)))
    assert all(graph.nodes[n].on is not None for n in impact.moves)
    assert not any(graph.nodes[n].fixed for n in impact.moves)


# Worked examples ---------------------------------------------------------------------------


def _project(pk: int, programme: int, start: date, finish: date, *milestones: Node) -> list[Node]:
    def node(node_id: str, label: str, on: date) -> Node:
        return Node(node_id, label, pk, f"P{pk}", programme, f"G{programme}", on)

    return [
        node(project_start(pk), "Start", start),
        *milestones,
        node(project_finish(pk), "Finish", finish),
    ]


def _two_programmes(lag: int = 0) -> Graph:
    """P1 (programme 1) finishes 26 Feb; P2 (programme 2) starts 1 Mar after it and reaches
    its milestone "Go live" on 15 Mar, then finishes on 31 Mar."""
    p1 = _project(1, 1, MONDAY, date(2027, 2, 26))
    go_live = Node(milestone(20), "Go live", 2, "P2", 2, "G2", date(2027, 3, 15))
    p2 = _project(2, 2, date(2027, 3, 1), date(2027, 3, 31), go_live)
    link = Link(project_finish(1), project_start(2), lag=lag, dependency_id=7)
    return Graph(
        {n.id: n for n in (*p1, *p2)},
        [*plan_links(p1), *plan_links(p2), link],
        benefits=[Benefit(5, "Fewer calls", 2, date(2027, 4, 15))],
    )


def test_a_four_week_slip_reaches_another_programmes_milestone_through_the_chain() -> None:
    graph = _two_programmes()
    impact = forward_pass(graph, [Change.weeks(project_finish(1), 4)])
    go_live = impact.moves[milestone(20)]
    assert go_live.old == date(2027, 3, 15)
    assert go_live.new == date(2027, 4, 9)  # start pushed 1 Mar → 26 Mar, gap kept
    assert go_live.chain == (project_finish(1), project_start(2), milestone(20))
    assert [link.dependency_id for link in go_live.links] == [7, None]


def test_a_slip_smaller_than_the_slack_moves_nothing() -> None:
    graph = _two_programmes()  # P1 finishes Friday 26 Feb; P2 is free to start Monday 1 Mar
    assert forward_pass(graph, [Change(project_finish(1), 1)]).moved() == []
    assert [m.node.id for m in forward_pass(graph, [Change(project_finish(1), 2)]).moved()] == [
        project_start(2),
        milestone(20),
        project_finish(2),
    ]


def test_a_benefit_is_hit_when_its_programmes_finish_passes_the_target_date() -> None:
    graph = _two_programmes()
    assert benefits_hit(graph, forward_pass(graph, [Change.weeks(project_finish(1), 1)])) == []
    hits = benefits_hit(graph, forward_pass(graph, [Change.weeks(project_finish(1), 4)]))
    assert [(hit.benefit.id, hit.by.node.id) for hit in hits] == [(5, project_finish(2))]


def test_the_critical_chain_of_a_programme_runs_back_into_the_programme_it_waits_for() -> None:
    graph = _two_programmes(lag=1)  # P2 starts the working day after P1 finishes: no slack
    chain = critical_chain(graph, [project_start(2), milestone(20), project_finish(2)])
    assert [n.id for n in chain] == [
        project_start(1),
        project_finish(1),
        project_start(2),
        milestone(20),
        project_finish(2),
    ]


def test_an_unknown_date_is_no_constraint() -> None:
    graph = _two_programmes()
    unknown = Node(project_start(2), "Start", 2, "P2", 2, "G2", None)
    graph = Graph({**graph.nodes, unknown.id: unknown}, graph.links)
    impact = forward_pass(graph, [Change.weeks(project_finish(1), 4)])
    assert impact.moved() == []
