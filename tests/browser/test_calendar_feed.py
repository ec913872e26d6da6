"""A calendar feed in a real browser: a project manager makes the feed's address, a calendar
client (the icalendar library's parser, over HTTP with no cookies) reads their milestone
from it, and once revoked the address answers 404."""

import urllib.error
import urllib.request
from datetime import date

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, axe_violations, go_to, log_in
from tests.factories import MilestoneFactory, PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, b""


def test_a_calendar_client_reads_the_feed_until_it_is_revoked(page: Page, live_server) -> None:
    manager = PersonFactory(name="Priya Shah", user__username="pm")
    project = ProjectFactory(name="Identity platform", manager=manager)
    MilestoneFactory(project=project, name="Go live", baseline_date=date(2026, 9, 1))

    log_in(page, live_server.url, "pm")
    go_to(page, "Calendar", menu="account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your calendar feed")
    page.get_by_role("button", name="Make my feed's address").click()
    url = page.get_by_test_id("feed-url").inner_text().strip()
    page.screenshot(path=SCREENSHOTS / "calendar-feed.png", full_page=True)
    assert axe_violations(page) == []

    status, body = _fetch(url)
    assert status == 200
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert "Identity platform: Go live" in summaries

    page.goto(page.url)  # a fresh GET, not a replay of the POST
    expect(page.get_by_test_id("feed-url")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Revoke", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Revoked your calendar feed")
    assert _fetch(url)[0] == 404
