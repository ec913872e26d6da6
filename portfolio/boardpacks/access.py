"""Who may have a board pack of what: the PMO of anything; an executive of their
portfolios and of the programmes in them; a programme manager of their own programmes.
A pack shows the subject whole, so it is offered only to those who read it whole (a project
manager reads part of a programme, and no pack)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from portfolio.core.access import rule
from programmes.models import Portfolio, Programme, person_for, sees_everything

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser


def packable_portfolios(user: AnyUser) -> QuerySet[Portfolio]:
    portfolios = Portfolio.objects.visible_to(user).active()
    if sees_everything(user):
        return portfolios
    person = person_for(user)
    if person is None:
        return portfolios.none()
    return portfolios.filter(pk__in=person.executive_portfolios.values("pk"))


def packable_programmes(user: AnyUser) -> QuerySet[Programme]:
    programmes = Programme.objects.visible_to(user).active()
    if sees_everything(user):
        return programmes
    person = person_for(user)
    if person is None:
        return programmes.none()
    return programmes.filter(
        Q(manager=person) | Q(portfolio__in=person.executive_portfolios.values("pk"))
    )


@rule("Board packs are for the PMO, executives and programme managers.")
def may_request_board_packs(user: AnyUser) -> bool:
    return packable_portfolios(user).exists() or packable_programmes(user).exists()
