"""The access predicates (programmes/access.py, projects/access.py), the one refusal helper
and the one way dropdowns are scoped (portfolio/core/access.py, portfolio/core/forms.py).

The matrix below says, for each action, which roles of the cast may do it; the tests after
it pin the cases the matrix cannot show (bare accounts, either end of a dependency, the same
words on a page and in the API, every dropdown scoped).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import date
from types import ModuleType
from typing import Any

import django_filters
import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from portfolio.core.access import Rule, refuse_unless, rule
from portfolio.core.forms import scope_choices
from portfolio.scenarios import access as scenario_access
from portfolio.scenarios.access import may_apply_scenario, may_build_scenarios, may_change_scenario
from portfolio.scenarios.models import Scenario
from programmes import access as programme_access
from programmes import api as programme_api
from programmes import filters as programme_filters
from programmes import forms as programme_forms
from programmes import serializers as programme_serializers
from programmes.access import (
    is_executive,
    is_pmo,
    may_add_people,
    may_add_programme_records,
    may_add_records_to,
    may_archive_programmes,
    may_create_portfolio,
    may_create_programme,
    may_edit_person,
    may_edit_portfolio,
    may_edit_programme,
    may_edit_programme_record,
    may_edit_team,
    may_manage_teams,
    may_measure,
    may_measure_benefits,
    people_choices,
    portfolio_choices,
    team_choices,
)
from programmes.forms import ProgrammeForm
from programmes.models import Benefit
from projects import access as project_access
from projects import api as project_api
from projects import compliance_views, report_forms
from projects import filters as project_filters
from projects import forms as project_forms
from projects import serializers as project_serializers
from projects.access import (
    may_add_milestone_to,
    may_add_milestones,
    may_add_needs,
    may_book_anyone,
    may_book_people,
    may_create_project,
    may_edit_allocation,
    may_edit_dependency,
    may_edit_milestone,
    may_edit_project,
    may_edit_register_item,
    may_edit_report,
    may_escalate,
    may_link,
    may_link_projects,
    may_raise_items,
    may_raise_on_programme,
    may_raise_on_project,
    may_read_compliance,
    may_rebaseline,
    may_rebaseline_any,
    may_report_on,
    may_send_reminders,
    may_write_reports,
)
from projects.filters import ProjectFilter
from projects.models import StatusReport
from projects.services import risk_escalate
from tests.conftest import ROLES_AND_ANONYMOUS, Cast
from tests.factories import (
    AllocationFactory,
    DependencyFactory,
    MilestoneFactory,
    PersonFactory,
    ProjectFactory,
    RiskFactory,
    TeamFactory,
    UserFactory,
)

ROLES = ROLES_AND_ANONYMOUS


def user_of(cast: Cast, role: str) -> Any:
    return AnonymousUser() if role == "anonymous" else getattr(cast, role).user


# The matrix ---------------------------------------------------------------------------------

# What an action is asked about, built from the cast: nothing (may the role do it at all?),
# or the records of programme A1 and its project A1.
Subject = Callable[[Cast], tuple[Any, ...]]


def nothing(cast: Cast) -> tuple[Any, ...]:
    return ()


def _benefit(cast: Cast) -> Benefit:
    return Benefit.objects.create(
        programme=cast.programme_a1,
        name="Faster",
        measure="days",
        target=10,
        target_date=date(2027, 6, 30),
    )


def _report(cast: Cast) -> StatusReport:
    return StatusReport.objects.create(project=cast.project_a1, period_start=date(2026, 11, 16))


def _scenario(cast: Cast) -> Scenario:
    return Scenario.objects.create(name="Later", programme=cast.programme_a1, owner=cast.pmo.user)


PMO = {"pmo"}
MANAGER_OF_A1 = {"pmo", "programme_manager"}
DELIVERS_A1 = {"pmo", "project_manager"}
DELIVERS_A_PROJECT = {"pmo", "project_manager", "other_project_manager"}

MATRIX: list[tuple[Rule[...], Subject, set[str]]] = [
    (is_pmo, nothing, PMO),
    (is_executive, nothing, {"executive"}),
    (may_create_portfolio, nothing, PMO),
    (may_edit_portfolio, lambda c: (c.portfolio_a,), PMO),
    (may_create_programme, nothing, PMO),
    (may_edit_programme, lambda c: (c.programme_a1,), MANAGER_OF_A1),
    (may_archive_programmes, nothing, PMO),
    (may_add_programme_records, nothing, MANAGER_OF_A1),
    (may_add_records_to, lambda c: (c.programme_a1,), MANAGER_OF_A1),
    (may_edit_programme_record, lambda c: (_benefit(c),), MANAGER_OF_A1),
    (may_measure_benefits, nothing, MANAGER_OF_A1),
    (may_measure, lambda c: (_benefit(c),), MANAGER_OF_A1),
    (may_add_people, nothing, PMO),
    (may_edit_person, lambda c: (c.outsider,), PMO),
    (may_manage_teams, nothing, PMO),
    (may_edit_team, lambda c: (TeamFactory(),), PMO),
    (may_create_project, nothing, PMO),
    (may_edit_project, lambda c: (c.project_a1,), PMO),
    (may_write_reports, nothing, DELIVERS_A_PROJECT),
    (may_report_on, lambda c: (c.project_a1,), DELIVERS_A1),
    (may_edit_report, lambda c: (_report(c),), DELIVERS_A1),
    (may_add_milestones, nothing, DELIVERS_A_PROJECT),
    (may_add_milestone_to, lambda c: (c.project_a1,), DELIVERS_A1),
    (may_edit_milestone, lambda c: (MilestoneFactory(project=c.project_a1),), DELIVERS_A1),
    (may_raise_items, nothing, DELIVERS_A_PROJECT | {"programme_manager"}),
    (may_raise_on_project, lambda c: (c.project_a1,), DELIVERS_A1),
    (may_raise_on_programme, lambda c: (c.programme_a1,), MANAGER_OF_A1),
    (may_edit_register_item, lambda c: (RiskFactory(project=c.project_a1),), DELIVERS_A1),
    (may_escalate, lambda c: (RiskFactory(project=c.project_a1),), DELIVERS_A1),
    (may_rebaseline, lambda c: (c.project_a1,), DELIVERS_A1 | MANAGER_OF_A1),
    (may_rebaseline_any, nothing, DELIVERS_A_PROJECT | MANAGER_OF_A1),
    (may_book_anyone, nothing, MANAGER_OF_A1),
    (may_book_people, lambda c: (c.project_a1,), MANAGER_OF_A1),
    (may_edit_allocation, lambda c: (AllocationFactory(project=c.project_a1),), MANAGER_OF_A1),
    (may_link_projects, nothing, MANAGER_OF_A1 | DELIVERS_A_PROJECT),
    (may_link, lambda c: (c.project_a1_sibling, c.project_a1), MANAGER_OF_A1 | DELIVERS_A1),
    # What another project needs from A1 is not A1's manager's to record.
    (may_link, lambda c: (c.project_a1, c.project_a1_sibling), MANAGER_OF_A1),
    (may_add_needs, lambda c: (c.project_a1,), MANAGER_OF_A1 | DELIVERS_A1),
    (
        may_edit_dependency,
        lambda c: (DependencyFactory(upstream=c.project_a1_sibling, downstream=c.project_a1),),
        MANAGER_OF_A1 | DELIVERS_A1,
    ),
    (may_read_compliance, nothing, {"pmo", "executive"}),
    (may_send_reminders, nothing, PMO),
    (may_build_scenarios, nothing, MANAGER_OF_A1),
    (may_change_scenario, lambda c: (_scenario(c),), MANAGER_OF_A1),
    (may_apply_scenario, lambda c: (_scenario(c),), MANAGER_OF_A1),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("predicate", "subject", "allowed"), MATRIX, ids=[p.__name__ for p, _, _ in MATRIX]
)
def test_each_action_is_allowed_to_exactly_the_roles_of_the_design(
    cast: Cast, predicate: Rule[...], subject: Subject, allowed: set[str], role: str
) -> None:
    assert predicate(user_of(cast, role), *subject(cast)) == (role in allowed)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "project", ["project_a1", "project_a1_sibling", "project_a2", "project_b1"]
)
def test_a_project_pages_rights_in_one_query_are_the_answers_of_its_predicates(
    cast: Cast, role: str, project: str, django_assert_max_num_queries: Any
) -> None:
    user, shown = user_of(cast, role), getattr(cast, project)
    with django_assert_max_num_queries(2):  # the rights, and the viewer's Person
        rights = project_access.project_rights(user, shown)
    assert rights == project_access.ProjectRights(
        edit=may_edit_project(user, shown),
        deliver=may_report_on(user, shown),
        coordinate=may_book_people(user, shown),
        add_needs=may_add_needs(user, shown),
    )


def test_every_predicate_of_the_access_modules_is_in_the_matrix() -> None:
    named = {
        name
        for module in (programme_access, project_access, scenario_access)
        for name, value in vars(module).items()
        if isinstance(value, Rule)
    }
    assert named == {predicate.__name__ for predicate, _, _ in MATRIX}


# Refusing --------------------------------------------------------------------------------------


def test_refusing_raises_permission_denied_in_the_given_words() -> None:
    with pytest.raises(PermissionDenied, match=r"^Not today\.$"):
        refuse_unless(False, "Not today.")


def test_an_allowed_action_is_not_refused() -> None:
    refuse_unless(True, "Not today.")


def test_a_rule_refuses_in_its_own_words() -> None:
    @rule("Only on Mondays.")
    def may_deploy(day: str) -> bool:
        return day == "Monday"

    may_deploy.require("Monday")
    with pytest.raises(PermissionDenied, match=r"^Only on Mondays\.$"):
        may_deploy.require("Friday")


def test_a_page_and_the_api_refuse_creating_a_project_in_the_same_words(cast: Cast) -> None:
    page = cast.client_for(cast.project_manager).get(reverse("projects:create"))
    api = APIClient()
    api.force_authenticate(cast.project_manager.user)
    response = api.post(reverse("api:project-list"), {"name": "Mine"}, format="json")
    assert page.status_code == response.status_code == 403
    assert may_create_project.refusal in page.content.decode()
    assert response.json() == {"detail": may_create_project.refusal}


def test_a_page_and_the_api_refuse_a_programme_manager_archiving_in_the_same_words(
    cast: Cast,
) -> None:
    page = cast.client_for(cast.programme_manager).post(
        reverse("programmes:archive", args=[cast.programme_a1.pk])
    )
    api = APIClient()
    api.force_authenticate(cast.programme_manager.user)
    response = api.post(reverse("api:programme-archive", args=[cast.programme_a1.pk]))
    assert page.status_code == response.status_code == 403
    assert may_archive_programmes.refusal in page.content.decode()
    assert json.loads(response.content) == {"detail": may_archive_programmes.refusal}
    cast.programme_a1.refresh_from_db()
    assert not cast.programme_a1.is_archived


# Who counts as whom ------------------------------------------------------------------------------


def test_a_superuser_without_a_person_counts_as_pmo(db: None) -> None:
    admin = UserFactory(username="admin", is_superuser=True)
    assert may_create_programme(admin)


def test_an_account_without_a_person_may_create_nothing(db: None) -> None:
    bare = UserFactory(username="bare")
    creates = (may_create_portfolio, may_create_programme, may_create_project, may_write_reports)
    assert not any(predicate(bare) for predicate in creates)


# Dependencies: one end is enough ----------------------------------------------------------------


def test_a_programme_manager_may_link_their_project_to_one_in_another_portfolio(
    cast: Cast,
) -> None:
    assert may_link(cast.programme_manager.user, cast.project_b1, cast.project_a1)


def test_a_programme_manager_may_not_link_two_projects_outside_their_programme(
    cast: Cast,
) -> None:
    assert not may_link(cast.programme_manager.user, cast.project_a2, cast.project_b1)


def test_pmo_may_link_projects_that_belong_to_no_programme(cast: Cast) -> None:
    loose = [ProjectFactory(programme=None, portfolio=cast.portfolio_a) for _ in range(2)]
    assert may_link(cast.pmo.user, *loose)


# Risks and issues -------------------------------------------------------------------------------


def test_an_item_raised_on_a_programme_cannot_be_escalated_even_by_pmo(cast: Cast) -> None:
    risk = RiskFactory(project=None, programme=cast.programme_a1)
    assert not may_escalate(cast.pmo.user, risk)


def test_a_programme_manager_may_change_a_risk_escalated_to_their_programme(cast: Cast) -> None:
    risk = risk_escalate(risk=RiskFactory(project=cast.project_a1))
    assert may_edit_register_item(cast.programme_manager.user, risk)


# What a user may choose among --------------------------------------------------------------------


def test_portfolio_choices_leave_out_portfolios_the_user_cannot_see(cast: Cast) -> None:
    assert list(portfolio_choices(cast.executive.user)) == [cast.portfolio_a]


def test_people_choices_leave_out_archived_people(cast: Cast) -> None:
    gone = PersonFactory(name="Gone", archived_at=timezone.now())
    assert gone not in people_choices(cast.pmo.user)


def test_team_choices_are_empty_for_an_account_without_a_role(db: None) -> None:
    TeamFactory()
    assert not team_choices(UserFactory(username="bare")).exists()


def test_scope_choices_offer_nothing_when_no_user_is_known(cast: Cast) -> None:
    fields = {"portfolio": forms.ModelChoiceField(queryset=None)}
    scope_choices(fields, {"portfolio": portfolio_choices}, None)
    assert not fields["portfolio"].queryset.exists()


def test_the_programme_form_offers_a_programme_manager_only_portfolios_they_may_see(
    cast: Cast,
) -> None:
    form = ProgrammeForm(user=cast.programme_manager.user)
    assert list(form.fields["portfolio"].queryset) == [cast.portfolio_a]


def test_the_project_filter_offers_a_project_manager_only_programmes_they_may_see(
    cast: Cast,
) -> None:
    request = RequestFactory().get("/")
    request.user = cast.other_project_manager.user
    filterset = ProjectFilter({}, queryset=None, request=request)
    assert list(filterset.form.fields["programme"].queryset) == [cast.programme_b1]


# Every dropdown is scoped ------------------------------------------------------------------------

MODULES: tuple[ModuleType, ...] = (
    programme_forms,
    programme_filters,
    programme_serializers,
    programme_api,
    project_forms,
    report_forms,
    project_filters,
    project_serializers,
    project_api,
    compliance_views,
)


def _classes(base: type) -> list[type]:
    return [
        cls
        for module in MODULES
        for _, cls in inspect.getmembers(module, inspect.isclass)
        # Abstract bases (a serializer without Meta) are checked through their subclasses.
        if issubclass(cls, base) and cls.__module__ == module.__name__ and hasattr(cls, "Meta")
    ]


def _unscoped(cls: type, choices: dict[str, Any]) -> set[str]:
    return set(choices) - set(getattr(cls, "scoped_fields", {}))


@pytest.mark.parametrize("form", _classes(forms.BaseForm), ids=lambda c: c.__name__)
def test_every_form_dropdown_of_rows_is_scoped(form: type[forms.BaseForm]) -> None:
    choices = {
        name: field
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }
    assert _unscoped(form, choices) == set()


@pytest.mark.parametrize("filterset", _classes(django_filters.FilterSet), ids=lambda c: c.__name__)
def test_every_filter_dropdown_of_rows_is_scoped(filterset: type[django_filters.FilterSet]) -> None:
    choices = {
        name: f
        for name, f in filterset.base_filters.items()
        if isinstance(
            f, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter
        )
    }
    assert _unscoped(filterset, choices) == set()


@pytest.mark.parametrize(
    "serializer", _classes(serializers.ModelSerializer), ids=lambda c: c.__name__
)
def test_every_writable_related_field_of_the_api_is_scoped(
    serializer: type[serializers.ModelSerializer],
) -> None:
    related = {
        name: field
        for name, field in serializer().get_fields().items()
        if isinstance(field, serializers.RelatedField | serializers.ManyRelatedField)
        and not field.read_only
    }
    assert _unscoped(serializer, related) == set()
