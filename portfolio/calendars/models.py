"""Calendar feeds: a secret URL per user that calendar clients poll (they send no cookies),
kept, like API tokens (portfolio.accounts.models.ApiToken), only as a hash."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from portfolio.accounts.keys import HashedKey, HashedKeyQuerySet, hash_key


class CalendarFeedQuerySet(HashedKeyQuerySet):
    def issue(self, *, user: Any) -> tuple[CalendarFeed, str]:
        """A new feed for the user, and its secret (shown once, never stored). A user has
        one feed at a time: making a new one revokes the old, so a leaked URL is replaced
        by making another."""
        secret = secrets.token_urlsafe(32)
        with transaction.atomic():
            for old in self.active().select_for_update().filter(user=user):
                old.revoke()
            feed = self.create(
                user=user, prefix=secret[: CalendarFeed.PREFIX_LENGTH], key_hash=hash_key(secret)
            )
        return feed, secret

    def opening(self, secret: str) -> CalendarFeed | None:
        """The active feed with this secret, with its user; None when unknown or revoked."""
        feed: CalendarFeed | None = self.presented(secret)
        return feed


class CalendarFeed(HashedKey):
    """A user's calendar feed, kept only as a hash (portfolio.accounts.keys)."""

    PREFIX_LENGTH = 6
    # Clients poll every few minutes.
    USE_RECORDED_EVERY = timedelta(minutes=5)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(max_length=PREFIX_LENGTH, help_text="First characters, for display")

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

    def revoke(self) -> bool:
        """Revoke once; False when it already was (two clicks)."""
        return self._mark_revoked()
