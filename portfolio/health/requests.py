"""Health recomputation requests: a pending mark per subject, and the job that answers it.

Lower layers never call this module: they send `portfolio.core.signals.health_inputs_changed`
and `portfolio.health.receivers` turns it into requests here.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from portfolio.core.queue import publish
from portfolio.health.models import HealthRequest

# The registered name of `portfolio.health.tasks.recompute_health`, owned here, so that
# requests can be published without importing the tasks module (which imports the roll-up).
RECOMPUTE_TASK = "health.recompute"

# How long a programme's or portfolio's coalescing window stays open (seconds): long
# enough for a burst of project jobs to finish, short enough that a submit reaches the
# programme dashboard within two seconds.
COALESCE_SECONDS = {"project": 0.0, "programme": 1.0, "portfolio": 0.5}
# A request older than this whose job never ran is sent again by the sweep.
SWEEP_AFTER = timedelta(seconds=30)


def health_request(*, subject: str, subject_id: int) -> None:
    """Ask for a health recomputation once the caller's transaction commits, coalesced:
    while one is pending for the subject, more requests add nothing (the pending job reads
    the newest rows when it runs). The row stays if the broker is down; `health_sweep`
    sends it again."""
    try:
        with transaction.atomic():
            HealthRequest.objects.create(subject=subject, subject_id=subject_id)
    except IntegrityError:
        return
    transaction.on_commit(lambda: _send_health_job(subject, subject_id))


def health_claim(*, subject: str, subject_id: int) -> bool:
    """A job starts: remove the pending mark; False when another job already took it."""
    deleted, _ = HealthRequest.objects.filter(subject=subject, subject_id=subject_id).delete()
    return deleted > 0


def health_sweep(*, now: datetime | None = None) -> int:
    """Send again the requests whose jobs never ran; returns how many were sent."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    sent = 0
    for request in HealthRequest.objects.filter(requested_at__lt=cutoff):
        if _send_health_job(request.subject, request.subject_id):
            HealthRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now())
            sent += 1
    return sent


def _send_health_job(subject: str, subject_id: int) -> bool:
    return publish(RECOMPUTE_TASK, subject, subject_id, countdown=COALESCE_SECONDS[subject])
