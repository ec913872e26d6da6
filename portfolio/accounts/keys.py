"""Secrets handed to a user once and kept only as a hash: API tokens and calendar feeds.

Each secret has 256 random bits, so a SHA-256 of it is enough to find it again; a slow
password hash would add nothing but latency to every request that presents one.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class HashedKeyQuerySet(models.QuerySet[Any]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def presented(self, secret: str) -> Any:
        """The active key with this secret, with its user; None when unknown or revoked."""
        return self.active().select_related("user").filter(key_hash=hash_key(secret)).first()


class HashedKey(models.Model):
    # last_used_at is written at most this often per key, not on every request.
    USE_RECORDED_EVERY: ClassVar[timedelta]

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def _mark_revoked(self, **also: Any) -> bool:
        """Revoke once, with one conditional UPDATE; False when it already was (two clicks)."""
        now = timezone.now()
        rows = type(self)._default_manager.filter(pk=self.pk, revoked_at__isnull=True)
        if not rows.update(revoked_at=now, **also):
            return False
        self.revoked_at = now
        return True

    def record_use(self) -> None:
        """Note when the key was last presented, with one conditional UPDATE at most every
        USE_RECORDED_EVERY."""
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.USE_RECORDED_EVERY:
            return
        type(self)._default_manager.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - self.USE_RECORDED_EVERY)
        ).update(last_used_at=now)
        self.last_used_at = now
