"""The capacity API: demand per person or group and week, levelling suggestions, and
applying one (issue 17, part 5)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from programmes.models import Person
from projects.levelling import suggestions_for_everyone
from projects.models import Allocation
from tests.conftest import Cast
from tests.dashboards.levelling_cast import MONDAY, book, overbooked_tara
from tests.factories import AllocationFactory, PersonFactory

pytestmark = pytest.mark.django_db

DEMAND = reverse("api:capacity-demand-list")
SUGGESTIONS = reverse("api:capacity-suggestions-list")
APPLY = reverse("api:capacity-apply-list")


@pytest.fixture
def tara(cast: Cast) -> Person:
    return overbooked_tara(cast, committed=True)


def client_for(person: Person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def test_demand_gives_each_persons_committed_hours_and_percent_per_week(
    cast: Cast, tara: Person
) -> None:
    body = client_for(cast.pmo).get(DEMAND, {"team": tara.team_id, "weeks": 2}).json()

    assert len(body["weeks"]) == 2
    row = next(r for r in body["rows"] if r["name"] == "Tara Singh")
    assert row["group"] == "Platform"
    assert row["weeks"][0]["committed"] == 52.0
    assert row["weeks"][0]["percent"] == 130
    assert row["weeks"][0]["overbooked"] is True


def test_demand_by_team_sums_its_members_into_one_row(cast: Cast, tara: Person) -> None:
    body = client_for(cast.pmo).get(DEMAND, {"team": tara.team_id, "by": "team"}).json()

    [row] = body["rows"]
    assert (row["person"], row["name"], row["weeks"][0]["percent"]) == (None, "Platform", 65)


@pytest.mark.parametrize(
    ("query", "field"), [({"weeks": 0}, "weeks"), ({"by": "x"}, "by"), ({"team": 0}, "team")]
)
def test_demand_refuses_a_bad_filter_naming_it(cast: Cast, query: dict, field: str) -> None:
    response = client_for(cast.pmo).get(DEMAND, query)

    assert response.status_code == 400
    assert field in response.json()


def test_suggestions_list_the_over_allocation_with_ranked_options(cast: Cast, tara: Person) -> None:
    [over] = client_for(cast.programme_manager).get(SUGGESTIONS, {"person": tara.pk}).json()

    assert over["summary"].startswith("130 % in weeks")
    first = over["suggestions"][0]
    assert (first["kind"], first["resolves"], first["may_apply"]) == ("reassign", True, True)
    assert first["summary"].endswith("to Ana Ruiz")


def test_applying_a_suggestion_answers_what_changed_and_a_second_time_is_a_conflict(
    cast: Cast, tara: Person
) -> None:
    client = client_for(cast.programme_manager)
    [over] = client.get(SUGGESTIONS, {"person": tara.pk}).json()
    key = over["suggestions"][0]["key"]

    response = client.post(APPLY, {"key": key}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["allocations"] == [over["suggestions"][0]["allocation"]]
    assert client.get(SUGGESTIONS, {"person": tara.pk}).json() == []
    assert client.post(APPLY, {"key": key}, format="json").status_code == 409


def test_a_malformed_key_is_refused_naming_the_field(cast: Cast) -> None:
    response = client_for(cast.pmo).post(APPLY, {"key": "delete everything"}, format="json")

    assert response.status_code == 400
    assert "key" in response.json()


def test_another_programmes_booking_may_not_be_rebooked(cast: Cast, tara: Person) -> None:
    other = book(tara, cast.project_b1, 8)

    response = client_for(cast.programme_manager).post(
        APPLY, {"key": f"split-{other.pk}-0-{MONDAY:%Y%m%d}"}, format="json"
    )

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.hours_per_week == Decimal(8)


def test_suggestions_for_everyone_read_in_a_fixed_number_of_queries(
    cast: Cast, tara: Person, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        found = suggestions_for_everyone(date.today())

    assert [over.person.name for over in found] == ["Tara Singh"]


def test_the_suggestions_api_reads_in_a_fixed_number_of_queries(
    cast: Cast, tara: Person, django_assert_max_num_queries
) -> None:
    for n in range(3):  # more over-booked people cost no more queries
        busy = PersonFactory(name=f"Busy {n}", user=None, weekly_capacity_hours=10)
        book(busy, cast.project_a1_sibling, 12)
    client = client_for(cast.pmo)

    with django_assert_max_num_queries(12):
        found = client.get(SUGGESTIONS).json()

    assert len(found) == 4


def test_demand_reads_in_a_fixed_number_of_queries(
    cast: Cast, tara: Person, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        assert client_for(cast.pmo).get(DEMAND).status_code == 200


def _apply_first(client: APIClient, tara: Person, kind: str) -> dict:
    [over] = client.get(SUGGESTIONS, {"person": tara.pk}).json()
    key = next(s["key"] for s in over["suggestions"] if s["kind"] == kind)
    response = client.post(APPLY, {"key": key}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_split_cuts_the_lower_priority_booking_to_what_fits_and_leaves_the_rest(
    cast: Cast, tara: Person
) -> None:
    long = AllocationFactory(
        person=tara,
        project=cast.project_a2,
        start_date=MONDAY - timedelta(weeks=2),
        finish_date=MONDAY + timedelta(weeks=8, days=-3),
        percent=None,
        hours_per_week=Decimal(4),
    )
    sibling = tara.allocations.get(project=cast.project_a1_sibling)

    done = _apply_first(client_for(cast.pmo), tara, "split")

    sibling.refresh_from_db()
    assert done["allocations"] == [sibling.pk]
    assert sibling.hours_per_week == Decimal(4)  # 32 + 4 + 4 fills her 40 hours
    assert Allocation.objects.get(pk=long.pk).hours_per_week == Decimal(4)
    assert not tara.allocations.all().weekly_load(date.today())[tara.pk].is_overbooked


def test_a_move_books_the_same_hours_later_within_the_projects_slack(cast: Cast) -> None:
    """Full for four weeks on programme A1's two projects, and 4 hours more on Project A2
    in the second week: the small booking moves past the full weeks."""
    max_ = PersonFactory(name="Max Full", user=None, weekly_capacity_hours=40)
    book(max_, cast.project_a1, 24)
    book(max_, cast.project_a1_sibling, 16)
    cast.project_a2.baseline_finish = MONDAY + timedelta(weeks=30)
    cast.project_a2.forecast_finish = None
    cast.project_a2.save()
    later = MONDAY + timedelta(weeks=1)
    short = AllocationFactory(
        person=max_,
        project=cast.project_a2,
        start_date=later,
        finish_date=later + timedelta(days=4),
        percent=None,
        hours_per_week=Decimal(4),
    )

    done = _apply_first(client_for(cast.pmo), max_, "move")

    short.refresh_from_db()
    assert done["allocations"] == [short.pk]
    assert short.start_date == MONDAY + timedelta(weeks=4)
    assert short.hours_per_week == Decimal(4)
    assert not max_.allocations.all().weekly_load(date.today())[max_.pk].is_overbooked
