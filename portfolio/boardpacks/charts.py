"""The pack's charts, drawn here as SVG and put inline in the HTML WeasyPrint renders: no
script runs in a PDF. The colours are the site's rating colours (static/css/stationmaster.css)
so a printed trend reads like the dashboard's."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from portfolio.boardpacks.reading import Trend
from portfolio.core.ratings import label_of

COLOURS = {
    "green": "#1e7b34",
    "amber_green": "#7a9a1f",
    "amber": "#f0ad00",
    "amber_red": "#b4541a",
    "red": "#b3261e",
    "": "#e9ecef",
}
CELL = 14
GAP = 3


def trend_svg(trend: Trend) -> SafeString:
    """A square per week, oldest on the left, coloured by the rating at the week's end."""
    width = len(trend.ratings) * (CELL + GAP) - GAP
    cells = format_html_join(
        "",
        '<rect x="{}" y="0" width="{}" height="{}" rx="2" fill="{}"><title>{}</title></rect>',
        (
            (n * (CELL + GAP), CELL, CELL, COLOURS.get(rating, COLOURS[""]), label_of(rating))
            for n, rating in enumerate(trend.ratings)
        ),
    )
    return format_html(
        '<svg class="trend" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        CELL,
        width,
        CELL,
        trend.title,
        cells,
    )


def _clamp(percent: Decimal | int | None) -> float:
    return 0.0 if percent is None else max(0.0, min(float(percent), 150.0))


def bar_svg(
    actual: Decimal | int | None, planned: Decimal | int | None = None, *, over_is_bad: bool
) -> SafeString:
    """A horizontal bar of `actual` percent (to 150 %), with a mark at 100 % or, given, at
    the `planned` percent. Over 100 % is red when `over_is_bad` (spend); short of the plan
    is amber otherwise (benefits)."""
    width, height, scale = 150, 12, 1.0
    value = _clamp(actual)
    mark = _clamp(planned) if planned is not None else 100.0
    if over_is_bad:
        colour = COLOURS["red"] if value > 100 else "#0d6efd"
    else:
        colour = COLOURS["amber"] if planned is not None and value < mark else COLOURS["green"]
    label = "unknown" if actual is None else f"{actual}%"
    return format_html(
        '<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" role="img" aria-label="{label}">'
        '<rect x="0" y="0" width="{w}" height="{h}" fill="#f1f3f5"/>'
        '<rect x="0" y="0" width="{v}" height="{h}" fill="{c}"/>'
        '<line x1="{m}" y1="0" x2="{m}" y2="{h}" stroke="#212529" stroke-width="2"/></svg>',
        w=width,
        h=height,
        v=round(value * scale, 1),
        m=round(mark * scale, 1),
        c=colour,
        label=label,
    )
