"""Publishing jobs never hangs, nor fails the write, when the broker is unreachable (that a
health request leaves only after commit is in tests/health/test_health.py)."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

PUBLISH = (
    "import django; django.setup();"
    "from portfolio.core.queue import publish;"
    "print(publish('health.recompute', 'project', 1))"
)


def _publish_with_broker(url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", PUBLISH],
        env={**env, "REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "portfolio.settings"},
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails the test here
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def silent_broker() -> Iterator[int]:
    """A port that accepts TCP connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_publishing_to_a_refused_port_reports_failure_instead_of_raising() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    assert _publish_with_broker(f"redis://127.0.0.1:{closed_port}/0") == "False"


def test_publishing_to_a_broker_that_never_answers_gives_up(silent_broker: int) -> None:
    assert _publish_with_broker(f"redis://127.0.0.1:{silent_broker}/0") == "False"
