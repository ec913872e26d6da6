"""`{% money_chart money "title" %}`: cumulative budget, forecast and actual by month as
inline SVG. `money` is any object with `rows` of months carrying `month`,
`cumulative_budget`, `cumulative_forecast` and `cumulative_actual` (projects.money's
MoneyByMonth), so this layer needs no import of it."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from portfolio.core.charts import Series, line_chart

register = template.Library()

BUDGET, FORECAST, ACTUAL = "#6c757d", "#0d6efd", "#b3261e"


@register.simple_tag
def money_chart(money: Any, title: str) -> SafeString:
    rows = money.rows
    return line_chart(
        [row.month for row in rows],
        [
            Series("Budget", [row.cumulative_budget for row in rows], BUDGET, dashed=True),
            Series("Forecast", [row.cumulative_forecast for row in rows], FORECAST),
            Series("Actual", [row.cumulative_actual for row in rows], ACTUAL),
        ],
        title=title,
    )
