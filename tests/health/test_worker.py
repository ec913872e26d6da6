"""Health through a real Celery worker, real Redis and real PostgreSQL: a submit reaches
project, programme and portfolio health, and a burst of submits is coalesced."""

import time
from datetime import date

import pytest

from portfolio.core.periods import Period
from portfolio.health.models import HealthRequest, PortfolioHealth, ProgrammeHealth, ProjectHealth
from projects.reporting import status_report_open, status_report_submit
from tests.conftest import WORKER_LOG, Cast, wait_for
from tests.factories import GREEN, ProjectFactory

pytestmark = pytest.mark.worker
WEEK = Period.containing(date.today())


def _submit(project, **ratings: str) -> None:  # type: ignore[no-untyped-def]
    report, _ = status_report_open(project=project, period=WEEK, author=None)
    changes = {**GREEN, "percent_complete": 50, **ratings}
    status_report_submit(report=report, version=report.version, changes=changes, author=None)


def test_a_red_submission_reaches_programme_and_portfolio_health(celery_worker, cast: Cast) -> None:
    _submit(cast.project_a1, overall="red", overall_reason="Supplier collapsed")
    programme = wait_for(
        lambda: ProgrammeHealth.objects.filter(
            programme=cast.programme_a1, is_current=True, overall="red"
        ).first()
    )
    assert ProjectHealth.objects.get(project=cast.project_a1, is_current=True).overall == "red"
    assert "Project A1" in programme.reasons[0]["message"]
    wait_for(
        lambda: PortfolioHealth.objects.filter(
            portfolio=cast.portfolio_a, is_current=True, overall="red"
        ).exists()
    )
    wait_for(lambda: not HealthRequest.objects.exists())


def test_ten_submits_in_one_programme_recompute_it_at_once_and_once_after_at_most(
    celery_worker, cast: Cast
) -> None:
    projects = [ProjectFactory(programme=cast.programme_a2) for _ in range(10)]
    # Creating them asks for health too: let that settle, then count from here.
    wait_for(lambda: ProjectHealth.objects.filter(project__in=projects).count() == 10)
    wait_for(lambda: not HealthRequest.objects.exists())
    time.sleep(1.5)  # the worker's log lines of that phase reach the file
    already = len(WORKER_LOG.read_text())
    for project in projects:
        _submit(project)
    wait_for(
        lambda: (
            ProjectHealth.objects.filter(project__in=projects, is_current=True)
            .exclude(reported="")
            .count()
            == 10
        )
    )
    wait_for(lambda: PortfolioHealth.objects.filter(portfolio=cast.portfolio_a).exists())
    wait_for(lambda: not HealthRequest.objects.exists())
    log = WORKER_LOG.read_text()[already:]
    assert log.count("Recomputed project ") >= 10
    # The leading edge runs as the first project job ends; the other nine fall in its
    # window and run together once after it (when they were not all done before it ran).
    assert 1 <= log.count(f"Recomputed programme {cast.programme_a2.pk}\n") <= 2
