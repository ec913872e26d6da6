from django import template
from django.utils.html import format_html

from portfolio.core.ratings import label_of

register = template.Library()


@register.simple_tag
def rating_badge(value: str | None, reason: str = "") -> str:
    """A coloured badge that also says its rating in words (colour-blind users, print)."""
    if not value:
        return format_html('<span class="badge rag rag-none">{}</span>', label_of(value))
    return format_html(
        '<span class="badge rag rag-{}" title="{}">{}</span>', value, reason, label_of(value)
    )


SHORT = {"green": "G", "amber_green": "A/G", "amber": "A", "amber_red": "A/R", "red": "R"}


@register.simple_tag
def rating_cell(value: str | None, reason: str = "") -> str:
    """A compact grid cell: coloured, with a short text label and the full one on hover."""
    if not value:
        return format_html('<td class="rag-cell rag-none" title="{}">–</td>', "No report")
    label = label_of(value)
    title = f"{label}: {reason}" if reason else label
    return format_html(
        '<td class="rag-cell rag-{}" title="{}">{}</td>', value, title, SHORT.get(value, "?")
    )


@register.simple_tag
def rating_of(report: object, dimension: str) -> str:
    """The grid cell of one report's rating for a dimension, with its reason on hover."""
    return rating_cell(getattr(report, dimension), getattr(report, f"{dimension}_reason", ""))


@register.filter
def rating_short(value: str | None) -> str:
    """G, A/G, A, A/R or R; a dot for no data."""
    return SHORT.get(value or "", "·")


@register.filter
def rating_label(value: str | None) -> str:
    """Green, Amber/green, Amber, Amber/red or Red; "No data" for none."""
    return label_of(value)
