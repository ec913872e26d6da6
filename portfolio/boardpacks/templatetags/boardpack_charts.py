"""The pack's SVG charts in its template: `{% trend_chart trend %}`, `{% spend_bar totals %}`,
`{% benefit_bar line %}` (drawn by portfolio.boardpacks.charts)."""

from django import template
from django.utils.safestring import SafeString

from portfolio.boardpacks.charts import bar_svg, trend_svg
from portfolio.boardpacks.reading import BenefitLine, Trend
from projects.models import Totals

register = template.Library()


@register.simple_tag
def trend_chart(trend: Trend) -> SafeString:
    return trend_svg(trend)


@register.simple_tag
def spend_bar(totals: Totals) -> SafeString:
    return bar_svg(totals.spend_percent, over_is_bad=True)


@register.simple_tag
def benefit_bar(line: BenefitLine) -> SafeString:
    return bar_svg(line.realised, line.planned, over_is_bad=False)
