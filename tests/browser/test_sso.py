"""Single sign-on in a real browser, against a real OpenID Connect provider (django-oauth-
toolkit in a second process, tests/oidc_provider): the login page offers it, the person
signs in at the provider and consents, and lands signed in here; an account is matched by
email, and an unknown email gets a new account with no role, which sees the no-access page,
unless its groups claim names a group mapped to PMO or executive access; signing out ends
the session here."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from portfolio.accounts import sso
from portfolio.accounts.models import AuthEvent
from programmes.models import Person
from tests.browser.conftest import log_out
from tests.factories import PersonFactory
from tests.oidc_provider.process import Provider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_PASSWORD = "provider-secret-42"


@pytest.fixture(scope="module")
def provider(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    users = [
        {"username": "priya", "email": "priya.shah@example.org", "password": PROVIDER_PASSWORD},
        {
            "username": "newcomer",
            "email": "newcomer@example.org",
            "password": PROVIDER_PASSWORD,
            "first_name": "Nia",
            "last_name": "Newcomer",
        },
        {
            "username": "pia",
            "email": "pia.pmo@example.org",
            "password": PROVIDER_PASSWORD,
            "groups": ["staff", "sm-pmo"],
        },
        {
            "username": "eli",
            "email": "eli.exec@example.org",
            "password": PROVIDER_PASSWORD,
            "groups": ["sm-exec"],
        },
    ]
    with running_provider(
        tmp_path_factory.mktemp("provider"),
        redirect_uri=f"{live_server.url}/oidc/callback/",
        users=users,
    ) as running:
        yield running


@pytest.fixture
def sso_on(provider: Provider, settings: Any) -> Provider:
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, sso.BACKEND]
    settings.OIDC_GROUP_ROLES = {"sm-pmo": "pmo", "sm-exec": "executive"}
    return provider


def _sign_in_at_the_provider(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test IdP")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to Test IdP").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Let Stationmaster know")
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.startswith(base) and "/oidc/" not in url)


def test_an_account_is_signed_in_through_the_provider_matched_by_email(
    page: Page, live_server: Any, sso_on: Provider
) -> None:
    pmo = PersonFactory(
        name="Priya Shah",
        access=Person.Access.PMO,
        user__username="pmo",
        user__email="Priya.Shah@example.org",
    )
    _sign_in_at_the_provider(page, live_server.url, "priya")

    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolios")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Priya Shah")
    assert User.objects.count() == 1
    event = AuthEvent.objects.get(kind=AuthEvent.Kind.SIGNED_IN)
    assert event.user == pmo.user
    assert event.detail == "single sign-on"


def test_a_first_sign_in_creates_an_account_with_no_role(
    page: Page, live_server: Any, sso_on: Provider
) -> None:
    _sign_in_at_the_provider(page, live_server.url, "newcomer")

    expect(page.get_by_role("heading", level=1)).to_have_text("No access yet")
    user = User.objects.get(email="newcomer@example.org")
    assert user.username == "newcomer"
    assert (user.first_name, user.last_name) == ("Nia", "Newcomer")
    assert not user.has_usable_password()
    assert not Person.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("username", "access", "landing"),
    [
        ("pia", Person.Access.PMO, "Portfolios"),
        ("eli", Person.Access.EXECUTIVE, "Portfolio dashboard"),
    ],
)
def test_a_first_sign_in_with_a_mapped_group_lands_with_that_role_and_signs_out(
    page: Page, live_server: Any, sso_on: Provider, username: str, access: str, landing: str
) -> None:
    _sign_in_at_the_provider(page, live_server.url, username)

    expect(page.get_by_role("heading", level=1)).to_have_text(landing)
    assert Person.objects.get(user__username=username).access == access

    log_out(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=/")
    expect(page.get_by_role("link", name="Sign in with Test IdP")).to_be_visible()


def test_sign_in_with_the_provider_is_not_offered_when_it_is_not_configured(
    page: Page, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("link", name="Sign in with")).to_have_count(0)
