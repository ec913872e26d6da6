"""Who sees what: the role matrix of DESIGN.md 'Who may do what', through the pages."""

import pytest
from django.urls import reverse

from tests.conftest import ROLES, VISIBLE_PROGRAMMES, VISIBLE_PROJECTS, Cast

LANDING = {
    "pmo": "dashboards:portfolio-list",
    "executive": "dashboards:portfolio",
    "programme_manager": "programmes:mine",
    "project_manager": "projects:mine",
    "other_project_manager": "projects:mine",
    "outsider": "no-access",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("project", sorted(VISIBLE_PROJECTS["pmo"]))
def test_project_page_is_shown_only_to_roles_that_may_read_it(
    cast: Cast, role: str, project: str
) -> None:
    client = cast.client_for(getattr(cast, role))
    response = client.get(getattr(cast, project).get_absolute_url())
    assert response.status_code == (200 if project in VISIBLE_PROJECTS[role] else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("programme", sorted(VISIBLE_PROGRAMMES["pmo"]))
def test_programme_page_is_shown_only_to_roles_that_may_read_it(
    cast: Cast, role: str, programme: str
) -> None:
    client = cast.client_for(getattr(cast, role))
    response = client.get(getattr(cast, programme).get_absolute_url())
    assert response.status_code == (200 if programme in VISIBLE_PROGRAMMES[role] else 404)


@pytest.mark.parametrize("role", ROLES)
def test_project_list_holds_exactly_the_projects_the_role_may_read(cast: Cast, role: str) -> None:
    response = cast.client_for(getattr(cast, role)).get(reverse("projects:list"))
    listed = {row.record.name for row in response.context["table"].paginated_rows}
    assert listed == {getattr(cast, name).name for name in VISIBLE_PROJECTS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_own_page(cast: Cast, role: str) -> None:
    response = cast.client_for(getattr(cast, role)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LANDING[role])


def test_my_projects_lists_only_the_managers_own_projects(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(reverse("projects:mine"))
    assert [project.name for project, _ in response.context["rows"]] == ["Project A1"]


def test_my_projects_is_empty_for_an_account_without_a_person(
    cast: Cast, django_user_model
) -> None:
    bare = django_user_model.objects.create_user("bare", password="x-long-password")
    client = cast.client_for(cast.pmo)
    client.force_login(bare)
    response = client.get(reverse("projects:mine"))
    assert response.context["rows"] == []


def test_anonymous_visitors_are_sent_to_log_in(client, cast: Cast) -> None:
    response = client.get(cast.project_a1.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_navigation_shows_pmo_the_people_page_but_not_project_managers(cast: Cast) -> None:
    people = reverse("programmes:person-list")
    assert people in cast.client_for(cast.pmo).get(reverse("projects:list")).content.decode()
    page = cast.client_for(cast.project_manager).get(reverse("projects:list")).content.decode()
    assert people not in page


def test_executive_dashboard_shows_only_their_portfolios(cast: Cast) -> None:
    response = cast.client_for(cast.executive).get(reverse("dashboards:portfolio"))
    shown = [section.portfolio.name for section in response.context["overview"].sections]
    assert shown == ["Portfolio A"]
