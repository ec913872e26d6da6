"""Computing an authenticator app's codes in tests, as the app on a phone would."""

from __future__ import annotations

import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """The code the app shows now, or `steps_ahead` time steps later (a code once accepted
    is refused again, so a second sign-in within the same 30 s uses the next step's code,
    which the one-step tolerance accepts)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def app_code_from_secret(secret: str, *, steps_ahead: int = 0) -> str:
    """The code for a key as the enrolment page shows it (base32 in groups of four)."""
    key = secret.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key), 30, 0, 6, 0)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"
