"""Single sign-on's rules without a browser: matching by verified email, new usernames,
off (404) when unconfigured, loud settings, no second code step after the provider's.
The end-to-end flow against a real provider is in tests/browser/test_sso.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portfolio.accounts import mfa, sso
from tests.conftest import Cast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _backend() -> sso.StationmasterOIDCBackend:
    return sso.StationmasterOIDCBackend.__new__(sso.StationmasterOIDCBackend)


def test_an_account_is_matched_by_email_in_any_case() -> None:
    user = UserFactory(email="Grace.Okafor@example.org")
    found = _backend().filter_users_by_claims({"email": "grace.okafor@EXAMPLE.org"})
    assert list(found) == [user]


def test_an_inactive_account_is_not_matched() -> None:
    UserFactory(email="gone@example.org", is_active=False)
    assert not _backend().filter_users_by_claims({"email": "gone@example.org"}).exists()


def test_an_email_the_provider_has_not_verified_signs_no_one_in() -> None:
    UserFactory(email="victim@example.org")
    claims = {"email": "victim@example.org", "email_verified": False}
    assert not _backend().verify_claims(claims)
    assert not _backend().filter_users_by_claims(claims).exists()


def test_a_new_account_takes_a_free_username_and_has_no_password() -> None:
    UserFactory(username="grace")
    user = _backend().create_user({"email": "grace@example.org", "given_name": "Grace"})
    assert user.username == "grace2"
    assert user.first_name == "Grace"
    assert not user.has_usable_password()


def test_sso_routes_answer_404_and_the_login_page_offers_nothing_while_unconfigured(
    client,
) -> None:
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    assert "Sign in with" not in client.get(reverse("login")).content.decode()


def test_the_login_page_names_the_provider_when_configured(client, settings) -> None:
    settings.OIDC_RP_CLIENT_ID = "stationmaster"
    settings.OIDC_PROVIDER_NAME = "Contoso Entra ID"
    assert "Sign in with Contoso Entra ID" in client.get(reverse("login")).content.decode()


def test_a_client_id_without_the_provider_endpoints_stops_start_up() -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**base, "DJANGO_SETTINGS_MODULE": "portfolio.settings", "OIDC_RP_CLIENT_ID": "x"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET must be set when OIDC_RP_CLIENT_ID is set" in result.stderr


@pytest.mark.parametrize(
    ("backend", "owed"),
    [
        ("django.contrib.auth.backends.ModelBackend", {mfa.SESSION_KEY: mfa.VERIFY}),
        (sso.BACKEND, {}),
    ],
)
def test_a_sign_in_through_the_provider_owes_no_code_step(
    cast: Cast, backend: str, owed: dict[str, str]
) -> None:
    user = cast.pmo.user
    assert user is not None
    TOTPDevice.objects.create(user=user, name=mfa.APP_NAME, confirmed=True)
    user.backend = backend
    request = RequestFactory().get("/")
    request.session = {}
    mfa.begin(request, user)
    assert request.session == owed
