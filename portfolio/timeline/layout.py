"""The timeline's drawing maths, model-free: where each bar, milestone and dependency arrow
goes on a date scale (`portfolio.core.timescale`). `svg.py` turns a laid-out chart into
markup; the reading (`reading.py`) fills the inputs from the database.

Keys name what a shape stands for, as page-cache scopes do: ``project:12``,
``milestone:34``, ``dependency:5``, ``programme:3``. A caller may pass a set of keys to
highlight (the critical chain, `portfolio.core.impact.critical_chain`); the shapes whose
keys are in it carry the class ``critical``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from portfolio.core.timescale import Scale

ROW_HEIGHT = 24
BAR_TOP = 5  # the forecast bar: 5..15 within its row
BAR_HEIGHT = 10
BASELINE_TOP = 17  # the baseline: a thin line under the forecast bar
BASELINE_HEIGHT = 2
DIAMOND = 5  # half the milestone diamond's width
ELBOW = 6  # how far an arrow runs out of its start before it turns


class Side(StrEnum):
    START = "start"
    FINISH = "finish"


@dataclass(frozen=True)
class Mark:
    """A milestone of an item."""

    key: str
    name: str
    baseline: date
    expected: date  # actual, else forecast, else baseline: where it is drawn
    done: bool = False

    @property
    def slippage_days(self) -> int:
        return (self.expected - self.baseline).days


@dataclass(frozen=True)
class Item:
    """One row: a project (or a programme's span). Any date may be unknown."""

    key: str
    label: str
    start: date | None
    baseline_finish: date | None
    forecast_finish: date | None = None
    url: str = ""
    health: str = ""
    marks: tuple[Mark, ...] = ()
    external: bool = False  # another group's project, here as the far end of a link

    @property
    def finish(self) -> date | None:
        return self.forecast_finish or self.baseline_finish

    @property
    def slippage_days(self) -> int:
        if self.forecast_finish is None or self.baseline_finish is None:
            return 0
        return (self.forecast_finish - self.baseline_finish).days

    def dates(self) -> list[date]:
        found = [d for d in (self.start, self.baseline_finish, self.forecast_finish) if d]
        return found + [m.expected for m in self.marks] + [m.baseline for m in self.marks]


@dataclass(frozen=True)
class End:
    """One end of a dependency: a pinned milestone, else the item's start or finish."""

    item: str
    side: Side
    mark: str | None = None


@dataclass(frozen=True)
class Link:
    key: str
    upstream: End
    downstream: End
    late: bool = False
    label: str = ""


# What is drawn ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Diamond:
    key: str
    x: float  # centre
    y: float
    title: str
    classes: str

    @property
    def path(self) -> str:
        x, y, d = self.x, self.y, DIAMOND
        return f"M{x:g} {y - d:g}L{x + d:g} {y:g}L{x:g} {y + d:g}L{x - d:g} {y:g}Z"


@dataclass(frozen=True)
class Row:
    item: Item
    y: float  # the row's top
    forecast: Box | None  # start to forecast (else baseline) finish
    baseline: Box | None  # start to baseline finish
    finish_only: float | None  # x of the finish when the start is unknown
    diamonds: tuple[Diamond, ...]
    classes: str

    @property
    def no_dates(self) -> bool:
        return self.forecast is None and self.finish_only is None

    @property
    def middle(self) -> float:
        return self.y + BAR_TOP + BAR_HEIGHT / 2


@dataclass(frozen=True)
class Arrow:
    key: str
    path: str  # the line, elbowed
    head: str  # the arrowhead at the downstream end
    title: str
    classes: str


@dataclass(frozen=True)
class Chart:
    scale: Scale
    rows: tuple[Row, ...]
    arrows: tuple[Arrow, ...]
    today_x: float | None = None
    highlighted: frozenset[str] = field(default_factory=frozenset)

    @property
    def width(self) -> int:
        return self.scale.width

    @property
    def height(self) -> int:
        return len(self.rows) * ROW_HEIGHT


# Laying out -----------------------------------------------------------------------------------


def _classes(*names: str) -> str:
    return " ".join(name for name in names if name)


def _diamond(mark: Mark, scale: Scale, y: float, highlighted: frozenset[str]) -> Diamond:
    slipped = mark.slippage_days > 0
    title = f"{mark.name}: {_day(mark.expected)}" + (
        " (reached)" if mark.done else f" ({mark.slippage_days:+d} days)" if slipped else ""
    )
    return Diamond(
        key=mark.key,
        x=round(scale.x(mark.expected) + scale.px_per_day / 2, 1),
        y=y,
        title=title,
        classes=_classes(
            "ms",
            "ms-done" if mark.done else "",
            "ms-slipped" if slipped and not mark.done else "",
            "critical" if mark.key in highlighted else "",
        ),
    )


def _box(scale: Scale, first: date, last: date, top: float, height: float) -> Box:
    x = scale.x(first)
    return Box(x, top, max(round(scale.x_end(last) - x, 1), 1.0), height)


def lay_out_row(item: Item, scale: Scale, y: float, highlighted: frozenset[str]) -> Row:
    """One row's shapes: the forecast bar over the baseline line, or a finish marker when
    the start is unknown, or nothing ("no dates"); the milestones on the bar's middle."""
    forecast = baseline = None
    finish_only = None
    finish = item.finish
    if item.start is not None and finish is not None:
        forecast = _box(scale, item.start, max(finish, item.start), y + BAR_TOP, BAR_HEIGHT)
        if item.baseline_finish is not None:
            last = max(item.baseline_finish, item.start)
            baseline = _box(scale, item.start, last, y + BASELINE_TOP, BASELINE_HEIGHT)
    elif finish is not None:
        finish_only = scale.x_end(finish)
    middle = y + BAR_TOP + BAR_HEIGHT / 2
    return Row(
        item=item,
        y=y,
        forecast=forecast,
        baseline=baseline,
        finish_only=finish_only,
        diamonds=tuple(_diamond(m, scale, middle, highlighted) for m in item.marks),
        classes=_classes(
            "row",
            f"health-{item.health}" if item.health else "health-none",
            "slipped" if item.slippage_days > 0 else "",
            "external" if item.external else "",
            "critical" if item.key in highlighted else "",
        ),
    )


def _point(end: End, rows: dict[str, Row], scale: Scale, outgoing: bool) -> tuple[float, float]:
    """Where an arrow leaves (outgoing) or reaches an end: the milestone diamond's right or
    left tip, else the bar's finish or start. KeyError when it is not on the chart."""
    row = rows[end.item]
    if end.mark is not None:
        diamond = next(d for d in row.diamonds if d.key == end.mark)
        return (diamond.x + DIAMOND if outgoing else diamond.x - DIAMOND), diamond.y
    item = row.item
    day = item.start if end.side == Side.START else item.finish
    if day is None:
        raise KeyError(end.item)
    x = scale.x(day) if end.side == Side.START else scale.x_end(day)
    return x, row.middle


def _elbow(x1: float, y1: float, x2: float, y2: float) -> str:
    """Out to the right of the upstream end, down (or up) to the downstream row, in from
    the left. When the downstream end lies left of the upstream one (it needs the item
    before it is ready), the line turns back between the rows."""
    out, into = round(x1 + ELBOW, 1), round(x2 - ELBOW, 1)
    if into >= out or y1 == y2:
        return f"M{x1:g} {y1:g}H{out:g}V{y2:g}H{x2:g}"
    between = y2 - ROW_HEIGHT / 2 if y2 > y1 else y2 + ROW_HEIGHT / 2
    return f"M{x1:g} {y1:g}H{out:g}V{between:g}H{into:g}V{y2:g}H{x2:g}"


def _arrow(
    link: Link, rows: dict[str, Row], scale: Scale, highlighted: frozenset[str]
) -> Arrow | None:
    try:
        x1, y1 = _point(link.upstream, rows, scale, outgoing=True)
        x2, y2 = _point(link.downstream, rows, scale, outgoing=False)
    except (KeyError, StopIteration):
        return None  # an end without dates, or not on this chart
    return Arrow(
        key=link.key,
        path=_elbow(x1, y1, x2, y2),
        head=f"M{x2:g} {y2:g}l-5 -3.5v7z",
        title=link.label,
        classes=_classes(
            "dep", "dep-late" if link.late else "", "critical" if link.key in highlighted else ""
        ),
    )


def lay_out(
    items: Sequence[Item],
    links: Iterable[Link],
    scale: Scale,
    *,
    today: date | None = None,
    highlighted: Iterable[str] = (),
) -> Chart:
    """The chart of `items`, one row each in order, with an arrow for every link whose two
    ends are on it (from milestone to milestone where the link pins them)."""
    marked = frozenset(highlighted)
    rows = tuple(lay_out_row(item, scale, n * ROW_HEIGHT, marked) for n, item in enumerate(items))
    by_key = {row.item.key: row for row in rows}
    arrows = tuple(
        arrow for link in links if (arrow := _arrow(link, by_key, scale, marked)) is not None
    )
    today_x = scale.x(today) if today is not None and scale.start <= today <= scale.end else None
    return Chart(scale=scale, rows=rows, arrows=arrows, today_x=today_x, highlighted=marked)


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def describe(item: Item) -> str:
    """An item's dates in words: what a screen reader says for its row."""
    start, finish = item.start, item.finish
    if finish is None:
        dates = "no dates"
    elif start is None:
        dates = f"finish {_day(finish)}, start unknown"
    else:
        dates = f"{_day(start)} to {_day(finish)}"
        if item.slippage_days > 0 and item.baseline_finish is not None:
            dates += f", {item.slippage_days} days beyond the baseline {_day(item.baseline_finish)}"
    marks = len(item.marks)
    if marks:
        dates += f"; {marks} milestone{'s' if marks != 1 else ''}"
    return dates
