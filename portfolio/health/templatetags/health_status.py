"""Health freshness in any page: `{% load health_status %}`, then
`{% is_recomputing "project" project.pk as recomputing %}` or `{% policy_reach portfolio %}`.
Pages of the lower layers ask through these tags instead of importing the health engine."""

from typing import Any

from django import template

from portfolio.health import freshness
from programmes.models import Portfolio

register = template.Library()


@register.simple_tag
def is_recomputing(subject: str, subject_id: int) -> bool:
    return freshness.is_recomputing(subject, subject_id)


@register.inclusion_tag("health/policy_reach.html")
def policy_reach(portfolio: Portfolio) -> dict[str, Any]:
    return {"reach": freshness.policy_reach(portfolio)}
