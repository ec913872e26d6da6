"""Celery jobs of the health engine: they take ids and call the roll-up, nothing more."""

from celery import shared_task

from portfolio.core.queue import AT_LEAST_ONCE
from portfolio.health import rollup
from portfolio.health.requests import RECOMPUTE_PENDING_TASK, RECOMPUTE_TASK, health_sweep


# At least once (portfolio.core.queue): the pending mark outlives every failure, so the
# sweep sends whatever the retries gave up on.
@shared_task(name=RECOMPUTE_TASK, **AT_LEAST_ONCE)
def recompute_health(subject: str, subject_id: int) -> None:
    """Recompute one subject's health, if still asked for, and ask for its parent's."""
    rollup.recompute_requested(subject, subject_id)


@shared_task(name=RECOMPUTE_PENDING_TASK, **AT_LEAST_ONCE)
def recompute_pending_health() -> None:
    """Every pending request in batches (asked for by an import)."""
    rollup.recompute_pending()


@shared_task(name="health.sweep_requests")
def sweep_health_requests() -> None:
    """Send again the recomputations whose jobs never left (the broker was down)."""
    health_sweep()


@shared_task(name="health.recompute_all", **AT_LEAST_ONCE)
def recompute_all_health(weekly: bool = False) -> None:
    """Nightly: staleness changes with time alone. Weekly: a snapshot of every subject."""
    rollup.recompute_everything(kind="weekly" if weekly else "change")
