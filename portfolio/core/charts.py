"""Charts drawn on the server as inline SVG (the house way, as the board pack's): no script,
so they print, and a plain table beside each says the same for screen readers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 12, 28


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]  # one per month; None: not known (yet)
    colour: str
    dashed: bool = False


def _money(value: Decimal) -> str:
    """Short axis labels: 1.2m, 350k, 900."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}m"
    if size >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}"


def line_chart(months: Sequence[date], series: Sequence[Series], *, title: str) -> SafeString:
    """Lines over months, sharing one scale from 0 (or the lowest value) to the highest;
    a month without a value breaks its line. A legend names each series."""
    if not months:
        return SafeString("")
    values = [v for s in series for v in s.values if v is not None]
    high = max([*values, Decimal(1)])
    low = min([*values, Decimal(0)])
    span = float(high - low) or 1.0
    step = (WIDTH - LEFT - RIGHT) / max(len(months) - 1, 1)

    def x(n: int) -> float:
        return round(LEFT + n * step, 1)

    def y(value: Decimal) -> float:
        return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(value - low) / span), 1)

    lines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}><title>{}</title>'
        "</polyline>",
        (
            (
                " ".join(f"{x(n)},{y(v)}" for n, v in enumerate(s.values) if v is not None),
                s.colour,
                SafeString(' stroke-dasharray="6 4"') if s.dashed else "",
                s.name,
            )
            for s in series
        ),
    )
    legend = format_html_join(
        "",
        '<g transform="translate({},{})"><rect width="12" height="4" y="-4" fill="{}"/>'
        '<text x="16" font-size="11">{}</text></g>',
        ((LEFT + 8 + 120 * n, TOP + 10, s.colour, s.name) for n, s in enumerate(series)),
    )
    every = max(1, len(months) // 8)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        ((x(n), HEIGHT - 10, f"{m:%b %Y}") for n, m in enumerate(months) if n % every == 0),
    )
    axis = format_html(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#adb5bd"/>'
        '<text x="{tx}" y="{ty}" font-size="10" text-anchor="end">{hi}</text>'
        '<text x="{tx}" y="{b}" font-size="10" text-anchor="end">{lo}</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        b=y(low),
        tx=LEFT - 6,
        ty=y(high) + 4,
        hi=_money(high),
        lo=_money(low),
    )
    return format_html(
        '<svg class="money-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        axis,
        ticks,
        lines,
        legend,
    )
