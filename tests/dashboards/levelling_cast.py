"""Tara Singh over-booked, for the levelling tests of the capacity page and its API."""

from datetime import date, timedelta
from decimal import Decimal

from portfolio.core.periods import Period
from programmes.models import Person, Team
from projects.models import Allocation, Project
from tests.conftest import Cast
from tests.factories import AllocationFactory, PersonFactory

MONDAY = Period.containing(date.today()).start


def book(person: Person, project: Project, hours: int) -> Allocation:
    """A booking of `hours` a week for four weeks from this Monday."""
    return AllocationFactory(
        person=person,
        project=project,
        start_date=MONDAY,
        finish_date=MONDAY + timedelta(weeks=4, days=-3),
        percent=None,
        hours_per_week=Decimal(hours),
    )


def overbooked_tara(cast: Cast, *, committed: bool) -> Person:
    """Tara at 130 % for four weeks on two projects of programme A1, the first critical;
    Ana, of her team, free. `committed`: both projects in delivery (demand that counts as
    committed, not tentative)."""
    team = Team.objects.create(name="Platform")
    tara = PersonFactory(name="Tara Singh", user=None, team=team, weekly_capacity_hours=40)
    PersonFactory(name="Ana Ruiz", user=None, team=team, weekly_capacity_hours=40)
    if committed:
        cast.project_a1.stage = cast.project_a1_sibling.stage = Project.Stage.DELIVERY
        cast.project_a1_sibling.save()
    cast.project_a1.priority = Project.Priority.CRITICAL
    cast.project_a1.save()
    book(tara, cast.project_a1, 32)
    book(tara, cast.project_a1_sibling, 20)
    return tara
