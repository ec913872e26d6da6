"""The real Celery app, for the fault tests: every health job notes its process id just
before it stores its result (inside its transaction, after it read the pending request),
and the first one pauses there, so a test can kill the worker while a job is half done."""

import os
import time
from collections.abc import Callable
from typing import Any

from celery.signals import worker_init, worker_process_init

from portfolio.celery import app

PAUSE_SECONDS = float(os.environ.get("FAULT_PAUSE_SECONDS", "0"))
MARKER = os.environ.get("FAULT_MARKER", "")

__all__ = ["app"]


def _pausing(store: Callable[..., Any]) -> Callable[..., Any]:
    def store_after_a_pause(*args: Any, **kwargs: Any) -> Any:
        with open(MARKER, "a+") as marker:
            marker.seek(0)
            first = not marker.read()
            marker.write(f"{os.getpid()}\n")
        if first:
            time.sleep(PAUSE_SECONDS)
        return store(*args, **kwargs)

    return store_after_a_pause


def _install(**_: Any) -> None:
    from portfolio.health import rollup  # the app registry is ready only now

    if MARKER and not getattr(rollup._store, "paused", False):
        rollup._store = _pausing(rollup._store)  # type: ignore[assignment]
        rollup._store.paused = True  # type: ignore[attr-defined]


worker_init.connect(_install, weak=False)
worker_process_init.connect(_install, weak=False)
