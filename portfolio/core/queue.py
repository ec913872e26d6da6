"""Publishing Celery jobs after the surrounding transaction commits, failing fast.

A user's write must never fail because the broker is down: the job is logged as not sent
and the caller's data stays committed (periodic jobs recompute from the source rows).
"""

import logging
from typing import Any

from celery import Task, current_app
from django.db import DatabaseError, transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# For jobs that recompute from the source rows (running twice is harmless): at least once.
# A job whose worker dies is delivered again (acks_late with reject_on_worker_lost; the
# broker's visibility timeout covers a whole worker group), and a database error (a
# deadlock with a user's write, a restart) is retried with backoff.
AT_LEAST_ONCE: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 30,
    "max_retries": 6,
}


def publish(task: Task | str, *args: Any, countdown: float | None = None) -> bool:
    """Send the job (a task, or its registered name so that lower layers need not import
    the module defining it), to run after `countdown` seconds; False when the broker could
    not be reached. In the quick start (no broker) the job runs here and now."""
    if isinstance(task, str):
        # Each app's ready() imports its tasks module, so every process knows every name.
        task = current_app.tasks[task]
    try:
        task.apply_async(args=args, countdown=countdown or 0)
    except (OperationalError, ConnectionError, TimeoutError) as exc:
        logger.warning("Broker unreachable, %s%r not sent: %s", task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task: Task | str, *args: Any) -> None:
    transaction.on_commit(lambda: publish(task, *args))
