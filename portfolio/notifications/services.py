"""Raising notices, sending their emails once, marking them read, saving preferences, and
the daily digest. Shared by the event receivers, the pages, the API and the tasks."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portfolio.core.queue import enqueue_on_commit
from portfolio.notifications.models import (
    Kind,
    Notification,
    NotificationDigest,
    NotificationPreference,
)
from programmes.models import person_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

SEND_EMAIL_TASK = "notifications.send_email"
# What a mail server or the network can raise while sending one message.
SEND_ERRORS = (smtplib.SMTPException, OSError)


def notify(
    *,
    recipients: Iterable[User | None],
    kind: str,
    event_key: str,
    title: str,
    body: str = "",
    url: str = "",
) -> list[Notification]:
    """Tell each recipient about one event, as each prefers; returns the notices made now.

    1. Skip nobody (None), repeats in `recipients`, and people who want neither a notice
       nor an email of this kind.
    2. Insert the notice in a savepoint; the unique (recipient, event_key) makes a second
       raise of the same event (a rerun job, another worker) a no-op.
    3. When the person wants an email and has an address, send it after commit, by a
       task that claims it first (`notification_email_send`).
    """
    made = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        preference = NotificationPreference.for_user(user)[kind]
        wants_email = preference.sends_email and bool(address_of(user))
        if not (preference.in_app or wants_email):
            continue
        notice = Notification(
            recipient=user,
            kind=kind,
            event_key=event_key[:200],
            title=title[:300],
            body=body,
            url=url[:500],
            in_app=preference.in_app,
            wants_email=wants_email,
        )
        try:
            with transaction.atomic():
                notice.save()
        except IntegrityError:
            continue
        if wants_email:
            enqueue_on_commit(SEND_EMAIL_TASK, notice.pk)
        made.append(notice)
    return made


def address_of(user: User) -> str:
    """Where to write: the person's address (the one reminders use), else the login's."""
    person = person_for(user)
    return (person.email if person is not None else "") or user.email


def notification_email_send(*, notification_id: int) -> bool:
    """Send one notice's email unless it went already; True when this call sent it.

    1. Claim: set `emailed_at` where it is still empty. Only one caller (a task run twice,
       the sweep and the task at once) can win the update, and only the winner sends.
    2. Send. If sending fails, give the claim back and raise, so a retry can send it.
    """
    claimed = Notification.objects.filter(
        pk=notification_id, wants_email=True, emailed_at__isnull=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notice = Notification.objects.select_related("recipient__person").get(pk=notification_id)
    try:
        _notice_message(notice).send()
    except SEND_ERRORS:
        Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
        raise
    return True


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _notice_message(notice: Notification) -> EmailMessage:
    context = {"notice": notice, "link": _absolute(notice.url), "site_url": settings.SITE_URL}
    return EmailMessage(
        subject=notice.title,
        body=render_to_string("emails/notification.txt", context),
        to=[address_of(notice.recipient)],
    )


def emails_pending(older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Notices whose email was never sent (the broker was down when they were raised)."""
    cutoff = timezone.now() - older_than
    return list(
        Notification.objects.filter(
            wants_email=True, emailed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.shown_to(user).mark_read()


def preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]], digest: bool) -> None:
    """Store each kind's (in-app, email) choice and the digest flag."""
    with transaction.atomic():
        for kind, (in_app, email) in choices.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=Kind(kind), defaults={"in_app": in_app, "email": email}
            )
        NotificationDigest.objects.update_or_create(user=user, defaults={"enabled": digest})


def digest_enabled(user: User) -> bool:
    return NotificationDigest.objects.filter(user=user, enabled=True).exists()


def digests_send(*, today: date | None = None) -> int:
    """Email each person who chose the digest their unread notices of the past day, once a
    day: the day is claimed (a conditional update of `last_sent_on`) before the email goes,
    so a second run the same day sends nothing. Returns how many were sent."""
    today = today or timezone.localdate()
    since = timezone.now() - timedelta(days=1)
    sent = 0
    users = get_user_model().objects.filter(notice_digest__enabled=True, is_active=True)
    for user in users.order_by("pk"):
        address = address_of(user)
        if not address:
            continue
        notices = list(Notification.objects.shown_to(user).unread().filter(created_at__gte=since))
        if not notices:
            continue
        claimed = (
            NotificationDigest.objects.filter(user=user, enabled=True)
            .exclude(last_sent_on=today)
            .update(last_sent_on=today)
        )
        if not claimed:
            continue
        context = {"user": user, "notices": notices, "site_url": settings.SITE_URL}
        message = EmailMessage(
            subject=f"Stationmaster: {len(notices)} unread notice(s)",
            body=render_to_string("emails/notification_digest.txt", context),
            to=[address],
        )
        try:
            message.send()
        except SEND_ERRORS:
            NotificationDigest.objects.filter(user=user).update(last_sent_on=None)
            logger.exception("The digest to %s could not be sent", address)
            continue
        sent += 1
    return sent
