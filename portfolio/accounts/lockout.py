"""Throttling and lockout: who is refused for now, until when, and how PMO lets them in.

Failed sign-ins (login page, admin login) are counted by django-axes in the database, per
username and per address (settings: LOGIN_FAILURE_LIMIT, LOGIN_COOLOFF_MINUTES). The other
doors an attacker can knock on without a password, password reset requests, API token
creation and API calls with a bad token, are counted by `Throttle` in the cache, over the
same cool-off window.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portfolio.core.http import client_ip


def cool_off() -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def retry_after_seconds(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def locked_out_page(request: HttpRequest, until: datetime, *, what: str) -> HttpResponse:
    """The answer to a refused attempt: a page in the site's layout saying when to retry
    (429, with Retry-After for scripts)."""
    response = render(
        request,
        "accounts/locked_out.html",
        {"until": until, "what": what, "minutes": settings.LOGIN_COOLOFF_MINUTES},
        status=429,
    )
    response["Retry-After"] = str(retry_after_seconds(until))
    return response


# Sign-in lockout (django-axes) ------------------------------------------------------------


class LockoutQuerySet(QuerySet[AccessAttempt]):
    def recent(self) -> LockoutQuerySet:
        """Failures still counting: newer than the cool-off."""
        return self.filter(attempt_time__gte=timezone.now() - cool_off())


def recent_attempts() -> LockoutQuerySet:
    return LockoutQuerySet(AccessAttempt)


def locked_until(*, username: str | None, ip_address: str | None) -> datetime | None:
    """When a sign-in for this username or from this address is accepted again, or None if
    it is now. Each of the two counts on its own, as axes counts them; the cool-off runs
    from the last failure."""
    latest: datetime | None = None
    for field, value in (("username", username), ("ip_address", ip_address)):
        if value is None:
            continue
        counted = (
            recent_attempts()
            .filter(**{field: value})
            .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        )
        if (counted["failures"] or 0) >= settings.LOGIN_FAILURE_LIMIT:
            latest = max(latest or counted["last"], counted["last"])
    return latest + cool_off() if latest else None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the lockout page, with the time to retry."""
    until = locked_until(
        username=get_client_username(request, credentials), ip_address=client_ip(request)
    ) or (timezone.now() + cool_off())
    return locked_out_page(request, until, what="sign-in")


@dataclass(frozen=True)
class LockedOut:
    """One locked-out username, address or email address, as PMO sees it on the lockout
    page, and the door it was refused at."""

    kind: str  # "username", "address" or "email"
    value: str
    failures: int
    until: datetime
    door: str = "sign-in"


def current_lockouts() -> list[LockedOut]:
    """Every username, address and email address refused right now, at sign-in or at one
    of the cache-throttled doors, soonest release first."""
    found: list[LockedOut] = []
    for kind, field in (("username", "username"), ("address", "ip_address")):
        rows = (
            recent_attempts()
            .exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.LOGIN_FAILURE_LIMIT)
        )
        found += [
            LockedOut(kind, row[field], row["failures"], row["last"] + cool_off()) for row in rows
        ]
    found += [lockout for throttle in CACHE_THROTTLES for lockout in throttle.lockouts()]
    return sorted(found, key=lambda lockout: lockout.until)


def unlock(*, kind: str, value: str) -> int:
    """Forget the failures of a username or an address, so it may sign in again at once:
    the sign-in failures and every cache-counted throttle of that account or address (a
    person locked out of the code step is as stuck as one locked out of the password). The
    number of records forgotten (0: it was not locked, or already unlocked)."""
    if kind == "username":
        return reset(username=value) + _forget_throttles(*_account_keys(value))
    if kind == "address":
        return reset(ip=value) + _forget_throttles(f"address:{value}")
    if kind == "email":
        return _forget_throttles(f"email:{value}")
    raise ValueError(f"unknown lockout kind {kind!r}")


def _account_keys(username: str) -> list[str]:
    """The throttle keys that count an account's attempts: by user (codes, tokens) and by
    email address (password reset)."""
    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        return []
    keys = [f"user:{user.pk}"]
    if email := getattr(user, "email", ""):
        keys.append(f"email:{email.strip().lower()}")
    return keys


