"""Money by month in a real browser: a PMO sets a project's forecast to an S-curve on the
project page as rendered, and the programme dashboard's money table and chart follow."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from playwright.sync_api import Page, expect

from portfolio.core.money import spread_s_curve
from portfolio.core.periods import Period
from portfolio.demo.organisation import DEMO_PASSWORD
from programmes.models import Person
from projects.models import StatusReport
from tests.browser.conftest import SCREENSHOTS, axe_violations, log_in
from tests.factories import GREEN, PersonFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START, FINISH = date(2027, 1, 4), date(2027, 12, 17)
TOTAL = Decimal("240000")


def _reveal_money(page: Page) -> None:
    loader = page.locator('[data-panel-loader="money"]')
    for _ in range(40):
        if loader.count() == 0:
            break
        page.evaluate("document.querySelector('[data-panel-loader=\"money\"]')?.scrollIntoView()")
        page.wait_for_timeout(150)
    expect(page.get_by_test_id("programme-money")).to_be_visible()


def _june_forecast(page: Page) -> str:
    row = page.get_by_test_id("money-table").locator("tr", has_text="Jun 2027")
    return row.locator("td").nth(1).inner_text()


def test_pmo_sets_a_forecast_to_an_s_curve_and_the_programmes_money_follows(
    page: Page, live_server
) -> None:
    pmo = PersonFactory(name="Pat PMO", access=Person.Access.PMO, user__username="pmo")
    pmo.user.set_password(DEMO_PASSWORD)
    pmo.user.save()
    programme = ProgrammeFactory(name="Customer Digital Services")
    project = ProjectFactory(
        programme=programme,
        name="Identity platform",
        baseline_start=START,
        baseline_finish=FINISH,
        budget=TOTAL,
        forecast_at_completion=TOTAL,
        spend_to_date=Decimal(0),
    )
    # Reported on, so the dashboard's other panels show ratings rather than "no data".
    StatusReport.objects.create(
        project=project,
        period_start=Period.containing(date.today()).previous().start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        percent_complete=0,
        **GREEN,
    )
    dashboard = f"{live_server.url}/programmes/{programme.pk}/dashboard/"
    log_in(page, live_server.url, "pmo", DEMO_PASSWORD)

    page.goto(dashboard)
    _reveal_money(page)
    expect(page.get_by_test_id("programme-money").locator("svg.money-chart")).to_be_visible()
    assert _june_forecast(page) == "20,000"  # spread evenly over twelve months

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("tab", name="Money").click()
    panel = page.get_by_test_id("money-panel")
    expect(panel.get_by_test_id("phasing-forecast-shape")).to_have_text("Spread evenly")
    panel.get_by_role("link", name="Change forecast phasing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Phase the forecast of Identity platform"
    )
    page.get_by_label("S-curve").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("phasing-forecast-shape")).to_have_text("S-curve")

    page.goto(dashboard)
    _reveal_money(page)
    june = spread_s_curve(TOTAL, START, FINISH)[date(2027, 6, 1)]
    expect(
        page.get_by_test_id("money-table").locator("tr", has_text="Jun 2027").locator("td").nth(1)
    ).to_have_text(intcomma(f"{june:.0f}"))
    assert _june_forecast(page) != "20,000"
    page.get_by_test_id("programme-money").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "money-programme.png", full_page=True)
    assert axe_violations(page) == []
