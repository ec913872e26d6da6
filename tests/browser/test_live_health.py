"""An executive watches a programme dashboard while a project manager submits a red
report: through a real Celery worker the open page turns red, with the reason, without
being reloaded."""

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from portfolio.core.periods import Period
from portfolio.health import rollup
from programmes.models import Person, Programme
from projects.models import StatusReport
from tests.browser.conftest import log_in
from tests.factories import (
    GREEN,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def programme(celery_worker) -> Programme:  # type: ignore[no-untyped-def]
    """Rail Modernisation, green, with one project whose manager is "pm"; "executive"
    reads its portfolio."""
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
    return programme


def _submit_red(
    new_context: Callable[..., BrowserContext], base: str, programme: Programme
) -> None:
    """The project manager, in a browser of their own, submits this week's report red."""
    project = programme.projects.get()
    manager_page = new_context().new_page()
    log_in(manager_page, base, "pm")
    manager_page.goto(f"{base}/projects/{project.pk}/update/")
    manager_page.locator("input[name=overall][value=red]").check()
    manager_page.fill("#id_overall_reason", "Signalling supplier has gone into administration")
    manager_page.get_by_role("button", name="Submit report").click()
    expect(manager_page.get_by_test_id("report-meta")).to_contain_text("Submitted")


def test_an_open_dashboard_turns_red_when_a_project_reports_red(
    programme: Programme, live_server, new_context: Callable[..., BrowserContext], page: Page
) -> None:
    log_in(page, live_server.url, "executive")
    page.goto(f"{live_server.url}{programme.get_absolute_url()}dashboard/")
    panel = page.get_by_test_id("health-summary").get_by_test_id("health-panel")
    expect(panel).to_have_attribute("data-health", "green")
    page.evaluate("window.notReloaded = true")

    _submit_red(new_context, live_server.url, programme)

    expect(panel).to_have_attribute("data-health", "red", timeout=15_000)
    expect(panel.get_by_test_id("health-reasons")).to_contain_text("Signalling Upgrade")
    assert page.evaluate("window.notReloaded") is True


def test_the_cached_portfolio_dashboard_follows_the_roll_up(
    programme: Programme, live_server, new_context: Callable[..., BrowserContext], page: Page
) -> None:
    """The portfolio dashboard's body is served from the page cache; the worker's roll-up
    retires it, for the open page and for the next full load alike."""
    log_in(page, live_server.url, "executive")
    page.goto(f"{live_server.url}/dashboard/")
    page.reload()  # the second load is served from the cache
    card = page.get_by_test_id("programme-card")
    expect(card).to_have_attribute("data-health", "green")
    page.evaluate("window.notReloaded = true")

    _submit_red(new_context, live_server.url, programme)

    expect(card).to_have_attribute("data-health", "red", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    page.reload()
    # Read at once, not waited for: within seconds the page's own polling would mend a
    # stale body, and that is not what is tested here.
    assert card.get_attribute("data-health") == "red"
    assert "Signalling Upgrade" in page.get_by_test_id("needs-attention").inner_text()
