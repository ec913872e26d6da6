from celery import shared_task

from programmes.services import programme_rollup_refresh


@shared_task
def refresh_programme_rollup(programme_id: int) -> None:
    programme_rollup_refresh(programme_id=programme_id)
