"""Celery jobs of the health engine: they take ids and call the roll-up, nothing more."""

from celery import shared_task

from portfolio.health import rollup
from portfolio.health.requests import RECOMPUTE_TASK, health_claim, health_sweep


@shared_task(name=RECOMPUTE_TASK, acks_late=True)
def recompute_health(subject: str, subject_id: int) -> None:
    """Recompute one subject's health and ask for its parent's (coalesced)."""
    if health_claim(subject=subject, subject_id=subject_id):
        rollup.recompute(subject, subject_id)


@shared_task(name="health.sweep_requests")
def sweep_health_requests() -> None:
    """Send again the recomputations whose jobs never left (the broker was down)."""
    health_sweep()


@shared_task(name="health.recompute_all")
def recompute_all_health(weekly: bool = False) -> None:
    """Nightly: staleness changes with time alone. Weekly: a snapshot of every subject."""
    rollup.recompute_everything(kind="weekly" if weekly else "change")
