"""Notices to a person (in the app and by email) and what each person wants to receive.

A notice is keyed by its event (`event_key`, unique per recipient), so an event raised
twice (a rerun job, a second worker) makes one notice; the email is claimed by a
conditional update of `emailed_at`, so it goes once however often its task runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Kind(models.TextChoices):
    ESCALATION = "escalation", "Risks and issues escalated to my programme"
    HEALTH_RED = "health_red", "My projects or programmes turning red"
    REMINDER = "reminder", "Weekly report reminders"
    UPSTREAM_SLIP = "upstream_slip", "Upstream slips that move my project"
    MENTION = "mention", "Mentions in weekly reports"


# Report reminders are emailed by projects.reminders already; their notice is in-app only.
EMAILED_ELSEWHERE = frozenset({Kind.REMINDER})


class NotificationQuerySet(models.QuerySet["Notification"]):
    def shown_to(self, user: User) -> Self:
        """The notices the user sees in the app (email-only ones are not listed)."""
        return self.filter(recipient=user, in_app=True)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        """Mark the unread ones read now; returns how many."""
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    event_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True)
    wants_email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="one_notice_per_event_and_recipient"
            ),
            models.CheckConstraint(
                condition=Q(in_app=True) | Q(wants_email=True),
                name="notice_goes_somewhere",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notice_unread_idx")]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """One person's choice for one kind; no row means the default (see `for_user`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}"

    @property
    def sends_email(self) -> bool:
        return self.email and self.kind not in EMAILED_ELSEWHERE

    @classmethod
    def for_user(cls, user: User) -> dict[str, NotificationPreference]:
        """Every kind's preference, the stored ones and unsaved defaults for the rest."""
        stored = {p.kind: p for p in cls.objects.filter(user=user)}
        return {kind: stored.get(kind) or cls(user=user, kind=kind) for kind in Kind.values}


class NotificationDigest(models.Model):
    """A person's daily digest email of the day's unread notices, when they want one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_digest"
    )
    enabled = models.BooleanField(default=False)
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: digest {'on' if self.enabled else 'off'}"
