"""Running requests at the same moment, for the race tests (real PostgreSQL only)."""

import threading
from collections.abc import Callable

from django.db import connection


def run_at_once(*calls: Callable[[], object]) -> list[object]:
    """Run each call in its own thread (so on its own connection), all released together.

    Returns what each call returned or raised, in order.
    """
    start = threading.Barrier(len(calls), timeout=10)
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a request is stuck"
    return outcomes
