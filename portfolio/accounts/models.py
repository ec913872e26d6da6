"""API tokens: a per-user key for scripts and other tools, kept only as a hash."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from portfolio.accounts.keys import HashedKey, HashedKeyQuerySet, hash_key
from portfolio.core.http import client_ip


class ApiTokenQuerySet(HashedKeyQuerySet):
    def issue(self, *, user: Any, name: str) -> tuple[ApiToken, str]:
        """A new token for the user: the row (holding only a hash) and the secret, which is
        shown once and never stored."""
        secret = ApiToken.SCHEME + secrets.token_urlsafe(32)
        token = self.create(
            user=user,
            name=name,
            prefix=secret[: ApiToken.PREFIX_LENGTH],
            key_hash=hash_key(secret),
        )
        return token, secret

    def authenticating(self, secret: str) -> ApiToken | None:
        """The active token with this secret, with its user; None when unknown or revoked."""
        token: ApiToken | None = self.presented(secret)
        return token


class ApiToken(HashedKey):
    """A per-user API key, kept only as a hash (portfolio.accounts.keys)."""

    SCHEME = "smt_"  # recognisable by secret scanners and in logs
    PREFIX_LENGTH = 12
    USE_RECORDED_EVERY = timedelta(minutes=1)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'CI export'")
    prefix = models.CharField(max_length=PREFIX_LENGTH, help_text="First characters, for display")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "portfolio_apitoken"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def revoke(self, *, by: Any) -> bool:
        """Revoke once; False when it was already revoked (two clicks, or PMO and owner)."""
        return self._mark_revoked(revoked_by=by if by is not None and by.is_authenticated else None)


class AuthEventKind(models.TextChoices):
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKED_OUT = "locked_out", "Locked out"
    UNLOCKED = "unlocked", "Unlocked"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    MFA_ENABLED = "mfa_enabled", "MFA turned on"
    MFA_DISABLED = "mfa_disabled", "MFA turned off"
    MFA_PASSED = "mfa_passed", "Authentication code accepted"
    MFA_FAILED = "mfa_failed", "Authentication code refused"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"


class AuthEventQuerySet(models.QuerySet["AuthEvent"]):
    def record(
        self,
        kind: AuthEventKind,
        *,
        request: HttpRequest | None = None,
        user: Any = None,
        username: str = "",
        detail: str = "",
    ) -> AuthEvent:
        """Note one event, with the address and the acting user taken from the request."""
        actor = getattr(request, "user", None)
        return self.create(
            kind=kind,
            user=user if user is not None and user.pk else None,
            username=(username or (user.get_username() if user is not None else ""))[:150],
            actor=actor if actor is not None and actor.is_authenticated else None,
            ip_address=client_ip(request) if request is not None else None,
            detail=detail[:200],
        )


class AuthEvent(models.Model):
    """A sign-in, a failure, a lockout, a change of MFA or of API token, as PMO reviews them."""

    Kind = AuthEventKind

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The account concerned, when it exists; `username` keeps what was typed either way.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    # Who did it, when not the account itself (PMO revoking a token, unlocking).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    objects = AuthEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AuthEventKind.values),
                name="auth_event_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.username} at {self.at:%Y-%m-%d %H:%M}"
