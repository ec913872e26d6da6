"""Dates are typed one way whatever the browser's locale: an American browser, which would
show a date picker as mm/dd/yyyy, is asked for YYYY-MM-DD and saves what it was asked for."""

from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from projects.models import Milestone, StatusReport
from tests.browser.conftest import log_in
from tests.factories import MilestoneFactory, PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-US", "timezone_id": "America/New_York"}


def test_an_american_browser_enters_dates_as_the_page_asks_and_saves(
    page: Page, live_server
) -> None:
    manager = PersonFactory(name="Peter Novak", user__username="pm")
    project = ProjectFactory(name="Online Payments", manager=manager)
    milestone = MilestoneFactory(project=project, name="Go live", baseline_date=date(2027, 2, 1))
    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/update/")
    assert page.evaluate("navigator.language") == "en-US"

    finish = page.locator("#id_forecast_finish")
    expect(finish).to_have_attribute("type", "text")
    expect(finish).to_have_attribute("placeholder", "YYYY-MM-DD")
    finish.fill("2027-02-22")
    finish.press("Tab")
    expect(page.locator("#save-status")).to_contain_text("Draft saved")

    forecast = page.locator(f"#id_m{milestone.pk}-forecast_date")
    expect(forecast).to_have_attribute("placeholder", "YYYY-MM-DD")
    forecast.fill("22 Feb 2027")  # the way the app prints dates is understood too
    forecast.press("Tab")
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text("saved")
    expect(page.locator(f"#id_m{milestone.pk}-forecast_date")).to_have_value("2027-02-22")

    assert StatusReport.objects.get(project=project).forecast_finish == date(2027, 2, 22)
    assert Milestone.objects.get(pk=milestone.pk).forecast_date == date(2027, 2, 22)


def test_a_date_typed_the_american_way_is_refused_with_the_format(page: Page, live_server) -> None:
    manager = PersonFactory(name="Peter Novak", user__username="pm")
    project = ProjectFactory(name="Online Payments", manager=manager)
    milestone = MilestoneFactory(project=project, name="Go live", baseline_date=date(2027, 2, 1))
    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/update/")

    forecast = page.locator(f"#id_m{milestone.pk}-forecast_date")
    forecast.fill("02/22/2027")
    forecast.press("Tab")
    expect(page.locator(f"#milestone-{milestone.pk}")).to_contain_text(
        "Enter a date as YYYY-MM-DD, for example 2027-02-22."
    )
    assert Milestone.objects.get(pk=milestone.pk).forecast_date is None
