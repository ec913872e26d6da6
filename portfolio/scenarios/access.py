"""Who may build and apply scenarios: the PMO, on any portfolio or programme; a programme
manager, on their own programmes. Seeing one follows `ScenarioQuerySet.visible_to`.

Applying makes live writes: moves, cancellations and bookings are what a programme
manager answers for on their programme, but a person's hours and new people in a team are
the PMO's, so a scenario changing capacity is applied by the PMO.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from portfolio.core.access import rule
from programmes.models import Portfolio, Programme, sees_everything

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser
    from portfolio.scenarios.models import Scenario

CAPACITY_KINDS = ("capacity", "placeholder")


def buildable_portfolios(user: AnyUser) -> QuerySet[Portfolio]:
    portfolios = Portfolio.objects.visible_to(user).active()
    return portfolios if sees_everything(user) else portfolios.none()


def buildable_programmes(user: AnyUser) -> QuerySet[Programme]:
    return Programme.objects.managed_by(user).active()


@rule("Scenarios are for the PMO and programme managers.")
def may_build_scenarios(user: AnyUser) -> bool:
    return sees_everything(user) or buildable_programmes(user).exists()


def builds_on(user: AnyUser, scenario: Scenario) -> bool:
    """The PMO builds on anything; a programme manager on their own programmes."""
    if sees_everything(user):
        return True
    programme = scenario.programme_id
    return programme is not None and buildable_programmes(user).filter(pk=programme).exists()


@rule("An applied or discarded scenario is read-only.")
def may_change_scenario(user: AnyUser, scenario: Scenario) -> bool:
    return scenario.is_draft and builds_on(user, scenario)


@rule("A scenario that changes capacity (weekly hours, placeholder people) is applied by the PMO.")
def may_apply_scenario(user: AnyUser, scenario: Scenario) -> bool:
    if not may_change_scenario(user, scenario):
        return False
    if sees_everything(user):
        return True
    return not scenario.changes.filter(kind__in=CAPACITY_KINDS).exists()
