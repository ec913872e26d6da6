"""Scenarios in a real browser, on the demo: the PMO builds "delay Data Lake Foundation by 6
weeks", sees what it does to capacity, dates, money and health, builds a second scenario,
compares the two side by side, applies the first and finds the live project moved."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from projects.models import Project
from tests.browser.conftest import SCREENSHOTS, go_to, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROJECT = "Data Lake Foundation"


def _new_scenario(page: Page, name: str) -> None:
    go_to(page, "Scenarios", menu="Resources")
    expect(page.get_by_role("heading", level=1)).to_have_text("Scenarios")
    form = page.get_by_test_id("scenario-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Portfolio or programme").select_option(label="DAT Data Platform")
    form.get_by_role("button", name="Create the scenario").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def _add_change(page: Page, kind: str, **fields: str) -> None:
    # Choosing a kind swaps in its fields (htmx): fill them once they have arrived.
    with page.expect_response(lambda r: "kind=" in r.url):
        page.get_by_label("Kind of change").select_option(label=kind)
    # A locator, not wait_for_function: that evaluates a string, which the page's CSP refuses.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    form = page.get_by_test_id("change-form")
    form.get_by_label("Project").select_option(label=PROJECT)
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Add the change").click()


def test_pmo_builds_compares_and_applies_a_six_week_delay(page: Page, live_server) -> None:
    load_demo()
    project = Project.objects.get(name=PROJECT)
    finish = project.forecast_finish or project.baseline_finish
    log_in(page, live_server.url, "pmo", DEMO_PASSWORD)

    _new_scenario(page, "Data lake six weeks later")
    _add_change(page, "Delay a project by weeks", Weeks="6")
    expect(page.get_by_test_id("scenario-changes")).to_contain_text(f"Delay {PROJECT} by 6 weeks")
    capacity = page.get_by_test_id("panel-capacity")
    expect(capacity).to_contain_text("person-weeks over: 14 → 20")
    expect(page.get_by_test_id("panel-dates")).to_contain_text(f"{PROJECT}: finish 42 days later")
    expect(page.get_by_test_id("panel-money")).to_contain_text("months change")
    expect(page.get_by_test_id("panel-money").locator("tbody tr").first).to_be_visible()
    health = page.get_by_test_id("panel-health")
    expect(health.get_by_role("row").filter(has_text=PROJECT)).to_contain_text("Red")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "scenario.png"), full_page=True)
    first_url = page.url

    _new_scenario(page, "Data lake cancelled")
    _add_change(page, "Cancel a project")
    expect(page.get_by_test_id("panel-health")).to_contain_text("Cancelled")

    go_to(page, "Scenarios", menu="Resources")
    page.get_by_role("link", name="Compare two side by side").click()
    page.get_by_label("First").select_option(label="Data lake six weeks later (Draft)")
    page.get_by_label("Second").select_option(label="Data lake cancelled (Draft)")
    page.get_by_role("button", name="Compare").click()
    columns = page.get_by_test_id("compare-column")
    expect(columns).to_have_count(2)
    expect(columns.nth(0)).to_contain_text(f"Delay {PROJECT} by 6 weeks")
    expect(columns.nth(1)).to_contain_text(f"Cancel {PROJECT}")
    page.screenshot(path=str(SCREENSHOTS / "scenario-compare.png"), full_page=True)

    page.goto(first_url)
    page.get_by_role("link", name="Apply…").click()
    expect(page.get_by_test_id("apply-changes")).to_contain_text(f"Delay {PROJECT} by 6 weeks")
    page.get_by_role("button", name="Apply the scenario").click()
    expect(page.get_by_test_id("scenario-state")).to_have_text("Applied")
    expect(page.get_by_text("read-only")).to_be_visible()

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    moved = finish + timedelta(weeks=6)
    expect(page.locator("dd").filter(has_text="What if it slips?")).to_contain_text(
        f"{moved.day} {moved:%b %Y}"
    )
