"""The impact page: "what if this slips by N" from a project or a milestone."""

from __future__ import annotations

from datetime import date

import pytest
from pytest_django import DjangoAssertNumQueries

from tests.conftest import ROLES, VISIBLE_PROJECTS, Cast
from tests.factories import DependencyFactory, MilestoneFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def downstream(cast: Cast) -> None:
    a2 = cast.project_a2
    a2.baseline_start, a2.baseline_finish = date(2026, 12, 21), date(2027, 6, 30)
    a2.save()
    DependencyFactory(upstream=cast.project_a1, downstream=a2)
    MilestoneFactory(project=a2, name="Go live", baseline_date=date(2027, 3, 1))


@pytest.mark.parametrize("role", ROLES)
def test_the_page_answers_those_who_may_read_the_project_and_no_one_else(
    cast: Cast, role: str
) -> None:
    response = cast.client_for(getattr(cast, role)).get(f"/projects/{cast.project_a1.pk}/impact/")
    assert response.status_code == (200 if "project_a1" in VISIBLE_PROJECTS[role] else 404)


def test_a_four_week_slip_lists_another_programmes_milestone_with_its_chain(
    cast: Cast, downstream: None
) -> None:
    client = cast.client_for(cast.executive)
    url = f"/projects/{cast.project_a1.pk}/impact/?slips=finish&by=4&unit=weeks"
    page = client.get(url).content.decode()
    assert "Programme A2" in page
    assert "Milestone “Go live”" in page
    assert "1 Mar 2027" in page
    assert "Project A1: Finish → Project A2: Start → Project A2: Go live" in page


def test_htmx_gets_only_the_result(cast: Cast, downstream: None) -> None:
    client = cast.client_for(cast.pmo)
    url = f"/projects/{cast.project_a1.pk}/impact/?slips=finish&by=20&unit=working_days"
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="impact-result"')
    assert "Go live" in fragment


def test_a_slip_of_a_milestone_of_another_project_is_refused(cast: Cast, downstream: None) -> None:
    other = MilestoneFactory(project=cast.project_a2)
    client = cast.client_for(cast.pmo)
    url = f"/projects/{cast.project_a1.pk}/impact/?slips=milestone:{other.pk}&by=4&unit=weeks"
    page = client.get(url).content.decode()
    assert "Select a valid choice" in page
    assert "Go live" not in page


def test_a_programme_manager_sees_another_programmes_milestone_their_dependency_reaches(
    cast: Cast, downstream: None
) -> None:
    client = cast.client_for(cast.programme_manager)
    page = client.get(f"/projects/{cast.project_a1.pk}/impact/?by=4&unit=weeks").content.decode()
    assert "Programme A2" in page and "Go live" in page


def test_moves_beyond_a_users_reach_are_only_counted(cast: Cast) -> None:
    DependencyFactory(upstream=cast.project_b1, downstream=cast.project_a2, kind="ff")
    DependencyFactory(upstream=cast.project_a2, downstream=cast.project_a1, kind="ff")
    client = cast.client_for(cast.other_project_manager)
    page = client.get(f"/projects/{cast.project_b1.pk}/impact/?by=4&unit=weeks").content.decode()
    assert "1 more in projects you cannot see" in page
    assert "Project A1" not in page


def test_the_page_takes_a_fixed_number_of_queries(
    cast: Cast, downstream: None, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    client = cast.client_for(cast.pmo)
    client.get("/")  # the session, the login's bookkeeping
    with django_assert_max_num_queries(16):
        client.get(f"/projects/{cast.project_a1.pk}/impact/?by=4&unit=weeks")


def test_the_project_page_links_to_the_impact_of_its_finish_and_of_each_open_milestone(
    cast: Cast,
) -> None:
    milestone = MilestoneFactory(project=cast.project_a1)
    page = cast.client_for(cast.pmo).get(f"/projects/{cast.project_a1.pk}/").content.decode()
    assert f"/projects/{cast.project_a1.pk}/impact/" in page
    assert f"?slips=milestone:{milestone.pk}" in page
