"""The signed-in user is loaded with their person and what they manage in one query: every
page's navigation and access rules ask, cached pages included."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from portfolio.accounts.backends import AccountBackend, signed_in_user
from portfolio.core.roles import Role
from programmes.models import Person, roles_of
from tests.conftest import Cast
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "pmo": [Role.PMO],
    "executive": [Role.EXECUTIVE],
    "programme_manager": [Role.PROGRAMME_MANAGER],
    "project_manager": [Role.PROJECT_MANAGER],
    "outsider": [],
}


@pytest.mark.parametrize("who", EXPECTED)
def test_the_user_their_person_and_their_roles_come_in_one_query(
    cast: Cast, who: str, django_assert_num_queries: Any
) -> None:
    person: Person = getattr(cast, who)
    with django_assert_num_queries(1):
        user = signed_in_user(person.user_id)
        roles = roles_of(user)
    assert roles == EXPECTED[who] == person.roles()


def test_a_person_who_starts_managing_a_project_has_the_role_on_the_next_request(
    cast: Cast,
) -> None:
    outsider = cast.outsider
    assert Role.PROJECT_MANAGER not in roles_of(signed_in_user(outsider.user_id))
    ProjectFactory(portfolio=cast.portfolio_a, manager=outsider)
    assert roles_of(signed_in_user(outsider.user_id)) == [Role.PROJECT_MANAGER]


def test_a_login_without_a_person_and_an_inactive_or_unknown_login_are_handled(
    cast: Cast,
) -> None:
    bare = User.objects.create_user("bare", password="x" * 20)
    assert roles_of(signed_in_user(bare.pk)) == []
    bare.is_active = False
    bare.save()
    assert AccountBackend().get_user(bare.pk) is None
    assert AccountBackend().get_user(10**9) is None


def test_a_page_served_from_the_page_cache_costs_the_session_and_the_user_only(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = cast.client_for(cast.executive)
    client.get("/dashboard/")
    with django_assert_num_queries(2):
        assert client.get("/dashboard/").status_code == 200
