"""The roll-up path through a real Celery worker, real Redis and real PostgreSQL."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from programmes.models import ProgrammeRollup
from programmes.services import programme_rollup_request
from tests.factories import ProgrammeFactory, ProjectFactory

ROOT = Path(__file__).resolve().parent.parent


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    assert settings.REDIS_URL, "the worker tests need REDIS_URL (make test starts Redis)"
    (ROOT / "test-results").mkdir(exist_ok=True)
    log = open(ROOT / "test-results" / "celery-worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portfolio",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _test_database_url()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
    log.close()


def _wait_for(predicate, timeout: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the worker did not write in time; see test-results/celery-worker.log")


@pytest.mark.worker
def test_a_worker_recomputes_the_programme_rollup_after_commit(celery_worker) -> None:
    programme = ProgrammeFactory()
    ProjectFactory(programme=programme, budget=Decimal("100000"), spend_to_date=Decimal("10"))
    ProjectFactory(programme=programme, budget=Decimal("250000"), spend_to_date=Decimal("20"))
    with transaction.atomic():
        programme_rollup_request(programme_id=programme.pk)

    rollup = _wait_for(lambda: ProgrammeRollup.objects.filter(programme=programme).first())
    assert rollup.project_count == 2
    assert rollup.budget == Decimal("350000")
    assert rollup.spend_to_date == Decimal("30")
