"""The portfolio timeline of the demo organisation in a real browser: a programme opened by
keyboard loads its projects (htmx), drawn with milestones and arrows, the zoom changes the
scale, and nothing on the page breaks axe, the CSP or a phone's width.

The last screenshot is kept in test-results/screenshots/timeline.png to look at."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import Page, expect

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from programmes.models import Portfolio, Programme
from projects.models import Dependency, Milestone, Project
from tests.browser.conftest import SCREENSHOTS, axe_violations, log_in, overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page: Page, base_url: str, *, from_navigation: bool = True) -> Portfolio:
    load_demo()
    portfolio = Portfolio.objects.get(programmes__code="CDS")
    log_in(page, base_url, "executive", DEMO_PASSWORD)
    if from_navigation:
        page.get_by_role("link", name="Timeline", exact=True).click()
        page.get_by_role("link", name=portfolio.name).click()
    else:  # a phone folds the navigation away
        page.goto(f"{base_url}/timeline/portfolios/{portfolio.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{portfolio.name}: timeline")
    return portfolio


def test_a_programme_opened_by_keyboard_shows_its_projects_with_milestones_and_arrows(
    page: Page, live_server
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    _open(page, live_server.url)
    group = page.locator("details.tl-group", has_text="Customer Digital Services")
    expect(group.locator("[data-testid=group-rows]")).to_have_count(0)
    group.locator("summary").focus()
    page.keyboard.press("Enter")
    rows = group.locator("[data-testid=group-rows]")
    expect(rows).to_be_visible()
    expect(rows.locator("svg g.row")).not_to_have_count(0)
    expect(rows.locator("svg path.ms").first).to_be_attached()
    expect(rows.locator("svg g.dep").first).to_be_attached()
    # Each project is a link with its dates in words for a screen reader.
    first = rows.get_by_role("link").first
    expect(first).to_have_attribute("href", re.compile(r"^/projects/\d+/$"))
    assert page.locator("svg.timeline-chart[style], svg.timeline-chart [style]").count() == 0

    found = axe_violations(page)
    assert not found, "\n".join(found)

    page.get_by_role("link", name="Months").click()
    expect(page.get_by_role("link", name="Months")).to_have_attribute("aria-current", "true")
    expect(page.locator("svg.timeline-axis text", has_text="Jan").first).to_be_attached()
    group = page.locator("details.tl-group", has_text="Customer Digital Services")
    group.locator("summary").click()
    expect(group.locator("[data-testid=group-rows] svg g.row").first).to_be_attached()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "timeline.png"), full_page=True)


def test_the_timeline_fits_a_phone_by_scrolling_inside_its_own_box(page: Page, live_server) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    _open(page, live_server.url, from_navigation=False)
    page.locator("details.tl-group summary").first.click()
    expect(page.locator("[data-testid=group-rows]").first).to_be_visible()
    assert overflow(page) == 0


def test_as_of_a_past_day_an_opened_programme_highlights_the_chain_as_it_stood(
    page: Page, live_server
) -> None:
    page.set_viewport_size({"width": 1400, "height": 900})
    portfolio = _open(page, live_server.url)
    for model in (Programme, Project, Milestone, Dependency):  # the demo, a month ago
        model.history.update(history_date=F("history_date") - timedelta(days=30))  # type: ignore[attr-defined]
    past_day = (timezone.localdate() - timedelta(days=7)).isoformat()
    page.goto(f"{live_server.url}/timeline/portfolios/{portfolio.pk}/?as_of={past_day}")
    expect(page.get_by_test_id("as-of")).to_be_visible()
    group = page.locator("details.tl-group", has_text="Customer Digital Services")
    group.locator("summary").click()
    rows = group.locator("[data-testid=group-rows]")
    expect(rows.locator("svg g.row").first).to_be_attached()
    expect(rows.locator("svg .critical").first).to_be_attached()
