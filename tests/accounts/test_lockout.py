"""Throttling and lockout: repeated failed sign-ins lock the username and the address out
for the cool-off, with a page saying when to retry; PMO unlocks sooner; password reset,
token creation and bad API tokens are throttled alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.accounts.models import ApiToken
from tests.conftest import Cast
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def _fail(client: Client, times: int, username: str = "pm") -> list[int]:
    return [
        client.post(LOGIN, {"username": username, "password": "wrong"}).status_code
        for _ in range(times)
    ]


def _sign_in(client: Client, username: str = "pm") -> int:
    return client.post(LOGIN, {"username": username, "password": PASSWORD}).status_code


def test_twenty_wrong_passwords_lock_the_account_after_the_limit(client, cast: Cast) -> None:
    statuses = _fail(client, 20)
    limit = settings.LOGIN_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)
    assert set(statuses[limit:]) == {429}


def test_the_right_password_is_refused_while_locked_with_when_to_retry(client, cast: Cast) -> None:
    _fail(client, 20)
    response = client.post(LOGIN, {"username": "pm", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many attempts" in page and "Try again after" in page
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_COOLOFF_MINUTES * 60
    assert "_auth_user_id" not in client.session


def test_a_username_locked_from_one_address_is_locked_from_another(cast: Cast) -> None:
    _fail(Client(REMOTE_ADDR="203.0.113.5"), settings.LOGIN_FAILURE_LIMIT)
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.7")) == 429


def test_an_address_that_tried_many_usernames_is_locked_for_all(cast: Cast) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for username in ("alice", "bob", "carol", "dave", "erin", "frank"):
        _fail(attacker, 1, username)
    assert _sign_in(attacker, "pmo") == 429
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.7"), "pmo") == 302


def test_signing_into_another_account_between_guesses_clears_nothing(cast: Cast) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        _fail(attacker, 1, "pmo")
        assert _sign_in(attacker, "pm") == 302
        attacker.post(reverse("logout"))
    _fail(attacker, 1, "pmo")
    assert _sign_in(Client(REMOTE_ADDR="198.51.100.7"), "pmo") == 429


def test_the_admin_login_is_locked_too(cast: Cast) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {"username": "pmo", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "pmo", "password": PASSWORD})
    assert response.status_code == 429


def test_the_lockout_ends_when_the_cool_off_has_passed(client, cast: Cast) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, 20)
        assert _sign_in(client) == 429
    cool_off = timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)
    with time_machine.travel(start + cool_off - timedelta(seconds=30), tick=False):
        assert _sign_in(client) == 429
    # A failure during the lockout restarts the cool-off: the 429 above counted from then.
    with time_machine.travel(start + 2 * cool_off, tick=False):
        assert _sign_in(client) == 302


def test_a_pmo_sees_the_lockout_and_unlocks_the_account(client, cast: Cast) -> None:
    _fail(client, settings.LOGIN_FAILURE_LIMIT, "pm")
    pmo = cast.client_for(cast.pmo)
    page = pmo.get(reverse("lockouts"))
    assert page.status_code == 200
    assert [(row.kind, row.value) for row in page.context["lockouts"]] == [
        ("username", "pm"),
        ("address", "127.0.0.1"),
    ]
    pmo.post(reverse("unlock"), {"kind": "username", "value": "pm"})
    assert pmo.get(reverse("lockouts")).context["lockouts"] == []
    assert _sign_in(client) == 302


def test_only_the_pmo_sees_lockouts_or_unlocks(client, cast: Cast) -> None:
    # Signed in before the failures: a sign-in as pm would itself clear pm's failures.
    others = [
        cast.client_for(person)
        for person in (cast.executive, cast.programme_manager, cast.project_manager)
    ]
    _fail(client, settings.LOGIN_FAILURE_LIMIT, "pm")
    for other in others:
        assert other.get(reverse("lockouts")).status_code == 403
        response = other.post(reverse("unlock"), {"kind": "username", "value": "pm"})
        assert response.status_code == 403
    assert _sign_in(client) == 429
    assert Client().get(reverse("lockouts")).status_code == 302


def test_password_reset_requests_are_throttled_per_email(cast: Cast) -> None:
    statuses = [
        Client(REMOTE_ADDR=f"198.51.100.{n}")
        .post(reverse("password_reset"), {"email": "pm@example.org"})
        .status_code
        for n in range(settings.PASSWORD_RESET_LIMIT + 1)
    ]
    assert statuses == [302] * settings.PASSWORD_RESET_LIMIT + [429]
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT


def test_password_reset_requests_are_throttled_per_address(client, cast: Cast) -> None:
    for n in range(settings.PASSWORD_RESET_LIMIT):
        client.post(reverse("password_reset"), {"email": f"nobody{n}@example.org"})
    response = client.post(reverse("password_reset"), {"email": "pm@example.org"})
    assert response.status_code == 429
    assert "Try again after" in response.content.decode()
    assert mail.outbox == []


def test_the_pmo_unlocks_an_email_address_refused_at_password_reset(cast: Cast) -> None:
    for n in range(settings.PASSWORD_RESET_LIMIT):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(
            reverse("password_reset"), {"email": "pm@example.org"}
        )
    pmo = cast.client_for(cast.pmo)
    listed = pmo.get(reverse("lockouts")).context["lockouts"]
    assert [(row.kind, row.value, row.door) for row in listed] == [
        ("email", "pm@example.org", "password reset")
    ]

    pmo.post(reverse("unlock"), {"kind": "email", "value": "pm@example.org"})

    again = Client(REMOTE_ADDR="198.51.100.200")
    assert again.post(reverse("password_reset"), {"email": "pm@example.org"}).status_code == 302


def test_api_token_creation_is_throttled(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    statuses = [
        client.post(reverse("api-tokens"), {"name": f"script {n}"}).status_code
        for n in range(settings.API_TOKEN_CREATE_LIMIT + 1)
    ]
    assert statuses == [200] * settings.API_TOKEN_CREATE_LIMIT + [429]


def test_an_address_sending_bad_tokens_is_refused_even_a_good_one(cast: Cast) -> None:
    _, good = ApiToken.objects.issue(user=cast.pmo.user, name="good")
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    url = reverse("api:project-list")
    statuses = [
        client.get(url, HTTP_AUTHORIZATION=f"Bearer smt_guess{n}").status_code
        for n in range(settings.API_BAD_TOKEN_LIMIT + 1)
    ]
    assert statuses == [401] * settings.API_BAD_TOKEN_LIMIT + [429]
    refused = client.get(url, HTTP_AUTHORIZATION=f"Bearer {good}")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0 and "detail" in refused.json()
    other = APIClient(REMOTE_ADDR="198.51.100.1")
    assert other.get(url, HTTP_AUTHORIZATION=f"Bearer {good}").status_code == 200
