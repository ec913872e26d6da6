"""Who may write what (DESIGN.md 'Who may do what'), through every write page and fragment.

Each route lists the roles that may use it; every other role of the cast is refused (403 for
pages a role never has, 404 for objects outside its reach) and its POST changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from programmes.models import Benefit, Portfolio, Programme, Stakeholder
from projects.models import Allocation, Dependency, Milestone, Project, Risk
from tests.conftest import ROLES, Cast
from tests.factories import DependencyFactory, MilestoneFactory, RiskFactory


@dataclass(frozen=True)
class Route:
    name: str
    url: Callable[[Cast], str]
    allowed: frozenset[str]


def _r(name: str, url: Callable[[Cast], str], *allowed: str) -> Route:
    return Route(name, url, frozenset(allowed))


ROUTES = [
    _r("new portfolio", lambda c: reverse("programmes:portfolio-create"), "pmo"),
    _r(
        "edit portfolio",
        lambda c: reverse("programmes:portfolio-edit", args=[c.portfolio_a.pk]),
        "pmo",
    ),
    _r(
        "health policy",
        lambda c: reverse("programmes:health-policy", args=[c.portfolio_a.pk]),
        "pmo",
    ),
    _r("new programme", lambda c: reverse("programmes:create"), "pmo"),
    _r(
        "edit programme",
        lambda c: reverse("programmes:edit", args=[c.programme_a1.pk]),
        "pmo",
        "programme_manager",
    ),
    _r(
        "new benefit",
        lambda c: reverse("programmes:benefit-create", args=[c.programme_a1.pk]),
        "pmo",
        "programme_manager",
    ),
    _r(
        "new stakeholder",
        lambda c: reverse("programmes:stakeholder-create", args=[c.programme_a1.pk]),
        "pmo",
        "programme_manager",
    ),
    _r("new person", lambda c: reverse("programmes:person-create"), "pmo"),
    _r("edit person", lambda c: reverse("programmes:person-edit", args=[c.outsider.pk]), "pmo"),
    _r("teams", lambda c: reverse("programmes:team-list"), "pmo"),
    _r("new team", lambda c: reverse("programmes:team-create"), "pmo"),
    _r("new project", lambda c: reverse("projects:create"), "pmo"),
    _r("edit project", lambda c: reverse("projects:edit", args=[c.project_a1.pk]), "pmo"),
    _r(
        "new milestone",
        lambda c: reverse("projects:milestone-create", args=[c.project_a1.pk]),
        "pmo",
        "project_manager",
    ),
    _r(
        "book someone",
        lambda c: reverse("projects:allocation-create", args=[c.project_a1.pk]),
        "pmo",
        "programme_manager",
    ),
    _r(
        "new dependency",
        lambda c: reverse("projects:dependency-create"),
        "pmo",
        "programme_manager",
        "project_manager",
        "other_project_manager",
    ),
    _r(
        "project risk",
        lambda c: (
            reverse("projects:register-create", args=["risk"]) + f"?project={c.project_a1.pk}"
        ),
        "pmo",
        "project_manager",
    ),
    _r(
        "programme issue",
        lambda c: (
            reverse("projects:register-create", args=["issue"]) + f"?programme={c.programme_a1.pk}"
        ),
        "pmo",
        "programme_manager",
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_write_pages_open_only_for_roles_that_may_write(
    cast: Cast, route: Route, role: str
) -> None:
    response = cast.client_for(getattr(cast, role)).get(route.url(cast))
    if role in route.allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404)


def _counts() -> list[int]:
    return [
        m.objects.count()
        for m in (
            Portfolio,
            Programme,
            Project,
            Milestone,
            Benefit,
            Stakeholder,
            Risk,
            Allocation,
            Dependency,
        )
    ]


@pytest.mark.parametrize(
    "role", ["executive", "project_manager", "other_project_manager", "outsider"]
)
def test_refused_posts_change_nothing(cast: Cast, role: str) -> None:
    client = cast.client_for(getattr(cast, role))
    before = _counts()
    payload = {
        "code": "X1",
        "name": "Sneaky",
        "title": "Sneaky",
        "probability": 3,
        "impact": 3,
        "measure": "m",
        "target": 1,
        "target_date": "2027-01-01",
        "influence": 3,
        "interest": 3,
        "baseline_date": "2026-06-01",
        "person": cast.outsider.pk,
        "start_date": "2026-01-01",
        "finish_date": "2026-02-01",
        "percent": 10,
    }
    for route in ROUTES:
        if role not in route.allowed:
            response = client.post(route.url(cast), payload)
            assert response.status_code in (403, 404), route.name
    assert _counts() == before


def test_an_executive_cannot_edit_a_risk_they_can_read(cast: Cast) -> None:
    risk = RiskFactory(project=cast.project_a1, title="Supplier slips")
    client = cast.client_for(cast.executive)
    page = client.get(risk.get_absolute_url())
    assert page.status_code == 200
    assert "Read only" in page.content.decode()
    response = client.post(
        risk.get_absolute_url(),
        {"title": "Changed", "probability": 1, "impact": 1, "proximity": "near", "status": "open"},
    )
    assert response.status_code == 403
    risk.refresh_from_db()
    assert risk.title == "Supplier slips"


def test_a_project_manager_cannot_edit_another_managers_milestone(cast: Cast) -> None:
    milestone = MilestoneFactory(project=cast.project_b1)
    client = cast.client_for(cast.project_manager)
    url = reverse("projects:milestone-edit", args=[milestone.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("projects:milestone-delete", args=[milestone.pk])).status_code == 404
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_a_programme_manager_cannot_edit_dependencies_outside_their_programme(cast: Cast) -> None:
    dependency = DependencyFactory(upstream=cast.project_a2, downstream=cast.project_b1)
    client = cast.client_for(cast.programme_manager)
    assert client.get(reverse("projects:dependency-edit", args=[dependency.pk])).status_code == 404


def test_htmx_fragments_follow_the_same_rules(cast: Cast) -> None:
    """The history fragment and the list partial are scoped like their pages."""
    history = reverse("history", args=["project", cast.project_a1.pk])
    assert cast.client_for(cast.outsider).get(history, HTTP_HX_REQUEST="true").status_code == 404
    assert cast.client_for(cast.executive).get(history, HTTP_HX_REQUEST="true").status_code == 200
    partial = cast.client_for(cast.other_project_manager).get(
        reverse("projects:list"), HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert "<html" not in body
    assert "Project B1" in body and "Project A1" not in body


def test_archive_is_refused_on_get(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    response = client.get(reverse("projects:archive", args=[cast.project_a1.pk]))
    assert response.status_code == 405
    cast.project_a1.refresh_from_db()
    assert not cast.project_a1.is_archived
