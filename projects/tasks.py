from celery import shared_task


@shared_task
def send_reporting_reminders() -> None:
    """Today's due reminders and overdue chases, for every portfolio (celery beat, hourly)."""
    from projects.reminders import reporting_reminders_send

    reporting_reminders_send()
