"""What moves if this slips, in a real browser: a programme manager asks what a four-week
slip of their project does, and sees the chain reach another programme's milestone."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, axe_violations, log_in
from tests.factories import (
    BenefitFactory,
    DependencyFactory,
    MilestoneFactory,
    PersonFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_four_week_slip_reaches_another_programmes_milestone(page: Page, live_server) -> None:
    manager = PersonFactory(name="Grace Okafor", user__username="progman")
    digital = ProgrammeFactory(name="Customer Digital Services", manager=manager)
    payments = ProgrammeFactory(portfolio=digital.portfolio, name="Payments Modernisation")
    platform = ProjectFactory(
        programme=digital,
        name="Identity platform",
        baseline_start=date(2026, 1, 5),
        baseline_finish=date(2026, 11, 27),
    )
    wallet = ProjectFactory(
        programme=payments,
        name="Digital wallet",
        baseline_start=date(2026, 11, 30),
        baseline_finish=date(2027, 6, 25),
    )
    MilestoneFactory(project=wallet, name="Pilot launch", baseline_date=date(2027, 3, 1))
    DependencyFactory(upstream=platform, downstream=wallet)
    BenefitFactory(programme=payments, name="Card fees saved", target_date=date(2027, 7, 9))

    log_in(page, live_server.url, "progman")
    page.goto(f"{live_server.url}{platform.get_absolute_url()}")
    page.get_by_role("link", name="What if it slips?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What if Identity platform slips?")
    page.get_by_label("What slips").select_option(label="The project's finish")
    page.get_by_label("By").fill("4")
    page.get_by_label("Unit").select_option(label="weeks")
    page.get_by_role("button", name="Show what moves").click()

    result = page.locator("#impact-result")
    expect(result.get_by_role("heading", name="Payments Modernisation")).to_be_visible()
    pilot = result.locator("tr[data-node^=milestone]", has_text="Pilot launch")
    expect(pilot).to_contain_text("1 Mar 2027")
    # 20 working days, less the one between the platform's finish and the wallet's start.
    expect(pilot).to_contain_text("26 Mar 2027")
    expect(pilot).to_contain_text("19 working days")
    expect(pilot.locator(".impact-chain")).to_have_text(
        "Identity platform: Finish → Digital wallet: Start → Digital wallet: Pilot launch"
    )
    expect(result).to_contain_text("Card fees saved")
    assert "by=4" in page.url  # htmx pushed the question: the answer can be shared
    assert axe_violations(page) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "impact-four-week-slip.png"), full_page=True)
