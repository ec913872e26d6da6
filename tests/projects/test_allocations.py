"""Bookings of people onto projects: projects.services.allocation_save and the queries."""

import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from programmes.models import Person
from projects.models import Allocation, Project
from projects.services import allocation_save
from tests.concurrency import run_at_once
from tests.factories import AllocationFactory, PersonFactory, ProjectFactory

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def booking(person: Person, project: Project, start: date, finish: date, **kw: Any) -> Allocation:
    """An unsaved booking, as a form or the API would hand it to the service."""
    return AllocationFactory.build(
        person=person, project=project, start_date=start, finish_date=finish, **kw
    )


@pytest.fixture
def ada(db: None) -> Person:
    return PersonFactory(name="Ada", user=None, weekly_capacity_hours=Decimal("37.5"))


@pytest.fixture
def payments(db: None) -> Project:
    return ProjectFactory(name="Payments")


# One request at a time -----------------------------------------------------------------


def test_a_booking_is_saved(ada: Person, payments: Project) -> None:
    saved = allocation_save(allocation=booking(ada, payments, *Q1, percent=60))
    assert Allocation.objects.get(pk=saved.pk).percent == 60


def test_a_booking_overlapping_another_on_the_same_project_is_refused_naming_its_dates(
    ada: Person, payments: Project
) -> None:
    allocation_save(allocation=booking(ada, payments, *Q1))
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(allocation=booking(ada, payments, date(2026, 3, 31), date(2026, 6, 30)))
    assert excinfo.value.message_dict == {
        "start_date": ["Ada is already booked on this project from 1 Jan 2026 to 31 Mar 2026."]
    }
    assert Allocation.objects.count() == 1


def test_a_booking_may_start_the_day_after_the_previous_one_ends(
    ada: Person, payments: Project
) -> None:
    allocation_save(allocation=booking(ada, payments, *Q1))
    allocation_save(allocation=booking(ada, payments, date(2026, 4, 1), date(2026, 6, 30)))
    assert Allocation.objects.count() == 2


def test_the_same_person_may_be_booked_on_two_projects_in_the_same_weeks(
    ada: Person, payments: Project
) -> None:
    # Over-allocation across projects is shown on the heat map, not refused.
    allocation_save(allocation=booking(ada, payments, *Q1, percent=80))
    allocation_save(allocation=booking(ada, ProjectFactory(), *Q1, percent=80))
    assert Allocation.objects.count() == 2


def test_extending_a_booking_does_not_clash_with_itself(ada: Person, payments: Project) -> None:
    saved = allocation_save(allocation=booking(ada, payments, *Q1))
    saved.finish_date = date(2026, 4, 30)
    allocation_save(allocation=saved)
    assert Allocation.objects.get().finish_date == date(2026, 4, 30)


