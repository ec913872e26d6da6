"""Writes that change who may get in, each recorded as an authentication event with it."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from portfolio.accounts import lockout
from portfolio.accounts.models import ApiToken, AuthEvent


def api_token_issue(*, request: HttpRequest, name: str) -> tuple[ApiToken, str]:
    """A new token for the signed-in user, and the secret (shown once)."""
    with transaction.atomic():
        token, secret = ApiToken.objects.issue(user=request.user, name=name)
        AuthEvent.objects.record(
            AuthEvent.Kind.TOKEN_CREATED, request=request, user=request.user, detail=str(token)
        )
    return token, secret


def api_token_revoke(*, request: HttpRequest, token: ApiToken) -> bool:
    """Revoke once (False when it already was); only an actual revocation is recorded."""
    with transaction.atomic():
        revoked = token.revoke(by=request.user)
        if revoked:
            AuthEvent.objects.record(
                AuthEvent.Kind.TOKEN_REVOKED, request=request, user=token.user, detail=str(token)
            )
    return revoked


def account_unlock(*, request: HttpRequest, kind: str, value: str) -> int:
    """Let a locked-out username or address in now (see lockout.unlock), recorded."""
    with transaction.atomic():
        removed = lockout.unlock(kind=kind, value=value)
        if removed:
            AuthEvent.objects.record(
                AuthEvent.Kind.UNLOCKED,
                request=request,
                username=value if kind == "username" else "",
                detail=f"{kind} {value}",
            )
    return removed
