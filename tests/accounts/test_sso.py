"""Single sign-on's rules without a browser: matching by verified email, new usernames,
off (404) when unconfigured, loud settings, no second code step after the provider's, and
access from a group claim (OIDC_GROUP_ROLES) on the first sign-in only.
The end-to-end flow against a real provider is in tests/browser/test_sso.py."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from portfolio import settings as project_settings
from portfolio.accounts import mfa, sso
from programmes.models import Person
from tests.conftest import Cast
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


GROUP_ROLES = {"sm-pmo": "pmo", "sm-exec": "executive"}


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


def _start_up(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**base, "DJANGO_SETTINGS_MODULE": "portfolio.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_client_id_without_the_provider_endpoints_stops_start_up() -> None:
    result = _start_up(OIDC_RP_CLIENT_ID="x")
    assert result.returncode != 0
    assert "OIDC_RP_CLIENT_SECRET must be set when OIDC_RP_CLIENT_ID is set" in result.stderr


@pytest.mark.parametrize("value", ["sm-pmo", "sm-pmo=admin", "=pmo"])
def test_a_malformed_group_roles_mapping_stops_start_up_naming_the_variable(value: str) -> None:
    result = _start_up(OIDC_GROUP_ROLES=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured: OIDC_GROUP_ROLES must be group=access pairs" in result.stderr


def test_the_group_roles_mapping_is_read_from_group_access_pairs(monkeypatch) -> None:
    monkeypatch.setenv("OIDC_GROUP_ROLES", "sm-pmo=pmo, sm-exec = executive")
    assert project_settings._group_roles("OIDC_GROUP_ROLES") == GROUP_ROLES
    monkeypatch.delenv("OIDC_GROUP_ROLES")
    assert project_settings._group_roles("OIDC_GROUP_ROLES") == {}


def test_a_bad_group_roles_mapping_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("OIDC_GROUP_ROLES", "sm-pmo=pmo,sm-pm=project_manager")
    with pytest.raises(ImproperlyConfigured, match="OIDC_GROUP_ROLES"):
        project_settings._group_roles("OIDC_GROUP_ROLES")


@pytest.mark.parametrize(
    ("groups", "access"),
    [
        (["staff", "sm-exec"], Person.Access.EXECUTIVE),
        (["sm-exec", "sm-pmo"], Person.Access.PMO),
        ("sm-pmo", Person.Access.PMO),
    ],
)
def test_a_first_sign_in_with_a_mapped_group_gets_a_person_with_that_access(
    settings, groups: list[str] | str, access: str
) -> None:
    settings.OIDC_GROUP_ROLES = GROUP_ROLES
    claims = {"email": "ada@example.org", "given_name": "Ada", "family_name": "Obi"}
    user = _backend().create_user({**claims, "groups": groups})
    person = Person.objects.get(user=user)
    assert (person.access, person.name, person.email) == (access, "Ada Obi", "ada@example.org")


def test_a_first_sign_in_with_no_mapped_group_gets_no_person(settings) -> None:
    settings.OIDC_GROUP_ROLES = GROUP_ROLES
    user = _backend().create_user({"email": "ada@example.org", "groups": ["staff"]})
    assert not Person.objects.filter(user=user).exists()


def test_the_groups_claim_is_read_from_the_configured_claim(settings) -> None:
    settings.OIDC_GROUP_ROLES = GROUP_ROLES
    settings.OIDC_GROUPS_CLAIM = "roles"
    claims = {"email": "ada@example.org", "groups": ["sm-exec"], "roles": ["sm-pmo"]}
    user = _backend().create_user(claims)
    assert Person.objects.get(user=user).access == Person.Access.PMO


def test_a_later_sign_in_leaves_access_as_stationmaster_has_it(settings) -> None:
    settings.OIDC_GROUP_ROLES = GROUP_ROLES
    person = PersonFactory(access=Person.Access.EXECUTIVE)
    _backend().update_user(person.user, {"email": person.user.email, "groups": ["sm-pmo"]})
    person.refresh_from_db()
    assert person.access == Person.Access.EXECUTIVE


def test_the_groups_of_the_id_token_are_used_when_userinfo_has_none(monkeypatch) -> None:
    """Entra ID sends groups in the ID token only; userinfo's own claims are not overridden."""
    monkeypatch.setattr(
        OIDCAuthenticationBackend, "get_userinfo", lambda *args: {"email": "ada@example.org"}
    )
    claims = _backend().get_userinfo("token", "id-token", {"groups": ["sm-pmo"]})
    assert claims == {"email": "ada@example.org", "groups": ["sm-pmo"]}
    monkeypatch.setattr(OIDCAuthenticationBackend, "get_userinfo", lambda *args: {"groups": []})
    assert _backend().get_userinfo("token", "id-token", {"groups": ["sm-pmo"]}) == {"groups": []}


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
