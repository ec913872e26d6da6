"""Writes that change who may get in, each recorded as an authentication event with it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portfolio.accounts import lockout, mfa
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


def mfa_enable(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str] | None:
    """Turn MFA on with the app that produced `code`; the new recovery codes (to be shown
    once), or None when the code is wrong.

    1. The code proves the app holds the key shown: only then is the device confirmed.
    2. Recovery codes replace any earlier ones.
    3. The session counts as having passed the code step (it just typed a code)."""
    with transaction.atomic():
        if not device.verify_token(mfa.normalised(code)):
            AuthEvent.objects.record(
                AuthEvent.Kind.MFA_FAILED, request=request, user=device.user, detail="enrolment"
            )
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = mfa.new_recovery_codes(device.user)
        AuthEvent.objects.record(AuthEvent.Kind.MFA_ENABLED, request=request, user=device.user)
    mfa.complete(request)
    return codes


def mfa_verify(*, request: HttpRequest, code: str) -> bool:
    """The code step after the password: True, and the session complete, when `code` is
    from the user's app or one of their recovery codes (which is then used up)."""
    user: Any = request.user
    with transaction.atomic():
        code = mfa.normalised(code)
        candidate = mfa.device_for(user, code)
        device = candidate and verify_token(user, candidate.persistent_id, code)
        if not device:
            AuthEvent.objects.record(AuthEvent.Kind.MFA_FAILED, request=request, user=user)
            return False
        if isinstance(device, StaticDevice):
            left = mfa.recovery_codes_left(user)
            AuthEvent.objects.record(
                AuthEvent.Kind.RECOVERY_CODE_USED, request=request, user=user, detail=f"{left} left"
            )
        else:
            AuthEvent.objects.record(AuthEvent.Kind.MFA_PASSED, request=request, user=user)
    mfa.complete(request)
    return True


def mfa_disable(*, request: HttpRequest) -> None:
    """Remove the user's app and recovery codes (the view has asked for the password). An
    account that must have MFA is sent to set it up again before anything else."""
    user: Any = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        AuthEvent.objects.record(AuthEvent.Kind.MFA_DISABLED, request=request, user=user)
    if mfa.required_for(user):
        request.session[mfa.SESSION_KEY] = mfa.ENROL
