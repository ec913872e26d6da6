"""The gate that holds a session to the sign-in step it still owes (portfolio.accounts.mfa)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from portfolio.accounts import mfa
from portfolio.accounts.authentication import KEYWORDS

STEP_PAGES = {mfa.VERIFY: "mfa-verify", mfa.ENROL: "mfa"}
# Reachable whatever is owed: signing out, and the health check.
ALWAYS_OPEN = ("logout", "healthz")


def _carries_api_token(request: HttpRequest) -> bool:
    """A token scheme: then token authentication alone decides (a bad token is a 401), and
    the session is never asked. Any other Authorization header would fall through to the
    session, so it does not get past the gate."""
    words = request.headers.get("Authorization", "").split()
    return bool(words) and words[0].lower() in KEYWORDS


class MfaGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        step = mfa.pending(request)
        if step is None or not request.user.is_authenticated:
            return self.get_response(request)
        step_page = reverse(STEP_PAGES[step])
        if request.path_info in {step_page, *(reverse(name) for name in ALWAYS_OPEN)}:
            return self.get_response(request)
        return self.refuse(request, step, step_page)

    def refuse(self, request: HttpRequest, step: str, step_page: str) -> HttpResponseBase:
        if request.path_info.startswith("/api/"):
            if _carries_api_token(request):
                # A token is its own credential; the session's owed step is not its business.
                return self.get_response(request)
            what = "enter your authentication code" if step == mfa.VERIFY else "set up MFA"
            return JsonResponse({"detail": f"Finish signing in first: {what}."}, status=403)
        target = f"{step_page}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
