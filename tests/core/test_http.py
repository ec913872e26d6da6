"""Headers every answer carries, and the client address lockout and throttles count."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from portfolio.core.http import client_ip
from tests.conftest import Cast

DENIED = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")


def _denied(header: str) -> set[str]:
    return {part.strip().removesuffix("=()") for part in header.split(",") if "=()" in part}


@pytest.mark.django_db
def test_pages_deny_powerful_browser_features(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).get(reverse("projects:list"))
    assert response.status_code == 200
    assert set(DENIED) <= _denied(response["Permissions-Policy"])


@pytest.mark.django_db
def test_the_login_page_and_api_errors_deny_them_too(client: Client) -> None:
    for response in (client.get(reverse("login")), client.get("/api/v1/projects/")):
        assert set(DENIED) <= _denied(response["Permissions-Policy"])


def test_without_proxies_the_client_is_the_peer_whatever_it_forwards(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get(
        "/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    assert client_ip(request) == "198.51.100.1"


def test_behind_one_proxy_the_client_is_the_last_forwarded_address(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    # The first entry was written by the client itself: it proves nothing.
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.1"
    )
    assert client_ip(request) == "198.51.100.1"


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).get(reverse("projects:list"))
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    everything = [source for sources in policy.values() for source in sources]
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything


def test_the_login_page_carries_the_policy_too(client: Client) -> None:
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]
