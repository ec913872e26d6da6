"""Authentication events: sign-ins, failures, lockouts, unlocks and API token changes are
recorded, and only the PMO reads them."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from portfolio.accounts.models import ApiToken, AuthEvent
from tests.conftest import Cast
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Kind = AuthEvent.Kind


def _kinds(username: str) -> list[str]:
    return list(
        AuthEvent.objects.filter(username=username)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def test_a_sign_in_and_a_sign_out_are_recorded_with_the_address(cast: Cast) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    client.post(reverse("logout"))
    assert _kinds("pm") == [Kind.SIGNED_IN, Kind.SIGNED_OUT]
    signed_in = AuthEvent.objects.get(kind=Kind.SIGNED_IN)
    assert signed_in.user == cast.project_manager.user
    assert signed_in.ip_address == "198.51.100.4"


def test_a_failed_sign_in_is_recorded_without_the_password(client, cast: Cast) -> None:
    client.post(reverse("login"), {"username": "pm", "password": "secret-guess-1"})
    event = AuthEvent.objects.get()
    assert (event.kind, event.username, event.user) == (Kind.SIGN_IN_FAILED, "pm", None)
    assert "secret-guess-1" not in str(list(AuthEvent.objects.values()))


def test_failures_then_a_lockout_then_a_refusal_while_locked_are_recorded(
    client, cast: Cast
) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "pm", "password": "wrong"})
    client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    kinds = _kinds("pm")
    assert kinds.count(Kind.SIGN_IN_FAILED) == settings.LOGIN_FAILURE_LIMIT + 1
    assert kinds.count(Kind.LOCKED_OUT) == 1 and Kind.SIGNED_IN not in kinds
    assert AuthEvent.objects.filter(detail="refused while locked out").count() == 1


def test_a_pmo_unlock_is_recorded_with_who_unlocked(client, cast: Cast) -> None:
    pmo = cast.client_for(cast.pmo)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "pm", "password": "wrong"})
    pmo.post(reverse("unlock"), {"kind": "username", "value": "pm"})
    event = AuthEvent.objects.get(kind=Kind.UNLOCKED)
    assert (event.username, event.actor) == ("pm", cast.pmo.user)


def test_creating_and_revoking_a_token_are_recorded(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    client.post(reverse("api-tokens"), {"name": "Export script"})
    token = ApiToken.objects.get(user=cast.project_manager.user)
    client.post(reverse("api-token-revoke", args=[token.pk]))
    client.post(reverse("api-token-revoke", args=[token.pk]))  # a second click revokes nothing
    created, revoked = AuthEvent.objects.filter(
        kind__in=[Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED]
    ).order_by("pk")
    assert (created.kind, revoked.kind) == (Kind.TOKEN_CREATED, Kind.TOKEN_REVOKED)
    assert created.user == revoked.user == cast.project_manager.user
    assert "Export script" in created.detail and token.prefix in revoked.detail


def test_a_pmo_revoking_someone_elses_token_is_recorded_as_the_actor(cast: Cast) -> None:
    token, _ = ApiToken.objects.issue(user=cast.project_manager.user, name="CI")
    cast.client_for(cast.pmo).post(reverse("api-token-revoke", args=[token.pk]))
    event = AuthEvent.objects.get(kind=Kind.TOKEN_REVOKED)
    assert (event.user, event.actor) == (cast.project_manager.user, cast.pmo.user)


def test_the_pmo_reads_the_events_newest_first_and_filters_them(client, cast: Cast) -> None:
    client.post(reverse("login"), {"username": "ghost", "password": "wrong"})
    pmo = cast.client_for(cast.pmo)
    page = pmo.get(reverse("auth-events"))
    assert page.status_code == 200
    events = list(page.context["page"])
    assert events[0].kind == Kind.SIGNED_IN and events[0].user == cast.pmo.user
    assert events[1].username == "ghost"
    failures = pmo.get(reverse("auth-events"), {"kind": Kind.SIGN_IN_FAILED})
    assert [event.username for event in failures.context["page"]] == ["ghost"]
    assert "ghost" in failures.content.decode()


def test_the_events_page_reads_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries
) -> None:
    for n in range(30):
        Client().post(reverse("login"), {"username": f"user{n}", "password": "wrong"})
    pmo = cast.client_for(cast.pmo)
    with django_assert_max_num_queries(12):
        assert pmo.get(reverse("auth-events")).status_code == 200


def test_only_the_pmo_reads_the_events(client, cast: Cast) -> None:
    for person in (cast.executive, cast.programme_manager, cast.project_manager, cast.outsider):
        assert cast.client_for(person).get(reverse("auth-events")).status_code == 403
    assert client.get(reverse("auth-events")).status_code == 302


def test_the_security_link_is_shown_to_the_pmo_only(cast: Cast) -> None:
    url = reverse("auth-events")
    assert url in cast.client_for(cast.pmo).get(reverse("api-tokens")).content.decode()
    pm_page = cast.client_for(cast.project_manager).get(reverse("api-tokens")).content.decode()
    assert url not in pm_page
