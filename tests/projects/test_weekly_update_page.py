"""The weekly update page: a fixed number of queries however many people it offers as
owners, read once for both of its raise forms, and still every person the user may see."""

from typing import Any

from django.urls import reverse

from tests.conftest import Cast
from tests.factories import MilestoneFactory, PersonFactory, RiskFactory


def _update(cast: Cast) -> str:
    return reverse("projects:report-edit", args=[cast.project_a1.pk])


def test_the_page_reads_a_fixed_number_of_queries_however_many_people_it_offers(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        PersonFactory(name=f"Person {n:02}")
    for _ in range(5):
        MilestoneFactory(project=cast.project_a1)
        RiskFactory(project=cast.project_a1)
    client = cast.client_for(cast.project_manager)
    with django_assert_max_num_queries(12):
        response = client.get(_update(cast))
    assert response.status_code == 200


def test_both_raise_forms_offer_every_person_the_manager_may_see(cast: Cast) -> None:
    PersonFactory(name="Rita Owner")
    page = cast.client_for(cast.project_manager).get(_update(cast)).content.decode()
    for kind in ("risk", "issue"):
        datalist = page[page.index(f'<datalist id="id_{kind}-owner-options">') :]
        datalist = datalist[: datalist.index("</datalist>")]
        assert '<option value="Rita Owner"></option>' in datalist
        assert '<option value="Pam Project"></option>' in datalist


def test_an_owner_picked_by_name_is_taken_by_the_raise_form(cast: Cast) -> None:
    owner = PersonFactory(name="Rita Owner")
    response = cast.client_for(cast.project_manager).post(
        reverse("projects:report-raise", args=[cast.project_a1.pk, "issue"]),
        {"issue-title": "Test rig down", "issue-severity": "3", "issue-owner": "Rita Owner"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()
    assert cast.project_a1.issues.get().owner == owner
