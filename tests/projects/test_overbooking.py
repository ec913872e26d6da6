"""Over-booking a person across projects: the warning a booker gets, and the portfolio
policy that refuses it instead (issue 17, part 1)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portfolio.core.capacity import WeekLoad, overbooking_summary
from programmes.models import HealthPolicy, Person, Portfolio
from projects.models import Allocation, Project
from projects.services import allocation_save
from tests.concurrency import run_at_once
from tests.conftest import Cast
from tests.factories import AllocationFactory, PersonFactory, ProjectFactory

# ISO weeks 12–15 of 2027: Monday 22 March to Friday 16 April.
WEEKS_12_TO_15 = (date(2027, 3, 22), date(2027, 4, 16))


def refuse_overbooking(portfolio: Portfolio) -> None:
    HealthPolicy.objects.update_or_create(
        portfolio=portfolio, defaults={"overbooking": HealthPolicy.Overbooking.REFUSE}
    )


@pytest.fixture
def tara(db: None) -> Person:
    return PersonFactory(name="Tara Singh", user=None, weekly_capacity_hours=Decimal("37.5"))


@pytest.fixture
def busy_tara(tara: Person) -> Person:
    """Tara at 80 % on another project in weeks 12–15."""
    AllocationFactory(
        person=tara,
        project=ProjectFactory(name="Signalling"),
        start_date=WEEKS_12_TO_15[0],
        finish_date=WEEKS_12_TO_15[1],
        percent=80,
        hours_per_week=None,
    )
    return tara


def booking(person: Person, project: Project, percent: int) -> Allocation:
    return AllocationFactory.build(
        person=person,
        project=project,
        start_date=WEEKS_12_TO_15[0],
        finish_date=WEEKS_12_TO_15[1],
        percent=percent,
        hours_per_week=None,
    )


# The words -------------------------------------------------------------------------------


def _week(monday: date, booked: str, capacity: str = "40") -> WeekLoad:
    return WeekLoad(monday, Decimal(booked), Decimal(capacity))


def test_consecutive_over_booked_weeks_read_as_one_run_with_its_highest_load() -> None:
    weeks = [
        _week(date(2027, 3, 22), "52"),  # week 12, 130 %
        _week(date(2027, 3, 29), "44"),  # week 13, 110 %
        _week(date(2027, 4, 5), "40"),  # week 14, 100 %: full, not over
        _week(date(2027, 4, 12), "48"),  # week 15, 120 %
        _week(date(2027, 4, 19), "48"),  # week 16, 120 %
    ]
    assert overbooking_summary(weeks) == (
        "130 % in weeks 12–13 of 2027 and 120 % in weeks 15–16 of 2027"
    )


def test_a_single_week_and_a_run_across_new_year_are_named_with_their_years() -> None:
    assert overbooking_summary([_week(date(2027, 3, 22), "41")]) == "103 % in week 12 of 2027"
    across = [_week(date(2027, 12, 27), "60"), _week(date(2028, 1, 3), "60")]
    assert overbooking_summary(across) == "150 % from week 52 of 2027 to week 1 of 2028"


def test_weeks_within_capacity_say_nothing() -> None:
    assert overbooking_summary([_week(date(2027, 3, 22), "40")]) == ""


# Saving a booking -------------------------------------------------------------------------


def test_a_booking_that_takes_someone_over_capacity_is_saved_with_a_warning_naming_the_weeks(
    busy_tara: Person,
) -> None:
    saved = allocation_save(allocation=booking(busy_tara, ProjectFactory(), percent=50))
    assert Allocation.objects.filter(pk=saved.pk).exists()
    assert saved.overbooking_warning() == "This takes Tara Singh to 130 % in weeks 12–15 of 2027."
    assert saved.overbooking_on_save == saved.overbooking_warning()


def test_a_booking_within_capacity_warns_of_nothing(busy_tara: Person) -> None:
    saved = allocation_save(allocation=booking(busy_tara, ProjectFactory(), percent=20))
    assert saved.overbooking_warning() == ""


def test_the_warning_names_only_the_weeks_this_booking_covers(busy_tara: Person) -> None:
    # Over-booked in weeks 12–15 already; a booking in week 16 alone takes her to 50 %.
    later = AllocationFactory.build(
        person=busy_tara,
        project=ProjectFactory(),
        start_date=date(2027, 4, 19),
        finish_date=date(2027, 4, 23),
        percent=50,
        hours_per_week=None,
    )
    assert allocation_save(allocation=later).overbooking_warning() == ""


def test_a_portfolio_that_refuses_over_booking_refuses_it_on_the_percent_and_saves_nothing(
    busy_tara: Person,
) -> None:
    project = ProjectFactory(name="Timetables")
    refuse_overbooking(project.portfolio)
    new = booking(busy_tara, project, percent=50)
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(allocation=new)
    assert excinfo.value.message_dict == {
        "percent": [
            "This takes Tara Singh to 130 % in weeks 12–15 of 2027. "
            f"{project.portfolio}'s policy refuses over-bookings."
        ]
    }
    assert not Allocation.objects.filter(project=project).exists()
    assert new.pk is None  # the form holds an unsaved booking again, to correct and resend


def test_hours_a_week_over_capacity_are_refused_on_the_hours(busy_tara: Person) -> None:
    project = ProjectFactory()
    refuse_overbooking(project.portfolio)
    new = booking(busy_tara, project, percent=0)
    new.percent, new.hours_per_week = None, Decimal(10)
    with pytest.raises(ValidationError) as excinfo:
        allocation_save(allocation=new)
    assert list(excinfo.value.message_dict) == ["hours_per_week"]


@pytest.mark.django_db(transaction=True)
def test_two_bookings_made_at_once_cannot_both_take_the_last_free_hours(tara: Person) -> None:
    first, second = ProjectFactory(), ProjectFactory()
    refuse_overbooking(first.portfolio)
    refuse_overbooking(second.portfolio)
    outcomes = run_at_once(
        lambda: allocation_save(allocation=booking(tara, first, percent=60)),
        lambda: allocation_save(allocation=booking(tara, second, percent=60)),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Allocation", "ValidationError"]
    assert Allocation.objects.filter(person=tara).count() == 1


# Through the page and the API --------------------------------------------------------------


def test_the_booking_form_shows_the_warning_on_the_project_page(cast: Cast) -> None:
    tara = PersonFactory(name="Tara Singh", user=None, weekly_capacity_hours=Decimal("37.5"))
    busy = booking(tara, cast.project_a1_sibling, percent=80)
    allocation_save(allocation=busy)
    response = cast.client_for(cast.pmo).post(
        reverse("projects:allocation-create", args=[cast.project_a1.pk]),
        {
            "person": tara.pk,
            "start_date": "2027-03-22",
            "finish_date": "2027-04-16",
            "percent": "50",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "This takes Tara Singh to 130 % in weeks 12–15 of 2027." in response.content.decode()


def test_a_refused_booking_keeps_the_form_with_the_reason_next_to_the_percent(cast: Cast) -> None:
    tara = PersonFactory(name="Tara Singh", user=None, weekly_capacity_hours=Decimal("37.5"))
    allocation_save(allocation=booking(tara, cast.project_a1_sibling, percent=80))
    refuse_overbooking(cast.portfolio_a)
    response = cast.client_for(cast.pmo).post(
        reverse("projects:allocation-create", args=[cast.project_a1.pk]),
        {
            "person": tara.pk,
            "start_date": "2027-03-22",
            "finish_date": "2027-04-16",
            "percent": "50",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "refuses over-bookings" in errors["percent"][0]
    assert 'value="50"' in response.content.decode()  # nothing typed is lost


def test_the_api_answers_the_warning_on_create_and_400_naming_the_field_when_refused(
    cast: Cast,
) -> None:
    tara = PersonFactory(name="Tara Singh", user=None, weekly_capacity_hours=Decimal("37.5"))
    allocation_save(allocation=booking(tara, cast.project_a1_sibling, percent=80))
    client = cast.client_for(cast.pmo)
    body = {
        "person": tara.pk,
        "project": cast.project_a1.pk,
        "start_date": "2027-03-22",
        "finish_date": "2027-04-16",
        "percent": 50,
    }
    url = reverse("api:allocation-list")
    created = client.post(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["overbooking_warning"] == (
        "This takes Tara Singh to 130 % in weeks 12–15 of 2027."
    )
    listed = client.get(url, {"person": tara.pk})
    assert {row["overbooking_warning"] for row in listed.json()["results"]} == {None}

    refuse_overbooking(cast.portfolio_a)
    body["project"], body["percent"] = cast.project_a2.pk, 10
    refused = client.post(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 400
    assert "refuses over-bookings" in refused.json()["percent"][0]
