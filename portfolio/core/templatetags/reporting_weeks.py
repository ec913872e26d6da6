"""A row of weekly reporting statuses drawn as one string: the Reporting page draws 50 rows of
8 weeks, and a template loop of 400 badges cost more than the rest of a row."""

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def week_strip(weeks: Iterable[Any], title: str) -> SafeString:
    """The weeks' badges (each has `status` and `symbol`), hidden from screen readers, which
    read `title` (the whole strip in words) instead."""
    badges = format_html_join(
        "",
        '<span class="badge status-{} me-1" aria-hidden="true">{}</span>',
        ((week.status.value, week.symbol) for week in weeks),
    )
    return format_html('<span class="visually-hidden">{}</span>{}', title, badges)
