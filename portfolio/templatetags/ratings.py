from django import template
from django.utils.html import format_html

from portfolio.ratings import Rating

register = template.Library()


@register.simple_tag
def rating_badge(value: str | None, reason: str = "") -> str:
    """A coloured badge that also says its rating in words (colour-blind users, print)."""
    if not value:
        return format_html('<span class="badge rag rag-none">{}</span>', "No data")
    label = Rating(value).label if value in Rating.values else value
    return format_html('<span class="badge rag rag-{}" title="{}">{}</span>', value, reason, label)
