"""The bell, the notices page and the preferences form."""

import json

import pytest
from django.urls import reverse

from portfolio.notifications.models import Kind, Notification, NotificationPreference
from portfolio.notifications.services import digest_enabled, notify
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _notice(cast: Cast, key: str = "k", url: str = "/projects/") -> Notification:
    (notice,) = notify(
        recipients=[cast.programme_manager.user],
        kind=Kind.ESCALATION,
        event_key=key,
        title=f"Escalated {key}",
        url=url,
    )
    return notice


def test_the_bell_counts_my_unread_notices_and_says_so_in_words(cast: Cast) -> None:
    _notice(cast, "a")
    _notice(cast, "b")
    Notification.objects.filter(event_key="b").update(read_at="2026-01-01T00:00Z")
    body = cast.client_for(cast.programme_manager).get(reverse("notifications:bell")).content
    assert b'aria-label="Notifications: 1 unread"' in body
    assert b'data-testid="notice-count" aria-hidden="true">1<' in body
    assert b"1 unread notification<" in body


def test_the_bell_of_someone_with_no_notices_shows_no_count(cast: Cast) -> None:
    _notice(cast)
    body = cast.client_for(cast.project_manager).get(reverse("notifications:bell")).content
    assert b"notice-count" not in body
    assert b"No unread notifications" in body


def test_every_page_carries_the_bell_that_loads_its_count(cast: Cast) -> None:
    body = cast.client_for(cast.project_manager).get(reverse("projects:mine")).content
    assert b'id="notice-bell"' in body
    assert b'hx-get="/notifications/bell/"' in body


def test_the_list_shows_my_notices_and_not_others(cast: Cast) -> None:
    _notice(cast)
    mine = cast.client_for(cast.programme_manager).get(reverse("notifications:list"))
    theirs = cast.client_for(cast.project_manager).get(reverse("notifications:list"))
    assert b"Escalated k" in mine.content
    assert b"Escalated k" not in theirs.content


def test_the_list_can_show_only_the_unread(cast: Cast) -> None:
    _notice(cast, "a")
    _notice(cast, "b").read_at = None
    Notification.objects.filter(event_key="a").update(read_at="2026-01-01T00:00Z")
    page = cast.client_for(cast.programme_manager).get(reverse("notifications:list") + "?unread=1")
    assert b"Escalated b" in page.content and b"Escalated a" not in page.content


def test_opening_a_notice_marks_it_read_and_follows_its_link(cast: Cast) -> None:
    notice = _notice(cast, url="/programmes/")
    client = cast.client_for(cast.programme_manager)
    response = client.post(reverse("notifications:open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == "/programmes/"
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_notice_pointing_off_site_opens_the_list_instead(cast: Cast) -> None:
    notice = _notice(cast, url="https://evil.example.com/")
    response = cast.client_for(cast.programme_manager).post(
        reverse("notifications:open", args=[notice.pk])
    )
    assert response["Location"] == reverse("notifications:list")


def test_nobody_can_open_or_mark_anothers_notice(cast: Cast) -> None:
    notice = _notice(cast)
    client = cast.client_for(cast.pmo)
    assert client.post(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_read_by_htmx_swaps_the_row_and_tells_the_bell(cast: Cast) -> None:
    notice = _notice(cast)
    response = cast.client_for(cast.programme_manager).post(
        reverse("notifications:read", args=[notice.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"notices-changed": {}}
    assert response.content.strip().startswith(b"<li")
    assert b"Unread" not in response.content


def test_mark_all_read_empties_the_bell(cast: Cast) -> None:
    _notice(cast, "a")
    _notice(cast, "b")
    client = cast.client_for(cast.programme_manager)
    response = client.post(reverse("notifications:read-all"), follow=True)
    assert b"Marked 2 notices read." in response.content
    assert not Notification.objects.unread().exists()


def test_the_preferences_form_saves_each_kind_and_the_digest(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    form = client.get(reverse("notifications:preferences"))
    assert b'name="escalation_email" id="id_escalation_email" checked' in form.content
    assert b'name="reminder_email"' not in form.content
    response = client.post(
        reverse("notifications:preferences"),
        {"escalation_in_app": "on", "mention_email": "on", "digest": "on"},
    )
    assert response.status_code == 302
    user = cast.project_manager.user
    prefs = NotificationPreference.for_user(user)
    assert (prefs[Kind.ESCALATION].in_app, prefs[Kind.ESCALATION].email) == (True, False)
    assert (prefs[Kind.MENTION].in_app, prefs[Kind.MENTION].email) == (False, True)
    assert digest_enabled(user)


def test_the_notices_page_answers_in_a_fixed_number_of_queries(
    cast: Cast, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for n in range(30):
        _notice(cast, f"k{n}")
    client = cast.client_for(cast.programme_manager)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:list")).status_code == 200