def test_a_booking_finishing_before_it_starts_is_refused_on_finish_date(
    ada: Person, payments: Project
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(allocation=booking(ada, payments, date(2026, 3, 1), date(2026, 2, 1)))
    assert set(excinfo.value.message_dict) == {"finish_date"}


def test_a_booking_by_both_percent_and_hours_is_refused_on_percent(
    ada: Person, payments: Project
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(
            allocation=booking(ada, payments, *Q1, percent=50, hours_per_week=Decimal(10))
        )
    assert set(excinfo.value.message_dict) == {"percent"}


def test_a_clash_that_slips_past_the_check_is_reported_on_start_date_not_as_a_database_error(
    ada: Person, payments: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if another writer (an import, the admin) had skipped the service's check: the
    # PostgreSQL exclusion constraint refuses the row, and the caller sees the usual error.
    allocation_save(allocation=booking(ada, payments, *Q1))
    monkeypatch.setattr(Allocation, "clean", lambda self: None)
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(allocation=booking(ada, payments, date(2026, 2, 1), date(2026, 2, 28)))
    assert excinfo.value.message_dict == {
        "start_date": ["Ada is already booked on this project from 1 Jan 2026 to 31 Mar 2026."]
    }
    assert Allocation.objects.count() == 1


# Two requests at once ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_overlapping_bookings_made_at_once_are_checked_one_after_the_other(
    ada: Person, payments: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    check, save = Allocation.clean, Allocation.save
    inserts: list[Allocation] = []

    def slow_check(self: Allocation) -> None:
        # Keep the window between check and save open: without the lock on the person,
        # the other request would check now, see nothing, and go on to insert.
        check(self)
        time.sleep(0.3)

    def counted_save(self: Allocation, *args: Any, **kwargs: Any) -> None:
        inserts.append(self)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Allocation, "clean", slow_check)
    monkeypatch.setattr(Allocation, "save", counted_save)
    outcomes = run_at_once(
        lambda: allocation_save(allocation=booking(ada, payments, *Q1)),
        lambda: allocation_save(allocation=booking(ada, payments, date(2026, 2, 1), Q1[1])),
    )

    [saved] = [o for o in outcomes if isinstance(o, Allocation)]
    [refused] = [o for o in outcomes if isinstance(o, ValidationError)]
    assert set(refused.message_dict) == {"start_date"}
    # The loser was stopped by the check, not by the database constraint behind it.
    assert inserts == [saved]
    assert Allocation.objects.count() == 1


# Queries ----------------------------------------------------------------------------------


def test_overlapping_finds_bookings_sharing_at_least_one_day_with_the_range(
    ada: Person, payments: Project
) -> None:
    january = AllocationFactory(
        person=ada, project=payments, start_date=date(2026, 1, 1), finish_date=date(2026, 1, 31)
    )
    march = AllocationFactory(
        person=ada, project=payments, start_date=date(2026, 3, 1), finish_date=date(2026, 3, 31)
    )
    found = Allocation.objects.overlapping
    assert list(found(date(2026, 1, 31), date(2026, 3, 1))) == [january, march]
    assert list(found(date(2026, 2, 1), date(2026, 2, 28))) == []


def test_booked_hours_are_spread_over_iso_weeks_by_the_working_days_covered(
    ada: Person, payments: Project
) -> None:
    # 50% of 37.5 h from Monday 2 Feb to Wednesday 11 Feb, then 10 h/week on another
    # project from Thursday 12 Feb to Friday 20 Feb: the week of 9 Feb holds 3/5 of the
    # first and 2/5 of the second, not both in full.
    AllocationFactory(
        person=ada, project=payments, start_date=date(2026, 2, 2), finish_date=date(2026, 2, 11)
    )
    AllocationFactory(
        person=ada,
        start_date=date(2026, 2, 12),
        finish_date=date(2026, 2, 20),
        percent=None,
        hours_per_week=Decimal(10),
    )
    hours = Allocation.objects.weekly_booked_hours(date(2026, 2, 1), date(2026, 2, 28))
    assert hours == {
        ada.pk: {
            date(2026, 2, 2): Decimal("18.75"),
            date(2026, 2, 9): Decimal("11.25") + Decimal(4),
            date(2026, 2, 16): Decimal(10),
        }
    }


def test_booked_hours_leave_out_weeks_outside_the_range_and_weekend_only_days(
    ada: Person, payments: Project
) -> None:
    AllocationFactory(
        person=ada, project=payments, start_date=date(2026, 1, 3), finish_date=date(2026, 3, 31)
    )
    # Saturday 3 Jan lies in the ISO week of Monday 29 Dec but covers none of its workdays.
    hours = Allocation.objects.weekly_booked_hours(date(2026, 1, 1), date(2026, 1, 14))
    assert hours == {
        ada.pk: {date(2026, 1, 5): Decimal("18.75"), date(2026, 1, 12): Decimal("18.75")}
    }


def test_booked_hours_of_everyone_come_from_one_query(
    payments: Project, django_assert_num_queries: Any
) -> None:
    for _ in range(5):
        AllocationFactory(
            project=payments, start_date=date(2026, 1, 5), finish_date=date(2026, 6, 26)
        )
    with django_assert_num_queries(1):
        hours = Allocation.objects.weekly_booked_hours(date(2026, 1, 1), date(2026, 6, 30))
    assert len(hours) == 5
