"""Issue 17's figures at the L size, in the bench process: levelling suggestions for every
over-allocation in the organisation, a scenario's evaluation (a project of the largest
programme delayed by 6 weeks, as the PMO sees it) and a portfolio's money by month.

Each is the median of a few runs with nothing cached in between: these are computed on
request, not served from the page cache.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

RUNS = 5


def _median_ms(work: Callable[[], Any], runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def planning_figures(today: date | None = None) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.utils import timezone

    from portfolio.scenarios.evaluation import evaluate
    from portfolio.scenarios.models import ScenarioChange
    from portfolio.scenarios.services import scenario_change_add, scenario_create
    from programmes.models import Portfolio, Programme
    from projects.levelling import suggestions_for_everyone
    from projects.money import portfolio_by_month

    today = today or timezone.localdate()
    active = Q(projects__archived_at__isnull=True)
    programme = (
        Programme.objects.annotate(n=Count("projects", filter=active)).order_by("-n").first()
    )
    portfolio = (
        Portfolio.objects.annotate(n=Count("projects", filter=active)).order_by("-n").first()
    )
    if programme is None or portfolio is None:
        raise LookupError("the planning figures need a seeded organisation")
    pmo = get_user_model().objects.get(username="pmo")
    delayed = programme.projects.filter(archived_at__isnull=True).order_by("baseline_start").first()
    scenario = scenario_create(owner=pmo, name="Bench: delay by 6 weeks", scope=programme)
    scenario_change_add(scenario=scenario, kind=ScenarioChange.Kind.MOVE, project=delayed, weeks=6)

    over = suggestions_for_everyone(today)
    return {
        "suggestions_ms": _median_ms(lambda: suggestions_for_everyone(today)),
        "over_allocations": len(over),
        "suggestions": sum(len(o.suggestions) for o in over),
        "scenario_evaluation_ms": _median_ms(lambda: evaluate(scenario, pmo)),
        "scenario_programme_projects": programme.n,  # type: ignore[attr-defined]
        "money_by_month_ms": _median_ms(lambda: portfolio_by_month(portfolio.pk)),
        "money_portfolio_projects": portfolio.n,  # type: ignore[attr-defined]
    }
