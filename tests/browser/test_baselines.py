"""Re-baselining in a real browser: a project manager approves a new baseline on the
project page, sees it listed with the original kept, the slippage follow it, and compares
with the original."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, axe_violations, log_in
from tests.factories import MilestoneFactory, PersonFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rebaseline_keeps_the_original_and_the_slippage_follows_it(
    page: Page, live_server
) -> None:
    manager = PersonFactory(name="Priya Shah", user__username="pm")
    project = ProjectFactory(
        programme=ProgrammeFactory(name="Customer Digital Services"),
        name="Identity platform",
        manager=manager,
        baseline_finish=date(2026, 12, 18),
        forecast_finish=date(2026, 12, 18) + timedelta(days=30),
    )
    MilestoneFactory(
        project=project,
        name="Design signed off",
        baseline_date=date(2026, 6, 1),
        forecast_date=date(2026, 6, 21),
    )
    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    milestone_row = page.locator("#overview tr", has_text="Design signed off")
    expect(milestone_row.locator("td").nth(4)).to_contain_text("20")
    expect(page.locator("#overview")).to_contain_text("(30 days late)")

    page.get_by_role("tab", name="Baselines").click()
    panel = page.get_by_test_id("baselines-panel")
    expect(panel).to_contain_text("Only the baseline on the project so far")
    panel.get_by_role("link", name="Re-baseline").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Re-baseline Identity platform")
    page.get_by_label("Name").fill("Gate 2 approval")
    page.get_by_role("button", name="Save").click()
    reason = page.get_by_label("Reason")
    expect(reason).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_contain_text("a new baseline needs a reason")
    reason.fill("The design review added single sign-on for partners.")
    expect(page.get_by_label("Baseline the current forecasts")).to_be_checked()
    page.get_by_role("button", name="Save").click()

    listed = page.get_by_test_id("baseline-list")
    expect(listed).to_contain_text("Gate 2 approval")
    expect(listed).to_contain_text("Original")
    expect(listed).to_contain_text("Priya Shah")
    compared = page.get_by_test_id("baseline-comparison")
    design = compared.locator("tr", has_text="Design signed off")
    expect(design.get_by_test_id("variance-then")).to_have_text("20")
    expect(design.get_by_test_id("variance-now")).to_have_text("0")
    page.screenshot(path=SCREENSHOTS / "baselines.png", full_page=True)
    assert axe_violations(page) == []

    # Compare with the baseline in force instead: htmx swaps the panel.
    page.get_by_label("Compare with baseline").select_option(label="2. Gate 2 approval")
    expect(design.get_by_test_id("variance-then")).to_have_text("0")

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    expect(milestone_row.locator("td").nth(4)).to_contain_text("0")
    expect(milestone_row.locator("td").nth(1)).to_have_text("21 Jun 2026")
    expect(page.locator("#overview")).not_to_contain_text("days late")
