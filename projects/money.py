"""Projects' money phased by month.

This first cut spreads each project's forecast at completion (its budget when there is
no forecast) evenly from its start to its expected finish; entered phasings and S-curves
replace the even spread where a project has them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from portfolio.core.money import Phasing, spread_evenly
from projects.models import Project


def forecast_by_month(projects: Iterable[Project]) -> dict[int, Phasing]:
    """Project id → its forecast cost by month; {} for a project with no money or no start."""
    return {project.pk: _even_forecast(project) for project in projects}


def _even_forecast(project: Project) -> Phasing:
    total = project.forecast_at_completion
    if total is None:
        total = project.budget
    if total is None or project.baseline_start is None:
        return {}
    start = project.baseline_start
    finish = max(project.forecast_finish or project.baseline_finish, start)
    return spread_evenly(Decimal(total), start, finish)
