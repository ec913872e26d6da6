"""Escalating a project's risks and issues to its programme (projects.services)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import Issue, Risk
from projects.services import issue_escalate, risk_escalate
from tests.factories import IssueFactory, ProgrammeFactory, ProjectFactory, RiskFactory

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 2, 9, 30))


def escalate_risk(item: Any) -> Any:
    return risk_escalate(risk=item)


def escalate_issue(item: Any) -> Any:
    return issue_escalate(issue=item)


# Each rule holds for risks and issues alike.
register = pytest.mark.parametrize(
    "factory, escalate",
    [(RiskFactory, escalate_risk), (IssueFactory, escalate_issue)],
    ids=["risk", "issue"],
)


@register
def test_escalating_puts_the_item_on_its_projects_programme_and_keeps_the_project(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    project = ProjectFactory()
    item = factory(project=project)
    with time_machine.travel(NOW, tick=False):
        escalated = escalate(item)
    escalated.refresh_from_db()
    assert escalated.project == project
    assert escalated.programme == project.programme
    assert escalated.escalated_at == NOW
    assert escalated.is_escalated


@register
def test_the_callers_copy_of_the_item_reads_as_escalated_too(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    # A view that escalates `item` and then says where it went must not say "to None".
    project = ProjectFactory()
    item = factory(project=project)
    escalate(item)
    assert item.programme == project.programme
    assert item.is_escalated


@register
def test_an_escalated_item_shows_in_its_programmes_register_and_keeps_its_own_rules(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    project = ProjectFactory()
    item = escalate(factory(project=project))
    model = type(item)
    assert list(model.objects.filter(programme=project.programme)) == [item]
    item.full_clean()


@register
def test_an_item_of_a_project_in_no_programme_cannot_be_escalated(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    item = factory(project=ProjectFactory(name="Payments", programme=None))
    with pytest.raises(ValidationError) as excinfo:
        escalate(item)
    assert excinfo.value.message_dict == {
        "programme": ["Payments is in no programme, so there is nowhere to escalate to."]
    }
    item.refresh_from_db()
    assert (item.programme, item.escalated_at) == (None, None)


@register
def test_an_item_already_escalated_cannot_be_escalated_again(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    project = ProjectFactory(programme=ProgrammeFactory(name="Borders"))
    item = factory(project=project)
    with time_machine.travel(NOW, tick=False):
        escalate(item)
    # `item` is the caller's stale copy: the service re-reads the row, so it still knows.
    with pytest.raises(ValidationError) as excinfo:
        escalate(item)
    what = item._meta.verbose_name
    assert excinfo.value.message_dict == {
        "programme": [f"This {what} was already escalated to Borders on 2 Mar 2026."]
    }


@register
def test_an_item_raised_on_a_programme_cannot_be_escalated(
    factory: Callable[..., Risk | Issue], escalate: Callable[[Any], Risk | Issue]
) -> None:
    item = factory(project=None, programme=ProgrammeFactory())
    with pytest.raises(ValidationError) as excinfo:
        escalate(item)
    what = item._meta.verbose_name
    assert excinfo.value.message_dict == {
        "programme": [f"Only a {what} raised on a project can be escalated."]
    }


def test_escalation_is_refused_with_a_code_an_api_can_act_on() -> None:
    risk = RiskFactory(project=ProjectFactory(programme=None))
    with pytest.raises(ValidationError) as excinfo:
        risk_escalate(risk=risk)
    assert [error.code for error in excinfo.value.error_dict["programme"]] == ["not_escalatable"]


def test_issues_and_risks_are_escalated_by_their_own_services() -> None:
    project = ProjectFactory()
    assert isinstance(risk_escalate(risk=RiskFactory(project=project)), Risk)
    assert isinstance(issue_escalate(issue=IssueFactory(project=project)), Issue)
