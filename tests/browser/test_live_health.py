"""An executive watches a programme dashboard while a project manager submits a red
report: through a real Celery worker the open page turns red, with the reason, without
being reloaded."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from portfolio import rollup
from portfolio.periods import Period
from programmes.models import Person
from projects.models import StatusReport
from tests.factories import (
    PASSWORD,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
GREEN = {name: "green" for name in ("schedule", "cost", "scope", "resources", "risk", "overall")}


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_an_open_dashboard_turns_red_when_a_project_reports_red(
    celery_worker, live_server, browser: Browser, page: Page
) -> None:
    executive = PersonFactory(
        name="Eve Exec", access=Person.Access.EXECUTIVE, user__username="executive"
    )
    manager = PersonFactory(name="Pam Project", user__username="pm")
    portfolio = PortfolioFactory(name="Transport")
    portfolio.executives.add(executive)
    programme = ProgrammeFactory(portfolio=portfolio, name="Rail Modernisation")
    project = ProjectFactory(programme=programme, name="Signalling Upgrade", manager=manager)
    last_week = Period.containing(timezone.localdate()).previous()
    StatusReport.objects.create(
        project=project,
        period_start=last_week.start,
        state="submitted",
        submitted_at=timezone.now(),
        percent_complete=40,
        **GREEN,
    )
    rollup.recompute_everything()

    _log_in(page, live_server.url, "executive")
    page.goto(f"{live_server.url}{programme.get_absolute_url()}dashboard/")
    panel = page.get_by_test_id("health-summary").get_by_test_id("health-panel")
    expect(panel).to_have_attribute("data-health", "green")
    page.evaluate("window.notReloaded = true")

    manager_page = browser.new_context().new_page()
    _log_in(manager_page, live_server.url, "pm")
    manager_page.goto(f"{live_server.url}/projects/{project.pk}/update/")
    manager_page.locator("input[name=overall][value=red]").check()
    manager_page.fill("#id_overall_reason", "Signalling supplier has gone into administration")
    manager_page.get_by_role("button", name="Submit report").click()
    expect(manager_page.get_by_test_id("report-meta")).to_contain_text("Submitted")

    expect(panel).to_have_attribute("data-health", "red", timeout=15_000)
    expect(panel.get_by_test_id("health-reasons")).to_contain_text("Signalling Upgrade")
    assert page.evaluate("window.notReloaded") is True
