"""The timeline's drawing maths (portfolio.timeline.layout), without a database: where the
bars, milestones and dependency arrows go."""

from datetime import date

from portfolio.core.timescale import Zoom, scale_for
from portfolio.timeline.layout import (
    BAR_HEIGHT,
    BAR_TOP,
    DIAMOND,
    ROW_HEIGHT,
    End,
    Item,
    Link,
    Mark,
    Side,
    describe,
    lay_out,
)
from portfolio.timeline.svg import chart_svg

SCALE = scale_for(date(2026, 1, 1), date(2026, 12, 31), Zoom.MONTHS)  # 3 px a day from 1 Jan
MIDDLE = BAR_TOP + BAR_HEIGHT / 2

UPSTREAM = Item(
    key="project:1",
    label="UP Upstream",
    start=date(2026, 1, 1),
    baseline_finish=date(2026, 3, 31),
    forecast_finish=date(2026, 4, 30),
    health="red",
    marks=(Mark("milestone:10", "API delivered", date(2026, 2, 1), date(2026, 2, 11)),),
)
DOWNSTREAM = Item(
    key="project:2",
    label="DOWN Downstream",
    start=date(2026, 3, 1),
    baseline_finish=date(2026, 9, 30),
    marks=(Mark("milestone:20", "Integration start", date(2026, 6, 1), date(2026, 6, 1)),),
)


def test_a_project_s_bar_runs_from_its_start_to_its_forecast_over_its_baseline() -> None:
    row = lay_out([UPSTREAM], [], SCALE).rows[0]
    assert row.forecast is not None and row.baseline is not None
    assert row.forecast.x == 0
    assert row.forecast.width == 120 * 3  # 1 Jan to 30 Apr inclusive
    assert row.baseline.width == 90 * 3  # 1 Jan to 31 Mar inclusive
    assert "health-red" in row.classes and "slipped" in row.classes


def test_rows_stack_one_row_height_apart() -> None:
    chart = lay_out([UPSTREAM, DOWNSTREAM], [], SCALE)
    assert [row.y for row in chart.rows] == [0, ROW_HEIGHT]
    assert chart.height == 2 * ROW_HEIGHT


def test_a_milestone_sits_on_its_expected_date_in_the_middle_of_its_row() -> None:
    diamond = lay_out([UPSTREAM], [], SCALE).rows[0].diamonds[0]
    assert diamond.x == 41 * 3 + 1.5  # 11 Feb, the middle of the day
    assert diamond.y == MIDDLE
    assert "ms-slipped" in diamond.classes  # ten days after its baseline


def test_an_arrow_runs_from_the_upstream_milestone_to_the_downstream_milestone() -> None:
    link = Link(
        "dependency:5",
        upstream=End("project:1", Side.FINISH, "milestone:10"),
        downstream=End("project:2", Side.START, "milestone:20"),
    )
    arrow = lay_out([UPSTREAM, DOWNSTREAM], [link], SCALE).arrows[0]
    start_x = 41 * 3 + 1.5 + DIAMOND  # the right tip of "API delivered"
    end_x = 151 * 3 + 1.5 - DIAMOND  # the left tip of "Integration start" (1 Jun)
    end_y = ROW_HEIGHT + MIDDLE
    assert arrow.path == f"M{start_x:g} {MIDDLE:g}H{start_x + 6:g}V{end_y:g}H{end_x:g}"
    assert arrow.head.startswith(f"M{end_x:g} {end_y:g}")


def test_without_pinned_milestones_an_arrow_joins_the_finish_to_the_start() -> None:
    link = Link(
        "dependency:5",
        upstream=End("project:1", Side.FINISH),
        downstream=End("project:2", Side.START),
        late=True,
    )
    arrow = lay_out([UPSTREAM, DOWNSTREAM], [link], SCALE).arrows[0]
    finish_x = 120 * 3  # the end of 30 Apr, the upstream's forecast finish
    start_x = 59 * 3  # 1 Mar, the downstream's start: before the upstream finishes
    end_y = ROW_HEIGHT + MIDDLE
    # It turns back between the rows to come in from the left.
    between = end_y - ROW_HEIGHT / 2
    assert arrow.path == (
        f"M{finish_x:g} {MIDDLE:g}H{finish_x + 6:g}V{between:g}"
        f"H{start_x - 6:g}V{end_y:g}H{start_x:g}"
    )
    assert "dep-late" in arrow.classes


def test_a_link_to_a_project_not_on_the_chart_draws_no_arrow() -> None:
    link = Link("dependency:5", End("project:9", Side.FINISH), End("project:2", Side.START))
    assert lay_out([UPSTREAM, DOWNSTREAM], [link], SCALE).arrows == ()


def test_a_project_without_a_start_is_a_finish_marker_and_without_dates_says_so() -> None:
    finish_only = Item("project:3", "F", start=None, baseline_finish=date(2026, 5, 1))
    undated = Item("project:4", "N", start=None, baseline_finish=None)
    first, second = lay_out([finish_only, undated], [], SCALE).rows
    assert first.forecast is None and first.finish_only == 121 * 3
    assert second.no_dates
    assert "no dates" in chart_svg(lay_out([undated], [], SCALE), label="x")
    assert describe(undated) == "no dates"
    assert describe(finish_only) == "finish 1 May 2026, start unknown"


def test_highlighted_keys_mark_their_bars_milestones_and_arrows_critical() -> None:
    link = Link("dependency:5", End("project:1", Side.FINISH), End("project:2", Side.START))
    chart = lay_out(
        [UPSTREAM, DOWNSTREAM],
        [link],
        SCALE,
        highlighted={"project:1", "milestone:20", "dependency:5"},
    )
    assert "critical" in chart.rows[0].classes
    assert "critical" not in chart.rows[1].classes
    assert "critical" in chart.rows[1].diamonds[0].classes
    assert "critical" in chart.arrows[0].classes


def test_nothing_is_highlighted_unless_asked() -> None:
    link = Link("dependency:5", End("project:1", Side.FINISH), End("project:2", Side.START))
    svg = chart_svg(lay_out([UPSTREAM, DOWNSTREAM], [link], SCALE), label="x")
    assert "critical" not in svg


def test_the_svg_escapes_names_and_carries_no_style_attribute() -> None:
    item = Item("project:5", "<b>&", date(2026, 1, 1), date(2026, 2, 1))
    svg = chart_svg(lay_out([item], [], SCALE, today=date(2026, 1, 15)), label='say "hi"')
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg
    assert "style=" not in svg
    assert 'class="today" x1="42"' in svg
