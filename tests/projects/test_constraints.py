"""Invariants the database itself keeps, on the real PostgreSQL the tests run against."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import AllocationFactory, ProjectFactory


def test_the_tests_run_on_postgresql(db: None) -> None:
    assert connection.vendor == "postgresql"


def test_a_project_cannot_finish_before_it_starts(db: None) -> None:
    with pytest.raises(IntegrityError, match="project_finishes_after_start"):
        ProjectFactory(baseline_start=date(2026, 5, 1), baseline_finish=date(2026, 4, 1))


def test_overlapping_allocations_of_one_person_to_one_project_are_refused(db: None) -> None:
    first = AllocationFactory(start_date=date(2026, 1, 1), finish_date=date(2026, 3, 31))
    with transaction.atomic(), pytest.raises(IntegrityError, match="allocation_no_overlap"):
        AllocationFactory(
            person=first.person,
            project=first.project,
            start_date=date(2026, 3, 31),
            finish_date=date(2026, 6, 30),
        )
    # Back to back is fine.
    AllocationFactory(
        person=first.person,
        project=first.project,
        start_date=date(2026, 4, 1),
        finish_date=date(2026, 6, 30),
    )
