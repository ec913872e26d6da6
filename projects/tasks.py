"""Celery jobs of the delivery layer: they call a service, nothing more."""

from celery import shared_task

from projects.reminders import reporting_reminders_send


@shared_task(name="projects.send_reporting_reminders")
def send_reporting_reminders() -> None:
    """Today's due reminders and overdue chases, for every portfolio (celery beat, hourly)."""
    reporting_reminders_send()
