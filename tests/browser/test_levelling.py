"""Levelling in a real browser, on the demo: the programme manager finds the over-booked
person on the Capacity page, opens the suggestions, applies one and sees the person within
capacity (issue 17, part 2)."""

import pytest
from playwright.sync_api import Page, expect

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from tests.browser.conftest import go_to, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_programme_manager_resolves_the_demos_over_booked_person_with_a_suggestion(
    page: Page, live_server
) -> None:
    load_demo()
    log_in(page, live_server.url, "progman", DEMO_PASSWORD)
    go_to(page, "Capacity", menu="Resources")
    page.get_by_label("Only people over capacity").check()
    page.get_by_role("button", name="Show", exact=True).click()
    grid = page.get_by_test_id("capacity-grid")
    tara = grid.get_by_role("row").filter(has_text="Tara Singh").first
    expect(tara.locator("td[data-level=over]").first).to_be_visible()

    tara.get_by_role("link", name="Suggestions for Tara Singh").click()
    panel = grid.locator(".levelling-panel")
    expect(panel).to_contain_text("Tara Singh is at 130 %")
    first = panel.get_by_role("listitem").filter(has=page.get_by_role("button", name="Apply"))
    expect(first.first).to_contain_text("Tara Singh is within capacity")
    page.screenshot(path="test-results/levelling-suggestions.png", full_page=True)
    first.first.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status").filter(has_text="Done: Give Tara Singh")).to_be_visible()
    rows = page.get_by_test_id("capacity-grid").get_by_role("row").filter(has_text="Tara Singh")
    expect(rows.locator("td[data-level=over]")).to_have_count(0)
    page.screenshot(path="test-results/levelling-applied.png", full_page=True)
