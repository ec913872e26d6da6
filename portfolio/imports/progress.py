"""The running job's progress: published by the commit as it goes, read by the job page.

While the import's transaction is open its writes are invisible to other connections, the
job row included; progress therefore goes through the cache (Redis in production). It is a
courtesy: a cache that is down must neither fail the import nor the page. Once the job has
finished, its row holds the last word and the cache entry is forgotten.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

from portfolio.imports.models import ImportJob

logger = logging.getLogger(__name__)


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def record_progress(job_id: int, done: int, total: int, stage: str) -> None:
    try:
        cache.set(_progress_key(job_id), {"done": done, "total": total, "stage": stage}, 3600)
    except (RedisError, OSError) as exc:
        logger.warning("Import %s: progress not recorded: %s", job_id, exc)


def _live_progress(job_id: int) -> dict[str, Any] | None:
    try:
        value: dict[str, Any] | None = cache.get(_progress_key(job_id))
    except (RedisError, OSError) as exc:
        logger.warning("Import %s: progress not readable: %s", job_id, exc)
        return None
    return value


def forget_progress(job_id: int) -> None:
    with contextlib.suppress(RedisError, OSError):  # it expires on its own anyway
        cache.delete(_progress_key(job_id))


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    stage: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def import_progress(job: ImportJob) -> Progress:
    if job.status == ImportJob.Status.RUNNING:
        live = _live_progress(job.pk)
        if live:
            return Progress(live["done"], live["total"], live["stage"])
        return Progress(0, job.progress_total, "Starting")
    if job.status == ImportJob.Status.SUCCEEDED:
        return Progress(job.progress_total, job.progress_total, "Done")
    return Progress(job.progress_done, job.progress_total, job.get_status_display())
