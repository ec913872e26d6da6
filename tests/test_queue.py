"""Publishing jobs: only after commit, and never hanging or failing the write when the broker
is unreachable."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.db import transaction

from programmes.models import ProgrammeRollup
from programmes.services import programme_rollup_request
from tests.factories import ProgrammeFactory, ProjectFactory

PUBLISH = (
    "import django; django.setup();"
    "from portfolio.queue import publish;"
    "from programmes.tasks import refresh_programme_rollup;"
    "print(publish(refresh_programme_rollup, 1))"
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


def test_a_rollup_request_is_published_only_when_the_transaction_commits(
    db: None, django_capture_on_commit_callbacks, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from portfolio.celery import app

    app.conf.task_always_eager = True
    try:
        programme = ProgrammeFactory()
        ProjectFactory(programme=programme)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            programme_rollup_request(programme_id=programme.pk)
        assert len(callbacks) == 1
        assert not ProgrammeRollup.objects.exists()
        with transaction.atomic():
            callbacks[0]()
        assert ProgrammeRollup.objects.get().project_count == 1
    finally:
        app.conf.task_always_eager = False
