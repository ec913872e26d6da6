"""Levelling suggestions on the capacity page: the panel under an over-booked person's row,
and applying one as an ordinary audited booking write (issue 17, part 2)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.health.models import HealthRequest
from programmes.models import Person
from tests.conftest import Cast
from tests.dashboards.levelling_cast import MONDAY, book, overbooked_tara

pytestmark = pytest.mark.django_db

APPLY = reverse("dashboards:capacity-level")


@pytest.fixture
def tara(cast: Cast) -> Person:
    return overbooked_tara(cast, committed=False)


def _suggestions(cast: Cast, person: Person, tara: Person) -> str:
    url = reverse("dashboards:capacity-suggestions", args=[tara.pk])
    return cast.client_for(person).get(url, headers={"HX-Request": "true"}).content.decode()


def test_the_panel_ranks_giving_the_lower_priority_work_to_a_free_teammate_first(
    cast: Cast, tara: Person
) -> None:
    body = _suggestions(cast, cast.programme_manager, tara)

    assert "Tara Singh</strong> is at 130 %" in body
    first = body.index("to Ana Ruiz")
    assert body.index(f"Give Tara Singh&#x27;s work on {cast.project_a1_sibling.name}") < first
    assert "Ana Ruiz goes to 50 %" in body
    assert body.count(">Apply</button>") >= 2


def test_the_capacity_page_offers_suggestions_on_the_over_booked_persons_row(
    cast: Cast, tara: Person
) -> None:
    page = cast.client_for(cast.programme_manager).get(
        reverse("dashboards:capacity") + "?attention=1"
    )

    assert reverse("dashboards:capacity-suggestions", args=[tara.pk]) in page.content.decode()


def test_applying_a_suggestion_rebooks_the_work_audited_and_asks_for_health(
    cast: Cast, tara: Person
) -> None:
    sibling = tara.allocations.get(project=cast.project_a1_sibling)
    key = f"reassign-{sibling.pk}-{Person.objects.get(name='Ana Ruiz').pk}-{MONDAY:%Y%m%d}"
    HealthRequest.objects.all().delete()

    response = cast.client_for(cast.programme_manager).post(APPLY, {"key": key}, follow=True)

    sibling.refresh_from_db()
    assert sibling.person.name == "Ana Ruiz"
    assert sibling.history.first().history_change_reason.startswith("Levelling: Give")
    assert HealthRequest.objects.exists()
    assert "Done: Give Tara Singh" in response.content.decode()
    assert not tara.allocations.all().weekly_load(date.today())[tara.pk].is_overbooked


def test_a_suggestion_no_longer_offered_is_refused_and_nothing_changes(
    cast: Cast, tara: Person
) -> None:
    sibling = tara.allocations.get(project=cast.project_a1_sibling)
    key = f"split-{sibling.pk}-3.0-{MONDAY:%Y%m%d}"

    response = cast.client_for(cast.programme_manager).post(APPLY, {"key": key}, follow=True)

    assert "no longer offered" in response.content.decode()
    sibling.refresh_from_db()
    assert sibling.hours_per_week == Decimal(20)


def test_a_programme_manager_may_not_rebook_another_programmes_work(
    cast: Cast, tara: Person
) -> None:
    other = book(tara, cast.project_b1, 4)
    key = f"split-{other.pk}-0-{MONDAY:%Y%m%d}"

    response = cast.client_for(cast.programme_manager).post(APPLY, {"key": key})

    assert response.status_code == 403
    assert _suggestions(cast, cast.programme_manager, tara).count(cast.project_b1.name) == 0


def test_project_managers_are_refused_suggestions_and_applying(cast: Cast, tara: Person) -> None:
    client = cast.client_for(cast.project_manager)
    url = reverse("dashboards:capacity-suggestions", args=[tara.pk])

    assert client.get(url).status_code == 403
    assert client.post(APPLY, {"key": "split-1-0-20270101"}).status_code == 403
