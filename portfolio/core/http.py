from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that passed django-htmx's middleware (every request here does)."""

    htmx: HtmxDetails


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, as lockout and throttles count it.

    With TRUSTED_PROXY_COUNT proxies in front, each appends the address it received from
    to X-Forwarded-For, so the client is that many entries from the right; anything further
    left was written by the client and proves nothing. Without proxies, the peer address
    (None when there is none, as in a test's forced login).
    """
    proxies: int = settings.TRUSTED_PROXY_COUNT
    peer: str | None = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return peer
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    return forwarded[-proxies] if len(forwarded) >= proxies else peer


# Browser features no page of ours uses, denied to the site and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy on every answer (pages, API, static files served by Django):
    a script injected despite everything still cannot reach the camera or take payments."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
