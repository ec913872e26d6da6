"""Calendar feeds: a secret URL per user, answered without a session, parsed here with the
icalendar library's own parser as a calendar client would parse it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from portfolio.accounts.keys import hash_key
from portfolio.calendars.models import CalendarFeed
from programmes.models import HealthPolicy
from tests.conftest import Cast
from tests.factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def _url(secret: str) -> str:
    return reverse("calendars:feed", args=[secret])


def _events(client: Client, secret: str) -> dict[str, object]:
    response = client.get(_url(secret))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def secret(cast: Cast) -> str:
    """Pam's feed: she manages Project A1."""
    _, secret = CalendarFeed.objects.issue(user=cast.project_manager.user)
    return secret


def test_the_feed_lists_my_projects_milestones_as_all_day_events(cast: Cast, secret: str) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1,
        name="Design signed off",
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 6, 15),
    )
    event = _events(Client(), secret)[f"milestone-{milestone.pk}@stationmaster"]
    assert event["SUMMARY"] == "Project A1: Design signed off"  # type: ignore[index]
    assert event.decoded("DTSTART") == date(2026, 6, 15)  # type: ignore[attr-defined]
    assert event.decoded("DTEND") == date(2026, 6, 16)  # type: ignore[attr-defined]
    assert str(event["URL"]).endswith(cast.project_a1.get_absolute_url())  # type: ignore[index]
    assert "DTSTAMP" in event  # type: ignore[operator]


def test_a_reached_milestone_is_on_its_actual_date(cast: Cast, secret: str) -> None:
    milestone = MilestoneFactory(
        project=cast.project_a1, baseline_date=date(2026, 3, 2), actual_date=date(2026, 3, 5)
    )
    event = _events(Client(), secret)[f"milestone-{milestone.pk}@stationmaster"]
    assert event.decoded("DTSTART") == date(2026, 3, 5)  # type: ignore[attr-defined]
    assert "(reached)" in str(event["SUMMARY"])  # type: ignore[index]


def test_a_moved_milestone_keeps_its_uid_so_clients_move_it(cast: Cast, secret: str) -> None:
    milestone = MilestoneFactory(project=cast.project_a1, baseline_date=date(2026, 6, 1))
    uid = f"milestone-{milestone.pk}@stationmaster"
    assert _events(Client(), secret)[uid].decoded("DTSTART") == date(2026, 6, 1)  # type: ignore[attr-defined]
    milestone.forecast_date = date(2026, 7, 1)
    milestone.save()
    # Fetched again at once: the feed is never served from a cache.
    assert _events(Client(), secret)[uid].decoded("DTSTART") == date(2026, 7, 1)  # type: ignore[attr-defined]


def test_the_programme_manager_gets_every_milestone_of_the_programme(cast: Cast) -> None:
    own = MilestoneFactory(project=cast.project_a1)
    sibling = MilestoneFactory(project=cast.project_a1_sibling)
    elsewhere = MilestoneFactory(project=cast.project_a2)
    _, secret = CalendarFeed.objects.issue(user=cast.programme_manager.user)
    uids = set(_events(Client(), secret))
    assert {f"milestone-{own.pk}@stationmaster", f"milestone-{sibling.pk}@stationmaster"} <= uids
    assert f"milestone-{elsewhere.pk}@stationmaster" not in uids


def test_the_feed_leaves_out_projects_i_do_not_manage(cast: Cast, secret: str) -> None:
    other = MilestoneFactory(project=cast.project_b1)
    sibling = MilestoneFactory(project=cast.project_a1_sibling)
    uids = set(_events(Client(), secret))
    assert f"milestone-{other.pk}@stationmaster" not in uids
    assert f"milestone-{sibling.pk}@stationmaster" not in uids


def test_report_due_days_cover_four_weeks_back_and_twelve_ahead(cast: Cast, secret: str) -> None:
    HealthPolicy.objects.update_or_create(
        portfolio=cast.portfolio_a, defaults={"report_due_weekday": 4}
    )
    events = _events(Client(), secret)
    due = sorted(
        event.decoded("DTSTART")  # type: ignore[attr-defined]
        for uid, event in events.items()
        if uid.startswith(f"report-due-{cast.portfolio_a.pk}-")
    )
    today = timezone.localdate()
    assert len(due) == 17
    assert all(day.weekday() == 4 for day in due)
    assert due[0] <= today - timedelta(weeks=4) + timedelta(days=6)
    assert due[-1] >= today + timedelta(weeks=12) - timedelta(days=6)
    assert all(
        "Project A1" in str(e["SUMMARY"]) for u, e in events.items() if u.startswith("report-due")
    )  # type: ignore[index]


def test_every_uid_is_unique(cast: Cast, secret: str) -> None:
    MilestoneFactory.create_batch(3, project=cast.project_a1)
    response = Client().get(_url(secret))
    uids = [str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == 3 + 17


def test_an_unknown_secret_answers_404(cast: Cast) -> None:
    assert Client().get(_url("not-a-feed")).status_code == 404


def test_a_revoked_feed_answers_404(cast: Cast, secret: str) -> None:
    client = cast.client_for(cast.project_manager)
    client.post(reverse("calendars:revoke"))
    assert Client().get(_url(secret)).status_code == 404


def test_making_a_new_feed_revokes_the_old_one(cast: Cast, secret: str) -> None:
    _, newer = CalendarFeed.objects.issue(user=cast.project_manager.user)
    assert Client().get(_url(secret)).status_code == 404
    assert Client().get(_url(newer)).status_code == 200


def test_a_fetch_records_when_the_feed_was_last_used(cast: Cast, secret: str) -> None:
    Client().get(_url(secret))
    assert CalendarFeed.objects.get(user=cast.project_manager.user).last_used_at is not None


def test_only_a_hash_of_the_secret_is_stored(cast: Cast, secret: str) -> None:
    feed = CalendarFeed.objects.get(user=cast.project_manager.user)
    assert secret not in (feed.key_hash, feed.prefix)
    assert feed.key_hash == hash_key(secret)


def test_the_settings_page_shows_the_new_url_once(cast: Cast) -> None:
    client = cast.client_for(cast.project_manager)
    made = client.post(reverse("calendars:settings"))
    assert made["Cache-Control"] == "no-store"
    [url] = [
        line for line in made.content.decode().split() if "/calendar/" in line and ".ics" in line
    ]
    secret = url.split("/calendar/")[1].split(".ics")[0]
    assert CalendarFeed.objects.opening(secret) is not None
    again = client.get(reverse("calendars:settings"))
    assert secret not in again.content.decode()


def test_the_settings_page_needs_a_login(db: None) -> None:
    response = Client().get(reverse("calendars:settings"))
    assert response.status_code == 302


def test_the_feed_reads_a_fixed_number_of_queries(
    cast: Cast, secret: str, django_assert_max_num_queries: object
) -> None:
    MilestoneFactory.create_batch(10, project=cast.project_a1)
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        assert Client().get(_url(secret)).status_code == 200
