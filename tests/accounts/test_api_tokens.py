"""API tokens: issued once and kept only as a hash, either scheme, revoked by their owner or
the PMO, and the browser session beside them (with its CSRF token on writes)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.accounts.models import ApiToken
from tests.api_world import World, make_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

PROJECTS = reverse("api:project-list")  # any route that needs credentials


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    response = client.post(reverse("api-tokens"), {"name": "Export script"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith("smt_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=cast.project_manager.user)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.prefix == secret[:12]
    again = client.get(reverse("api-tokens")).content.decode()
    assert secret not in again and token.prefix in again


def test_a_token_opens_the_api_with_either_scheme(world: World) -> None:
    for scheme in ("Bearer", "Token", "bearer"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {world.tokens['project_manager']}")
        response = client.get(PROJECTS)
        assert response.status_code == 200, scheme
        names = {project["name"] for project in response.json()["results"]}
        assert names == {"Project A1", "Project A1 sibling", "Project A1 third"}


def test_using_a_token_records_when_it_was_last_used(world: World) -> None:
    token = ApiToken.objects.get(user=world.pmo.user)
    assert token.last_used_at is None
    world.client("pmo").get(PROJECTS)
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer two parts",
        "Bearer smt_not-a-real-token",
        "Token ",
        "Bearer é",
    ],
)
def test_a_bad_token_is_a_401_naming_the_scheme(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(PROJECTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "detail" in response.json()


def test_no_credentials_at_all_is_a_401(world: World) -> None:
    response = APIClient().get(PROJECTS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_a_401(world: World) -> None:
    token = ApiToken.objects.get(user=world.project_manager.user)
    page = world.cast.client_for(world.project_manager)
    response = page.post(reverse("api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == world.project_manager.user
    assert world.client("project_manager").get(PROJECTS).status_code == 401


def test_a_deactivated_users_token_is_a_401(world: World) -> None:
    user = world.project_manager.user
    user.is_active = False
    user.save()
    assert world.client("project_manager").get(PROJECTS).status_code == 401


def test_pmo_revokes_anyones_token_but_others_only_their_own(world: World) -> None:
    pm_token = ApiToken.objects.get(user=world.project_manager.user)
    pmo_token = ApiToken.objects.get(user=world.pmo.user)
    pm_page = world.cast.client_for(world.project_manager)
    assert pm_page.post(reverse("api-token-revoke", args=[pmo_token.pk])).status_code == 404
    pmo_page = world.cast.client_for(world.pmo)
    response = pmo_page.post(reverse("api-token-revoke", args=[pm_token.pk]))
    assert response["Location"] == reverse("api-tokens-all")
    assert world.client("project_manager").get(PROJECTS).status_code == 401
    assert world.client("pmo").get(PROJECTS).status_code == 200


def test_only_pmo_sees_everyones_tokens(world: World) -> None:
    assert world.cast.client_for(world.executive).get(reverse("api-tokens-all")).status_code == 403
    page = world.cast.client_for(world.pmo).get(reverse("api-tokens-all"))
    assert page.status_code == 200
    assert world.project_manager.user.username in page.content.decode()


def test_revoking_is_refused_on_get(world: World) -> None:
    token = ApiToken.objects.get(user=world.pmo.user)
    page = world.cast.client_for(world.pmo)
    assert page.get(reverse("api-token-revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.is_active


def test_the_token_page_needs_a_login(client: Client) -> None:
    response = client.get(reverse("api-tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_token_needs_a_name(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(reverse("api-tokens"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_browser_session_works_but_writes_need_the_csrf_token(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.pmo.user)
    url = reverse("api:project-detail", args=[world.project_a1.pk])
    assert browser.get(url).status_code == 200
    body = json.dumps({"name": "Renamed"})
    refused = browser.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get(reverse("api-tokens"))  # sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.patch(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 200


def test_the_api_docs_are_linked_from_the_navigation_and_the_token_page(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    docs = reverse("api:docs")
    navigation = client.get(reverse("projects:mine")).content.decode()
    tokens = client.get(reverse("api-tokens")).content.decode()
    assert f'href="{docs}">API docs</a>' in navigation
    assert f'<a href="{docs}">API documentation</a>' in tokens
    assert client.get(docs).status_code == 200
