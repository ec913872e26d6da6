"""Celery jobs of the importer: they take ids and call a service, nothing more."""

from celery import shared_task

from portfolio.core.queue import publish
from portfolio.imports.services import RUN_TASK, import_job_run, pending_jobs_to_resend


@shared_task(name=RUN_TASK)
def run_import(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task(name="imports.resend_pending")
def resend_pending_imports() -> None:
    """Publish again the imports left pending while the broker was down (for celery beat)."""
    for job_id in pending_jobs_to_resend():
        publish(run_import, job_id)
