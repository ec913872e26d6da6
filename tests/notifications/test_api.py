"""The notices and preferences in the API, each user's own."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.notifications.models import Kind, Notification
from portfolio.notifications.services import digest_enabled, notify
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _client(person) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def _notice(cast: Cast, key: str) -> Notification:
    (notice,) = notify(
        recipients=[cast.programme_manager.user], kind=Kind.MENTION, event_key=key, title=key
    )
    return notice


def test_the_list_gives_my_notices_and_filters_the_unread(cast: Cast) -> None:
    _notice(cast, "a")
    read = _notice(cast, "b")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00Z")
    client = _client(cast.programme_manager)
    everything = client.get(reverse("api:notification-list")).json()
    unread = client.get(reverse("api:notification-list"), {"unread": "true"}).json()
    assert [n["title"] for n in everything["results"]] == ["b", "a"]
    assert [n["title"] for n in unread["results"]] == ["a"]
    assert _client(cast.pmo).get(reverse("api:notification-list")).json()["count"] == 0


def test_marking_read_through_the_api(cast: Cast) -> None:
    notice = _notice(cast, "a")
    _notice(cast, "b")
    client = _client(cast.programme_manager)
    answer = client.post(reverse("api:notification-read", args=[notice.pk])).json()
    assert answer["is_read"] is True
    assert client.post(reverse("api:notification-read-all")).json() == {"marked": 1}


def test_preferences_round_trip(cast: Cast) -> None:
    client = _client(cast.project_manager)
    body = {"digest": True, "kinds": [{"kind": "escalation", "in_app": False, "email": True}]}
    answer = client.put(reverse("api:notification-preferences"), body, format="json").json()
    assert answer["digest"] is True
    kinds = {k["kind"]: k for k in answer["kinds"]}
    assert kinds["escalation"] == {"kind": "escalation", "in_app": False, "email": True}
    assert kinds["reminder"]["email"] is False  # the reminder itself is the email
    assert digest_enabled(cast.project_manager.user)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"digest": True, "kinds": [{"kind": "gossip", "in_app": True, "email": True}]}, "kinds"),
        ({"digest": "sometimes", "kinds": []}, "digest"),
        ({"kinds": []}, "digest"),
        (
            {
                "digest": False,
                "kinds": [
                    {"kind": "mention", "in_app": True, "email": True},
                    {"kind": "mention", "in_app": False, "email": True},
                ],
            },
            "kinds",
        ),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(cast: Cast, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = _client(cast.project_manager).put(
        reverse("api:notification-preferences"), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_the_routes_are_in_the_openapi_schema(cast: Cast) -> None:
    schema = _client(cast.pmo).get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/notifications/" in schema["paths"]
    assert "put" in schema["paths"]["/api/v1/notifications/preferences/"]
