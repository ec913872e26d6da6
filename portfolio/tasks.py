"""Celery jobs of the composing layer: they take ids and call a service, nothing more."""

from celery import shared_task

from portfolio.importing import import_job_run, pending_jobs_to_resend
from portfolio.queue import publish
from programmes.services import health_claim, health_sweep


@shared_task
def run_import(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task
def resend_pending_imports() -> None:
    """Publish again the imports left pending while the broker was down (for celery beat)."""
    for job_id in pending_jobs_to_resend():
        publish(run_import, job_id)


@shared_task(acks_late=True)
def recompute_health(subject: str, subject_id: int) -> None:
    """Recompute one subject's health and ask for its parent's (coalesced)."""
    from portfolio import rollup

    if health_claim(subject=subject, subject_id=subject_id):
        rollup.recompute(subject, subject_id)


@shared_task
def sweep_health_requests() -> None:
    """Send again the recomputations whose jobs never left (the broker was down)."""
    health_sweep()


@shared_task
def recompute_all_health(weekly: bool = False) -> None:
    """Nightly: staleness changes with time alone. Weekly: a snapshot of every subject."""
    from portfolio import rollup

    rollup.recompute_everything(kind="weekly" if weekly else "change")
