"""MFA: an authenticator app plus recovery codes; the code step after the password, held
by the gate; throttled wrong codes; turning it off with the password; PMO made to set it up
when REQUIRE_MFA_FOR_PMO is on; every change recorded."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portfolio.accounts.models import ApiToken, AuthEvent
from tests.accounts.mfa_helpers import app_code
from tests.conftest import Cast
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
MFA = reverse("mfa")
VERIFY = reverse("mfa-verify")


def _enrol(client: Client, user: User) -> list[str]:
    """Set MFA up as a person would: open the page, type the app's code; the recovery codes."""
    assert client.get(MFA).status_code == 200
    device = TOTPDevice.objects.get(user=user)
    response = client.post(MFA, {"code": app_code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def _password_step(username: str = "pm") -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def pm_with_mfa(cast: Cast) -> tuple[User, list[str]]:
    user = cast.project_manager.user
    assert user is not None
    return user, _enrol(cast.client_for(cast.project_manager), user)


def test_the_setup_page_shows_a_qr_code_drawn_as_inline_svg_and_the_key(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(MFA)
    figure = response.content.decode().split('data-testid="mfa-qr"')[1].split("</figure>")[0]
    assert "<svg" in figure
    assert "<img" not in figure
    assert "script" not in figure
    assert "style=" not in figure
    device = TOTPDevice.objects.get(user=cast.project_manager.user)
    assert not device.confirmed
    assert response.context["secret"].replace(" ", "")


def test_reloading_the_setup_page_keeps_the_same_key(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    first = client.get(MFA).context["secret"]
    assert client.get(MFA).context["secret"] == first
    assert TOTPDevice.objects.filter(user=cast.project_manager.user).count() == 1


def test_the_apps_code_turns_mfa_on_and_shows_ten_recovery_codes_once(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    user, codes = pm_with_mfa
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=user).confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_a_wrong_code_leaves_mfa_off(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    client.get(MFA)
    response = client.post(MFA, {"code": "000000"})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=cast.project_manager.user).confirmed


def test_with_mfa_on_the_password_alone_reaches_no_page(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    client = _password_step()
    response = client.get(reverse("projects:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{VERIFY}?next=")
    assert client.get(MFA).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_with_mfa_off_the_password_signs_in_as_before(cast: Cast) -> None:
    client = _password_step()
    assert client.get(reverse("projects:mine")).status_code == 200


def test_the_apps_code_completes_the_sign_in_and_goes_to_the_page_asked_for(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    user, _ = pm_with_mfa
    client = _password_step()
    wanted = reverse("projects:mine")
    code = app_code(TOTPDevice.objects.get(user=user), steps_ahead=1)
    response = client.post(VERIFY, {"code": code, "next": wanted})
    assert response.status_code == 302
    assert response["Location"] == wanted
    assert client.get(wanted).status_code == 200


def test_the_code_step_does_not_send_anyone_to_another_site(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    user, _ = pm_with_mfa
    client = _password_step()
    code = app_code(TOTPDevice.objects.get(user=user), steps_ahead=1)
    response = client.post(VERIFY, {"code": code, "next": "https://evil.example.org/"})
    assert response["Location"] == "/"


def test_a_recovery_code_signs_in_once_and_is_refused_the_second_time(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    _, codes = pm_with_mfa
    first = _password_step()
    assert first.post(VERIFY, {"code": codes[0].upper()}).status_code == 302
    assert first.get(reverse("projects:mine")).status_code == 200

    second = _password_step()
    response = second.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert second.get(reverse("projects:mine")).status_code == 302
    assert StaticToken.objects.count() == 9


def test_wrong_codes_are_refused_with_a_retry_time_after_the_limit(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    _, codes = pm_with_mfa
    client = _password_step()
    statuses = [
        client.post(VERIFY, {"code": "123456"}).status_code
        for _ in range(settings.MFA_FAILURE_LIMIT + 1)
    ]
    assert statuses == [400] * settings.MFA_FAILURE_LIMIT + [429]
    # Even the right code waits for the cool-off now.
    refused = client.post(VERIFY, {"code": codes[1]})
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert StaticToken.objects.filter(token=codes[1]).exists()


def test_the_pmo_sees_who_is_refused_at_the_code_step_and_unlocks_them(
    cast: Cast, pm_with_mfa: tuple[User, list[str]]
) -> None:
    _, codes = pm_with_mfa
    client = _password_step()
    for _ in range(settings.MFA_FAILURE_LIMIT):
        client.post(VERIFY, {"code": "123456"})
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 429
    pmo = cast.client_for(cast.pmo)
    listed = pmo.get(reverse("lockouts")).context["lockouts"]
    assert {(row.kind, row.value, row.door) for row in listed} == {
        ("username", "pm", "authentication code"),
        ("address", "127.0.0.1", "authentication code"),
    }

    for row in listed:  # what the Unlock button of each row posts
        pmo.post(reverse("unlock"), {"kind": row.kind, "value": row.value})

    assert pmo.get(reverse("lockouts")).context["lockouts"] == []
    assert client.post(VERIFY, {"code": codes[1]}).status_code == 302
    assert AuthEvent.objects.filter(kind=AuthEvent.Kind.UNLOCKED).count() == 2


def test_turning_mfa_off_needs_the_password(pm_with_mfa: tuple[User, list[str]]) -> None:
    user, codes = pm_with_mfa
    client = _password_step()
    client.post(VERIFY, {"code": codes[0]})
    client.post(reverse("mfa-disable"), {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()

    client.post(reverse("mfa-disable"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert _password_step().get(reverse("projects:mine")).status_code == 200


def test_a_pmo_must_set_up_mfa_before_anything_else_when_it_is_required(
    cast: Cast, settings
) -> None:
    settings.REQUIRE_MFA_FOR_PMO = True
    client = _password_step("pmo")
    response = client.get(reverse("programmes:list"))
    assert response["Location"].startswith(f"{MFA}?next=")
    page = client.get(MFA)
    assert page.status_code == 200
    assert page.context["required"]
    user = cast.pmo.user
    assert user is not None
    client.post(MFA, {"code": app_code(TOTPDevice.objects.get(user=user))})
    assert client.get(reverse("programmes:list")).status_code == 200


def test_requiring_mfa_for_pmo_leaves_other_roles_alone(cast: Cast, settings) -> None:
    settings.REQUIRE_MFA_FOR_PMO = True
    assert _password_step("pm").get(reverse("projects:mine")).status_code == 200


@pytest.mark.parametrize(
    ("env", "required"),
    [
        ({"DEBUG": "true"}, "False"),
        ({"DEBUG": "false"}, "True"),
        ({"DEBUG": "false", "REQUIRE_MFA_FOR_PMO": "false"}, "False"),
        ({"DEBUG": "true", "REQUIRE_MFA_FOR_PMO": "true"}, "True"),
    ],
)
def test_mfa_is_required_for_pmo_by_default_in_production_only(
    env: dict[str, str], required: str
) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.REQUIRE_MFA_FOR_PMO)",
        ],
        env={**base, "DJANGO_SETTINGS_MODULE": "portfolio.settings", "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == required, result.stderr


def test_the_api_refuses_a_session_that_owes_its_code_but_takes_a_token(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    user, _ = pm_with_mfa
    client = _password_step()
    refused = client.get("/api/v1/projects/")
    assert refused.status_code == 403
    assert "authentication code" in refused.json()["detail"]
    _, secret = ApiToken.objects.issue(user=user, name="script")
    assert (
        Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    )


def test_another_authorization_scheme_does_not_let_a_session_past_its_code(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    client = _password_step()
    refused = client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Basic cG06eA==")
    assert refused.status_code == 403
    assert "authentication code" in refused.json()["detail"]


def test_mfa_changes_and_codes_are_recorded_as_authentication_events(
    pm_with_mfa: tuple[User, list[str]],
) -> None:
    _, codes = pm_with_mfa
    client = _password_step()
    client.post(VERIFY, {"code": "999999"})
    client.post(VERIFY, {"code": codes[0]})
    client.post(reverse("mfa-disable"), {"password": PASSWORD})
    kinds = list(
        AuthEvent.objects.filter(username="pm").order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == [
        "signed_in",
        "mfa_enabled",
        "signed_in",
        "mfa_failed",
        "recovery_code_used",
        "mfa_disabled",
    ]
    assert AuthEvent.objects.get(kind="recovery_code_used").detail == "9 left"
