"""Two-step sign-in (django-otp): an authenticator app (TOTP) plus single-use recovery codes.

How a session gets through:
1. The password step (Django's login, or the admin's) signs the user in as usual; if the
   account has an authenticator app, or must have one (PMO under REQUIRE_MFA_FOR_PMO), the
   session is marked with the step still owed (`begin`, on user_logged_in).
2. While a step is owed, the gate (portfolio.accounts.middleware) lets the session reach
   only that step's page and sign-out: every other page sends it there, the API refuses it.
3. The step's page clears the mark (`complete`) when a code is right; wrong codes are
   throttled per account and per address, like passwords.
The mark lives in the session, so a request of a signed-in user costs no query for it.
Single sign-on skips the step: the identity provider has its own second factor.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portfolio.accounts import sso
from portfolio.core.http import client_ip
from programmes.access import is_pmo

SESSION_KEY = "mfa_step"
VERIFY = "verify"
ENROL = "enrol"
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_LENGTH = len(StaticToken.random_token())


def has_app(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user: Any) -> bool:
    return bool(settings.REQUIRE_MFA_FOR_PMO) and is_pmo(user)


def owed_step(user: Any) -> str | None:
    """The step a fresh password sign-in still owes: a code, enrolment, or nothing."""
    if has_app(user):
        return VERIFY
    return ENROL if required_for(user) else None


def begin(request: HttpRequest, user: Any) -> None:
    if getattr(user, "backend", "") == sso.BACKEND:
        return
    step = owed_step(user)
    if step is not None:
        request.session[SESSION_KEY] = step


def pending(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY) if session is not None else None


def complete(request: HttpRequest) -> None:
    """The owed step is done: a new session key, so one captured before it is worth less."""
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def throttle_keys(request: HttpRequest) -> tuple[str, str]:
    return (f"user:{request.user.pk}", f"address:{client_ip(request)}")


def new_app(user: AbstractBaseUser) -> TOTPDevice:
    """The app being set up: one unconfirmed device per user, kept across page reloads so
    the QR code does not change under the person scanning it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The key as apps take it typed in (base32, in groups of four)."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an SVG QR code, drawn here: no image request, no script."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))


def new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Replace the user's recovery codes with RECOVERY_CODE_COUNT new ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": RECOVERY_NAME})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def device_for(user: Any, code: str) -> TOTPDevice | StaticDevice | None:
    """The one device a code is checked against, told by its length (the app's six digits,
    the recovery sheet's eight characters): a wrong guess at one kind does not count
    against the other's throttling."""
    if len(code) == RECOVERY_CODE_LENGTH:
        return StaticDevice.objects.filter(user=user).first()
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def normalised(code: str) -> str:
    """Codes as typed: spaces and dashes dropped; recovery codes are lower case."""
    return "".join(code.split()).replace("-", "").lower()
