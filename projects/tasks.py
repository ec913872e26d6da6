from celery import shared_task

from programmes.services import programme_rollup_refresh
from projects.models import Project


@shared_task
def refresh_after_report(project_id: int) -> None:
    """Recompute what a submitted report changes, from the source rows.

    Today that is the programme's roll-up; the health engine hooks in here.
    """
    programme_id = Project.objects.filter(pk=project_id).values_list("programme_id", flat=True)
    for pk in programme_id:
        if pk is not None:
            programme_rollup_refresh(programme_id=pk)
