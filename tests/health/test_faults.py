"""Health jobs under faults, with a real worker, real Redis, real PostgreSQL and real
signals: a worker child killed mid-job, a worker group killed outright, a database error.
Each ends with the same health as a clean run, and one current record per subject."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db.models import Count

from portfolio.core.queue import publish
from portfolio.health import rollup
from portfolio.health.models import (
    HealthRecord,
    HealthRequest,
    PortfolioHealth,
    ProgrammeHealth,
    ProjectHealth,
)
from programmes.models import HealthPolicy
from tests.conftest import ROOT, database_url, wait_for
from tests.factories import (
    MilestoneFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
    RiskFactory,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
PAUSE_SECONDS = 3

StartWorker = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_worker(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[StartWorker]:
    """Start prefork workers (one child each) whose health jobs pause before storing."""
    workers: list[subprocess.Popen[bytes]] = []
    marker = tmp_path / "jobs"

    def start(*, with_beat: bool = False) -> subprocess.Popen[bytes]:
        # With beat inside (as production runs one), the sweep resends what was lost.
        beat = ["-B", "--schedule", str(tmp_path / f"beat-{len(workers)}")] if with_beat else []
        (ROOT / "test-results").mkdir(exist_ok=True)
        name = f"{request.node.name}-worker-{len(workers)}.log"
        log = (ROOT / "test-results" / name).open("wb")
        worker = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "tests.health.fault_worker", "worker"),
                *("--pool=prefork", "--concurrency=1", "--without-gossip"),
                *("--without-mingle", "--without-heartbeat", "-l", "info"),
                *beat,
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "FAULT_MARKER": str(marker),
                "FAULT_PAUSE_SECONDS": str(PAUSE_SECONDS),
                "CELERY_VISIBILITY_TIMEOUT": "5",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to kill it whole
        )
        workers.append(worker)
        return worker

    start.marker = marker  # type: ignore[attr-defined]
    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)


def _job_pids(start: StartWorker) -> list[int]:
    marker: Path = start.marker  # type: ignore[attr-defined]
    return [int(line) for line in marker.read_text().split()] if marker.exists() else []


def _an_organisation() -> None:
    portfolio = PortfolioFactory()
    HealthPolicy.objects.create(portfolio=portfolio)
    programme = ProgrammeFactory(portfolio=portfolio)
    for n in range(3):
        project = ProjectFactory(programme=programme)
        MilestoneFactory(project=project)
        RiskFactory(project=project, probability=4, impact=5 - n)


def _health_is_true() -> bool:
    """No request pending, and stored health equal to a recomputation from scratch."""
    return not HealthRequest.objects.exists() and rollup.stale_subjects() == []


def _one_current_record_each() -> None:
    for model, field in (
        (ProjectHealth, "project"),
        (ProgrammeHealth, "programme"),
        (PortfolioHealth, "portfolio"),
    ):
        records: type[HealthRecord] = model
        doubled = (
            records._default_manager.filter(is_current=True)
            .values(field)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubled.exists()


def test_a_job_whose_worker_child_is_killed_is_done_again(start_worker: StartWorker) -> None:
    start_worker()
    _an_organisation()  # its creation queues the health jobs
    first = wait_for(lambda: _job_pids(start_worker))[0]
    os.kill(first, signal.SIGKILL)
    wait_for(_health_is_true, timeout=120)
    _one_current_record_each()
    assert len(_job_pids(start_worker)) > 1  # the killed job ran again


def test_the_full_roll_up_killed_mid_way_is_done_again(start_worker: StartWorker) -> None:
    _an_organisation()
    HealthRequest.objects.all().delete()  # only the full run computes, here
    start_worker()
    publish("health.recompute_all")
    first = wait_for(lambda: _job_pids(start_worker))[0]
    os.kill(first, signal.SIGKILL)
    wait_for(_health_is_true, timeout=120)
    _one_current_record_each()


def test_a_killed_worker_groups_jobs_run_when_a_worker_comes_back(
    start_worker: StartWorker,
) -> None:
    worker = start_worker()
    _an_organisation()
    wait_for(lambda: _job_pids(start_worker))
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert HealthRequest.objects.exists()  # nothing was stored: the marks wait
    time.sleep(6)  # past the visibility timeout the test gives the broker
    # Jobs the dead group had taken come back from the broker; any it held only in memory
    # (a countdown not yet due) are sent again by beat's sweep of old requests.
    start_worker(with_beat=True)
    wait_for(_health_is_true, timeout=120)
    _one_current_record_each()
