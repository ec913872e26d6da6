"""A laid-out chart (`layout.Chart`) as SVG markup. Built as strings, not with a template
loop: a programme of 60 projects is a few hundred shapes, and the template engine would
spend more time on them than the rest of the page (issue 12).

No style attributes (the Content-Security-Policy allows none): colours come from classes
in static/css/stationmaster.css, positions from geometry attributes.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portfolio.core.timescale import Scale
from portfolio.timeline.layout import Chart, Row

AXIS_HEIGHT = 22


def _num(value: float) -> str:
    return f"{value:g}"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>" if text else ""


def _row(row: Row) -> str:
    parts = [f'<g class="{row.classes}">', _title(row.item.label)]
    if row.baseline is not None:
        b = row.baseline
        parts.append(
            f'<rect class="baseline" x="{_num(b.x)}" y="{_num(b.y)}" '
            f'width="{_num(b.width)}" height="{_num(b.height)}"/>'
        )
    if row.forecast is not None:
        f = row.forecast
        parts.append(
            f'<rect class="bar" x="{_num(f.x)}" y="{_num(f.y)}" '
            f'width="{_num(f.width)}" height="{_num(f.height)}" rx="2"/>'
        )
    elif row.finish_only is not None:
        x, y = row.finish_only, row.middle
        parts.append(f'<path class="finish-only" d="M{_num(x)} {_num(y - 6)}v12l-6 -6z"/>')
    else:
        parts.append(f'<text class="no-dates" x="4" y="{_num(row.middle + 4)}">no dates</text>')
    for d in row.diamonds:
        parts.append(f'<path class="{d.classes}" d="{d.path}">{_title(d.title)}</path>')
    parts.append("</g>")
    return "".join(parts)


def chart_svg(chart: Chart, *, label: str) -> SafeString:
    """The chart's rows, milestones and arrows; `label` names it for screen readers (the
    same facts are in the list of rows beside it)."""
    year_lines = "".join(
        f'<line class="year" x1="{_num(t.x)}" x2="{_num(t.x)}" y1="0" y2="{chart.height}"/>'
        for t in chart.scale.ticks()
        if t.major
    )
    today = (
        f'<line class="today" x1="{_num(chart.today_x)}" x2="{_num(chart.today_x)}" '
        f'y1="0" y2="{chart.height}"/>'
        if chart.today_x is not None
        else ""
    )
    arrows = "".join(
        f'<g class="{a.classes}">{_title(a.title)}<path class="dep-line" d="{a.path}"/>'
        f'<path class="dep-head" d="{a.head}"/></g>'
        for a in chart.arrows
    )
    rows = "".join(_row(row) for row in chart.rows)
    return mark_safe(  # every text inside went through escape
        f'<svg class="timeline-chart" width="{chart.width}" height="{chart.height}" '
        f'viewBox="0 0 {chart.width} {chart.height}" role="img" aria-label="{escape(label)}">'
        f"{year_lines}{today}{rows}{arrows}</svg>"
    )


def axis_svg(scale: Scale) -> SafeString:
    """The date axis above the chart: a tick and a label at each unit of the zoom."""
    ticks = "".join(
        f'<line class="{"tick major" if t.major else "tick"}" x1="{_num(t.x)}" '
        f'x2="{_num(t.x)}" y1="0" y2="{AXIS_HEIGHT}"/>'
        f'<text x="{_num(t.x + 3)}" y="15">{escape(t.label)}</text>'
        for t in scale.ticks()
    )
    return mark_safe(  # the labels are escaped
        f'<svg class="timeline-axis" width="{scale.width}" height="{AXIS_HEIGHT}" '
        f'viewBox="0 0 {scale.width} {AXIS_HEIGHT}" aria-hidden="true">{ticks}</svg>'
    )
