"""Celery jobs of notifications: they call a service, nothing more."""

from celery import shared_task

from portfolio.notifications.services import (
    SEND_EMAIL_TASK,
    digests_send,
    emails_pending,
    notification_email_send,
)


@shared_task(name=SEND_EMAIL_TASK, acks_late=True, autoretry_for=(OSError,), max_retries=5)
def send_email(notification_id: int) -> None:
    """One notice's email; claimed before it is sent, so a second run sends nothing."""
    notification_email_send(notification_id=notification_id)


@shared_task(name="notifications.send_pending_emails")
def send_pending_emails() -> None:
    """Emails whose task never reached the broker (celery beat, every few minutes)."""
    for pk in emails_pending():
        notification_email_send(notification_id=pk)


@shared_task(name="notifications.send_digests")
def send_digests() -> None:
    """The daily digest for those who chose it (celery beat, once a day)."""
    digests_send()
