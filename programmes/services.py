"""Multi-step writes of the strategic layer, shared by pages, the API and Celery tasks."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from programmes.models import HealthPolicy, Person, Portfolio, Programme, ProgrammeRollup


def programme_rollup_refresh(*, programme_id: int) -> ProgrammeRollup | None:
    """Recompute a programme's totals from its projects; safe to run twice or concurrently."""
    with transaction.atomic():
        programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
        if programme is None:
            return None
        totals = programme.projects.filter(archived_at__isnull=True).aggregate(
            n=Count("pk"), budget=Sum("budget"), spend=Sum("spend_to_date")
        )
        rollup, _ = ProgrammeRollup.objects.update_or_create(
            programme=programme,
            defaults={
                "project_count": totals["n"],
                "budget": totals["budget"] or Decimal(0),
                "spend_to_date": totals["spend"] or Decimal(0),
                "computed_at": timezone.now(),
            },
        )
        return rollup


def programme_rollup_request(*, programme_id: int) -> None:
    """Ask a worker to refresh the roll-up once the caller's transaction has committed."""
    from portfolio.queue import enqueue_on_commit
    from programmes.tasks import refresh_programme_rollup

    enqueue_on_commit(refresh_programme_rollup, programme_id)


def portfolio_create(*, portfolio: Portfolio, executives: Iterable[Person] = ()) -> Portfolio:
    """A new portfolio always comes with its health policy (the defaults until PMO edits it)."""
    with transaction.atomic():
        portfolio.save()
        portfolio.executives.set(executives)
        HealthPolicy.objects.create(portfolio=portfolio)
    return portfolio
