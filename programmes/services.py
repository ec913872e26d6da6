"""Multi-step writes of the strategic layer, shared by pages, the API and Celery tasks."""

from collections.abc import Iterable

from django.db import transaction

from programmes.models import HealthPolicy, Person, Portfolio


def portfolio_create(*, portfolio: Portfolio, executives: Iterable[Person] = ()) -> Portfolio:
    """A new portfolio always comes with its health policy (the defaults until PMO edits it)."""
    with transaction.atomic():
        portfolio.save()
        portfolio.executives.set(executives)
        HealthPolicy.objects.create(portfolio=portfolio)
    return portfolio
