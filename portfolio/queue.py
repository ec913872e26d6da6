"""Publishing Celery jobs after the surrounding transaction commits, failing fast.

A user's write must never fail because the broker is down: the job is logged as not sent
and the caller's data stays committed (periodic jobs recompute from the source rows).
"""

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def publish(task: Task, *args: Any) -> bool:
    """Send the job now; False when the broker could not be reached."""
    try:
        task.apply_async(args=args)
    except (OperationalError, ConnectionError, TimeoutError) as exc:
        logger.warning("Broker unreachable, %s%r not sent: %s", task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    transaction.on_commit(lambda: publish(task, *args))
