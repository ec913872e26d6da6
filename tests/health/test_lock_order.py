"""A user's write and a health job wanting the same pending marks at once, on real
PostgreSQL connections: neither waits for the other in a cycle, so the user's write never
fails with a deadlock (a weekly update's submit once answered 500 this way), and the
request it made is not lost."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from portfolio.health import rollup
from portfolio.health.models import HealthRequest
from portfolio.health.requests import health_request
from tests.conftest import wait_for
from tests.factories import ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(work: Callable[[], None], failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported to the test thread
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.parametrize("project_first", [True, False], ids=["project-first", "programme-first"])
def test_a_write_asking_for_a_project_and_its_programme_while_the_job_runs_never_deadlocks(
    project_first: bool,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    project = ProjectFactory(programme=ProgrammeFactory())
    HealthRequest.objects.all().delete()
    health_request(subject="project", subject_id=project.pk)  # the job's own request
    HealthRequest.objects.filter(subject="project").update(generation=1)
    failures: list[BaseException] = []
    holds_first, go_on = threading.Event(), threading.Event()
    marks = [("project", project.pk), ("programme", project.programme_id)]
    first, second = marks if project_first else marks[::-1]

    def write() -> None:
        # A submit: one saved row asks for one mark, a later row in the same transaction
        # for the other (project first is the order the weekly update's saves took).
        with transaction.atomic():
            health_request(subject=first[0], subject_id=first[1])
            holds_first.set()
            go_on.wait(10)
            health_request(subject=second[0], subject_id=second[1])

    writer = _in_thread(write, failures)
    holds_first.wait(10)
    job = _in_thread(lambda: rollup.recompute_requested("project", project.pk), failures)
    # The job now waits for the write's first mark (or has finished): let the write ask
    # for the other, which the job wants too.
    wait_for(lambda: _someone_waits_for_a_lock() or not job.is_alive(), timeout=10)
    go_on.set()
    writer.join(20)
    job.join(20)

    assert not writer.is_alive() and not job.is_alive()
    assert failures == []
    # The write came after the job read its request: the project's mark stays for the next
    # run, and the programme is asked for.
    assert set(HealthRequest.objects.values_list("subject", "subject_id")) == set(marks)
