"""API authentication by per-user token: `Authorization: Bearer <token>` (or `Token <token>`).

Kept free of DRF's views and generics: DRF imports authentication classes named in settings
while it is itself being imported.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portfolio.accounts.lockout import BAD_TOKEN, retry_after_seconds
from portfolio.accounts.models import ApiToken
from portfolio.core.http import client_ip

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request carrying one of the user's API tokens.

    A request without an Authorization header (or with another scheme) is left to the next
    class, so the browser's session still works; a bad, unknown or revoked token is a 401.
    An address that sent API_BAD_TOKEN_LIMIT bad tokens within the cool-off is refused (429)
    until it ends, good token or not: otherwise the answer would tell a guess that hit.
    """

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        address = f"address:{client_ip(request._request)}"
        blocked = BAD_TOKEN.blocked_until(address)
        if blocked is not None:
            raise exceptions.Throttled(
                wait=retry_after_seconds(blocked),
                # A plain str: Throttled appends "Expected available in N seconds." to it.
                detail=str(_("Too many requests with a bad token from your address.")),
            )
        if len(header) != 2:
            BAD_TOKEN.hit(address)
            raise exceptions.AuthenticationFailed(
                _("Give the token after the scheme, with no spaces: 'Bearer <token>'.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            BAD_TOKEN.hit(address)
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.objects.authenticating(secret)
        if token is None or not token.user.is_active:
            BAD_TOKEN.hit(address)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token.record_use()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests, naming the scheme.
        return 'Bearer realm="api"'
