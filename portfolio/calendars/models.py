"""Calendar feeds: a secret URL per user that calendar clients poll (they send no cookies),
kept, like API tokens (portfolio.accounts.models.ApiToken), only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)

    def issue(self, *, user: Any) -> tuple[CalendarFeed, str]:
        """A new feed for the user, and its secret (shown once, never stored). A user has
        one feed at a time: making a new one revokes the old, so a leaked URL is replaced
        by making another."""
        secret = secrets.token_urlsafe(32)
        with transaction.atomic():
            for old in self.active().select_for_update().filter(user=user):
                old.revoke()
            feed = self.create(
                user=user,
                prefix=secret[: CalendarFeed.PREFIX_LENGTH],
                key_hash=CalendarFeed.hash(secret),
            )
        return feed, secret

    def opening(self, secret: str) -> CalendarFeed | None:
        """The active feed with this secret, with its user; None when unknown or revoked."""
        return (
            self.active().select_related("user").filter(key_hash=CalendarFeed.hash(secret)).first()
        )


class CalendarFeed(models.Model):
    """A user's calendar feed. The secret has 256 random bits, so a SHA-256 of it is enough
    (as for API tokens)."""

    PREFIX_LENGTH = 6
    # last_used_at is written at most this often: clients poll every few minutes.
    USE_RECORDED_EVERY = timedelta(minutes=5)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, help_text="First characters, for display")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="calendar_feed_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> bool:
        """Revoke once; False when it already was (two clicks)."""
        now = timezone.now()
        revoked = CalendarFeed.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if revoked:
            self.revoked_at = now
        return bool(revoked)

    def record_use(self) -> None:
        """Note when a client last fetched the feed, with one conditional UPDATE at most
        every few minutes."""
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.USE_RECORDED_EVERY:
            return
        CalendarFeed.objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - self.USE_RECORDED_EVERY)
        ).update(last_used_at=now)
        self.last_used_at = now
