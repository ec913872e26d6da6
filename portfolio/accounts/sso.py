"""Single sign-on with OpenID Connect (mozilla-django-oidc), configured from OIDC_* settings
and off while OIDC_RP_CLIENT_ID is unset.

A person who signs in through the provider is matched to an account by email (any case);
the first sign-in of an unknown email creates an account with no role and no password, which
sees the no-access page until the PMO grants a role (README, "Single sign-on"), unless its
groups claim names a group that OIDC_GROUP_ROLES maps to PMO or executive access: then it
also gets a Person with that access. Only the first sign-in does this; later ones leave
access to Stationmaster, so a role granted or withdrawn here is not undone by the provider.
The code step
of MFA is skipped for these sign-ins: the provider enforces its own second factor.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portfolio.accounts.backends import signed_in_user
from programmes.models import Person

BACKEND = "portfolio.accounts.sso.StationmasterOIDCBackend"


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def provider_name() -> str:
    return str(settings.OIDC_PROVIDER_NAME)


def _verified_email(claims: dict[str, Any]) -> str:
    """The email to match on; none when the provider says it is unverified (a provider that
    lets anyone type any address would otherwise hand out other people's accounts)."""
    if claims.get("email_verified") is False:
        return ""
    return str(claims.get("email") or "").strip()


def username_for(claims: dict[str, Any]) -> str:
    """A readable, unused username: the provider's preferred one or the email's local part."""
    wanted = str(claims.get("preferred_username") or _verified_email(claims).split("@")[0])
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}{n}"
    return username


def groups_in(claims: dict[str, Any]) -> list[str]:
    """The groups claim as a list; some providers send a single group as a bare string."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        return [groups]
    return [str(group) for group in groups] if isinstance(groups, list) else []


def access_for(claims: dict[str, Any]) -> str | None:
    """The access the mapped groups give, PMO winning over executive; None with no mapped one."""
    mapped = {settings.OIDC_GROUP_ROLES.get(group) for group in groups_in(claims)}
    for access in (Person.Access.PMO, Person.Access.EXECUTIVE):
        if access in mapped:
            return str(access)
    return None


def _display_name(user: User) -> str:
    return (user.get_full_name() or user.username)[:200]


class StationmasterOIDCBackend(OIDCAuthenticationBackend):
    def get_user(self, user_id: Any) -> Any | None:
        return signed_in_user(user_id)

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The userinfo claims, plus the groups claim of the (verified) ID token when userinfo
        lacks it: Entra ID puts groups in the ID token only."""
        claims = super().get_userinfo(access_token, id_token, payload)
        name = settings.OIDC_GROUPS_CLAIM
        if name not in claims and name in payload:
            claims[name] = payload[name]
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(_verified_email(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        return User.objects.filter(email__iexact=_verified_email(claims), is_active=True)

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        """A new account; with a mapped group also a Person with that access, otherwise no
        role: it reaches the no-access page until PMO grants one."""
        user = User.objects.create_user(
            username_for(claims),
            email=_verified_email(claims),
            first_name=str(claims.get("given_name") or "")[:150],
            last_name=str(claims.get("family_name") or "")[:150],
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        access = access_for(claims)
        if access is not None:
            Person.objects.create(
                user=user, name=_display_name(user), email=user.email, access=access
            )
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return user


def sso_start(request: HttpRequest) -> HttpResponse:
    """Off the provider unless single sign-on is configured (404, not a misconfigured 500)."""
    if not enabled():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def sso_callback(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationCallbackView.as_view()(request)