def _forget_throttles(*keys: str) -> int:
    return sum(throttle.forget(*keys) for throttle in CACHE_THROTTLES)


# Cache-counted throttles -------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """At most `limit` attempts per key within the cool-off window, counted in the cache
    from the first attempt. A fixed window, read then written: two attempts at the same
    instant may count once, which costs an attacker nothing worth having."""

    name: str
    setting: str  # the settings name holding the limit, read at each use (tests change it)
    door: str  # what it guards, in the words of the lockout page

    @property
    def limit(self) -> int:
        return int(getattr(settings, self.setting))

    def _key(self, key: str) -> str:
        return f"throttle:{self.name}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"

    def blocked_until(self, *keys: str) -> datetime | None:
        """When the last of the given keys over its limit is free again; None if none is."""
        latest: datetime | None = None
        for key in keys:
            entry = cache.get(self._key(key))
            if entry and entry[0] >= self.limit:
                until = datetime.fromtimestamp(entry[1], tz=timezone.get_current_timezone())
                if until > timezone.now():
                    latest = max(latest or until, until)
        return latest

    def hit(self, *keys: str) -> None:
        """Count one attempt against each key."""
        now = timezone.now()
        window = cool_off()
        for key in keys:
            cache_key = self._key(key)
            entry = cache.get(cache_key)
            if not entry or datetime.fromtimestamp(entry[1], tz=now.tzinfo) <= now:
                entry = (0, (now + window).timestamp())
            count, ends = entry
            cache.set(cache_key, (count + 1, ends), timeout=math.ceil(ends - now.timestamp()))
            if count + 1 >= self.limit:
                self._note_blocked(key)

    # Cache keys are hashed and cannot be listed: the keys over their limit are also noted in
    # one entry per throttle, so that PMO sees them on the lockout page and can unlock them.
    def _blocked_key(self) -> str:
        return f"throttle:{self.name}:blocked"

    def _note_blocked(self, key: str) -> None:
        # A key's window ends within one cool-off of now, so the note outlives every key in it.
        blocked = cache.get(self._blocked_key(), set())
        cache.set(self._blocked_key(), blocked | {key}, timeout=cool_off().total_seconds())

    def lockouts(self) -> list[LockedOut]:
        """The keys refused right now, as the lockout page lists them."""
        found = []
        for key in sorted(cache.get(self._blocked_key(), set())):
            entry = cache.get(self._key(key))
            until = self.blocked_until(key)
            if entry is None or until is None:
                continue
            kind, value = _described(key)
            found.append(LockedOut(kind, value, entry[0], until, door=self.door))
        return found

    def forget(self, *keys: str) -> int:
        """Drop the counts of the given keys; how many were counting."""
        cache_keys = [self._key(key) for key in keys]
        counting = len(cache.get_many(cache_keys))
        cache.delete_many(cache_keys)
        blocked = cache.get(self._blocked_key(), set())
        if blocked & set(keys):
            cache.set(self._blocked_key(), blocked - set(keys), timeout=cool_off().total_seconds())
        return counting


def _described(key: str) -> tuple[str, str]:
    """A throttle key as the lockout page names it: ("username", "pm") for "user:7"."""
    kind, _, value = key.partition(":")
    if kind == "user":
        user = get_user_model()._default_manager.filter(pk=value).first()
        return "username", user.get_username() if user else value
    return kind, value


PASSWORD_RESET = Throttle("password-reset", "PASSWORD_RESET_LIMIT", "password reset")
TOKEN_CREATE = Throttle("token-create", "API_TOKEN_CREATE_LIMIT", "API token creation")
BAD_TOKEN = Throttle("bad-token", "API_BAD_TOKEN_LIMIT", "API calls with a bad token")
# Wrong authentication codes after the password (and on enrolment), and wrong passwords when
# turning MFA off: counted per account and per address, like failed sign-ins.
MFA_CODE = Throttle("mfa-code", "MFA_FAILURE_LIMIT", "authentication code")
CACHE_THROTTLES = (PASSWORD_RESET, TOKEN_CREATE, BAD_TOKEN, MFA_CODE)
