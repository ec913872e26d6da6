"""Values that may be unknown (a project's start or budget): shown as such, never as 0 or
an invented date, with a title saying what is unknown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import floatformat
from django.utils.html import format_html

register = template.Library()


def _unknown(what: str) -> str:
    return format_html('<span class="unknown" title="The {} is unknown">Unknown</span>', what)


@register.simple_tag
def amount(value: Decimal | None, what: str = "amount") -> str:
    """A whole amount with thousands separators, or "Unknown" naming `what` in its title."""
    if value is None:
        return _unknown(what)
    return str(intcomma(floatformat(value, "0")))


@register.simple_tag
def day(value: date | None, what: str = "date") -> str:
    """A day as "5 Jan 2026", or "Unknown" naming `what` in its title."""
    if value is None:
        return _unknown(what)
    return format_date(value, "j M Y")


@register.simple_tag
def budget_total(total: Decimal | None, unknown: int = 0) -> str:
    """A group's summed budget: the known budgets' sum, with how many are unknown (left out
    of the sum) beside it; "Unknown" when none is known."""
    if total is None:
        return _unknown("budget") if unknown else "0"
    if not unknown:
        return amount(total)
    return format_html(
        '{} <span class="small text-secondary" title="{} unknown budget{} left out of the sum">'
        "+ {} unknown</span>",
        amount(total),
        unknown,
        "" if unknown == 1 else "s",
        unknown,
    )
