"""Multi-step writes of the strategic layer, shared by pages, the API and Celery tasks."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from portfolio.core.history import audit
from programmes.models import HealthPolicy, Person, Portfolio, Team

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


def portfolio_create(*, portfolio: Portfolio, executives: Iterable[Person] = ()) -> Portfolio:
    """A new portfolio always comes with its health policy (the defaults until PMO edits it)."""
    with transaction.atomic():
        portfolio.save()
        portfolio.executives.set(executives)
        HealthPolicy.objects.create(portfolio=portfolio)
    return portfolio


def person_capacity_set(
    *, person: Person, hours: Decimal, user: AnyUser | None = None, reason: str = ""
) -> Person:
    """Change a person's weekly hours, audited."""
    person.weekly_capacity_hours = hours
    audit(person, user=user, reason=reason)
    person.full_clean()
    person.save()
    return person


def team_placeholders_add(
    *,
    team: Team,
    count: int,
    hours: Decimal,
    label: str,
    user: AnyUser | None = None,
    reason: str = "",
) -> list[Person]:
    """Add `count` placeholder people ("Placeholder 1 (label)") to a team, to be booked and
    later renamed when real people are hired."""
    people = []
    for number in range(1, count + 1):
        person = Person(
            name=f"Placeholder {number} ({label})"[:200],
            job_title="Placeholder",
            team=team,
            weekly_capacity_hours=hours,
        )
        audit(person, user=user, reason=reason)
        person.full_clean()
        person.save()
        people.append(person)
    return people
