"""API authentication by per-user token: `Authorization: Bearer <token>` (or `Token <token>`).

Kept free of DRF's views and generics: DRF imports authentication classes named in settings
while it is itself being imported.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portfolio.accounts.models import ApiToken

KEYWORDS = ("bearer", "token")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request carrying one of the user's API tokens.

    A request without an Authorization header (or with another scheme) is left to the next
    class, so the browser's session still works; a bad, unknown or revoked token is a 401.
    """

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after the scheme, with no spaces: 'Bearer <token>'.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.objects.authenticating(secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        token.record_use()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to unauthenticated requests, naming the scheme.
        return 'Bearer realm="api"'
