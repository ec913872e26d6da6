"""Authentication events, recorded as they happen (connected by AccountsConfig.ready):
sign-ins, sign-outs and failures from Django's auth signals, lockouts from django-axes."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from portfolio.accounts import mfa, sso
from portfolio.accounts.models import AuthEvent


@receiver(user_logged_in, dispatch_uid="accounts-signed-in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    through_sso = getattr(user, "backend", "") == sso.BACKEND
    AuthEvent.objects.record(
        AuthEvent.Kind.SIGNED_IN,
        request=request,
        user=user,
        detail="single sign-on" if through_sso else "",
    )
    if request is not None and hasattr(request, "session"):
        # The password is only the first step for an account with MFA (portfolio.accounts.mfa).
        mfa.begin(request, user)


@receiver(user_logged_out, dispatch_uid="accounts-signed-out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        AuthEvent.objects.record(AuthEvent.Kind.SIGNED_OUT, request=request, user=user)


def _failures(request: HttpRequest | None) -> int:
    """Failures counted so far for this username or address (set by axes' own receiver of
    user_login_failed, connected before ours)."""
    return int(getattr(request, "axes_failures_since_start", 0) or 0)


@receiver(user_login_failed, dispatch_uid="accounts-sign-in-failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # `credentials` has the password cleansed by Django already; only the username is kept.
    refused = _failures(request) > settings.LOGIN_FAILURE_LIMIT
    AuthEvent.objects.record(
        AuthEvent.Kind.SIGN_IN_FAILED,
        request=request,
        username=str(credentials.get("username") or ""),
        detail="refused while locked out" if refused else "",
    )


@receiver(user_locked_out, dispatch_uid="accounts-locked-out")
def _locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # axes announces a lockout on every failure from the limit on: record when it starts.
    if _failures(request) == settings.LOGIN_FAILURE_LIMIT:
        AuthEvent.objects.record(
            AuthEvent.Kind.LOCKED_OUT,
            request=request,
            username=username or "",
            detail=f"{settings.LOGIN_FAILURE_LIMIT} failures",
        )
