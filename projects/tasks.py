"""Celery jobs of the delivery layer: they call a service, nothing more."""

from celery import shared_task

from portfolio.core.queue import AT_LEAST_ONCE
from projects.impact import REFRESH_DERIVED_FORECASTS, derived_forecasts_refresh
from projects.reminders import reporting_reminders_send


@shared_task(name="projects.send_reporting_reminders")
def send_reporting_reminders() -> None:
    """Today's due reminders and overdue chases, for every portfolio (celery beat, hourly)."""
    reporting_reminders_send()


@shared_task(name=REFRESH_DERIVED_FORECASTS, **AT_LEAST_ONCE)
def refresh_derived_forecasts() -> None:
    """Where today's slips push every project (after a forecast, milestone or dependency
    changes); recomputed from the rows, so safe to run twice."""
    derived_forecasts_refresh()
