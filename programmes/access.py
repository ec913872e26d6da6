"""Who may do what in the strategic layer: one predicate per action, asked by pages and API
alike (DESIGN.md "Who may do what").

Each predicate reads the QuerySet methods of programmes.models (`visible_to`,
`editable_by`, `managed_by`, `led_by`), which stay the one place scoping is decided; a
predicate names the action and carries the words that refuse it (portfolio.core.access).
A page refuses through `rule.require(...)` (403), a viewset names the rule as its
`create_rule` / `write_rule` or asks it in `check_create`.

Pages that change one row fetch it through the same scoped QuerySet the predicate reads
(404 outside the user's write scope, as the page matrix says), so their answer and the
predicate's never disagree.

The second half names what a user may *choose* among: the scopes that narrow every
dropdown of forms, filters and API fields (portfolio.core.forms.scope_choices).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portfolio.core.access import READ_ONLY, rule
from programmes.models import (
    Benefit,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
    person_for,
    sees_everything,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


# Roles ---------------------------------------------------------------------------------------


@rule("Only the PMO may do this.")
def is_pmo(user: AnyUser) -> bool:
    """PMO staff (and superusers) read and write every portfolio; the PMO-only pages of the
    composing layer (imports, everyone's API tokens) ask this and refuse in their own words."""
    return sees_everything(user)


@rule("Only executives may do this.")
def is_executive(user: AnyUser) -> bool:
    person = person_for(user)
    return person is not None and person.access == Person.Access.EXECUTIVE


# Portfolios ----------------------------------------------------------------------------------


@rule("Only PMO creates portfolios.")
def may_create_portfolio(user: AnyUser) -> bool:
    return is_pmo(user)


@rule(READ_ONLY)
def may_edit_portfolio(user: AnyUser, portfolio: Portfolio) -> bool:
    """Change, archive or set the health policy of a portfolio (and add its programmes)."""
    return Portfolio.objects.editable_by(user).filter(pk=portfolio.pk).exists()


# Programmes ----------------------------------------------------------------------------------


@rule("Only PMO creates programmes.")
def may_create_programme(user: AnyUser) -> bool:
    return is_pmo(user)


@rule(READ_ONLY)
def may_edit_programme(user: AnyUser, programme: Programme) -> bool:
    """Change a programme's own record; its manager and PMO."""
    return Programme.objects.managed_by(user).filter(pk=programme.pk).exists()


@rule("Only PMO archives programmes.")
def may_archive_programmes(user: AnyUser) -> bool:
    """Archive or restore programmes (and add projects to them): PMO's, not their managers'."""
    return is_pmo(user)


# Benefits, their measurements and stakeholders -----------------------------------------------


@rule("Only a programme's manager (or PMO) adds to its records.")
def may_add_programme_records(user: AnyUser) -> bool:
    """Add benefits or stakeholders to at least one programme."""
    return Programme.objects.managed_by(user).exists()


@rule("You may add to the records of your own programmes only.")
def may_add_records_to(user: AnyUser, programme: Programme) -> bool:
    """Add a benefit or a stakeholder to this programme."""
    return may_edit_programme(user, programme)


@rule(READ_ONLY)
def may_edit_programme_record(user: AnyUser, record: Benefit | Stakeholder) -> bool:
    """Change a benefit or a stakeholder."""
    return type(record).objects.editable_by(user).filter(pk=record.pk).exists()


@rule("Only a programme's manager (or PMO) records measurements.")
def may_measure_benefits(user: AnyUser) -> bool:
    """Record measurements of the benefits of at least one programme."""
    return Programme.objects.managed_by(user).exists()


@rule("You may measure the benefits of your own programmes only.")
def may_measure(user: AnyUser, benefit: Benefit) -> bool:
    return Benefit.objects.editable_by(user).filter(pk=benefit.pk).exists()


# People and teams ----------------------------------------------------------------------------


@rule("Only PMO adds people.")
def may_add_people(user: AnyUser) -> bool:
    return is_pmo(user)


@rule(READ_ONLY)
def may_edit_person(user: AnyUser, person: Person) -> bool:
    """Change or archive someone in the pool."""
    return Person.objects.editable_by(user).filter(pk=person.pk).exists()


@rule("Only PMO manages teams.")
def may_manage_teams(user: AnyUser) -> bool:
    """See the teams page and create teams."""
    return is_pmo(user)


@rule(READ_ONLY)
def may_edit_team(user: AnyUser, team: Team) -> bool:
    return Team.objects.editable_by(user).filter(pk=team.pk).exists()


# What a user may choose among ----------------------------------------------------------------


def portfolio_choices(user: AnyUser) -> QuerySet[Portfolio]:
    return Portfolio.objects.visible_to(user).active()


def programme_choices(user: AnyUser) -> QuerySet[Programme]:
    return Programme.objects.visible_to(user).active().select_related("portfolio")


def people_choices(user: AnyUser) -> QuerySet[Person]:
    return Person.objects.visible_to(user).active()


def executive_choices(user: AnyUser) -> QuerySet[Person]:
    return people_choices(user).filter(access=Person.Access.EXECUTIVE)


def team_choices(user: AnyUser) -> QuerySet[Team]:
    return Team.objects.visible_to(user).active()


def benefit_choices(user: AnyUser) -> QuerySet[Benefit]:
    return Benefit.objects.visible_to(user)
