"""A PMO requests a board pack on its page, watches its progress through a real Celery
worker and downloads the PDF; and the dashboards print without the navigation bar, with
their reasons open."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import BrowserContext, expect

from portfolio.core.periods import Period
from portfolio.health.models import HealthRequest, PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Person, Programme
from projects.reporting import status_report_open, status_report_submit
from tests.boardpacks.pdf import page_count, text_of
from tests.browser.conftest import log_in
from tests.conftest import wait_for
from tests.factories import (
    GREEN,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def red_programme(celery_worker) -> Programme:  # type: ignore[no-untyped-def]
    """A portfolio whose one programme has turned red on a project's report, settled."""
    PersonFactory(name="Pat PMO", access=Person.Access.PMO, user__username="pmo")
    portfolio = PortfolioFactory(name="Transport")
    rail = ProgrammeFactory(portfolio=portfolio, name="Rail Modernisation")
    project = ProjectFactory(programme=rail, name="Signalling Upgrade")
    report, _ = status_report_open(
        project=project, period=Period.containing(date.today()), author=None
    )
    status_report_submit(
        report=report,
        version=report.version,
        changes={
            **GREEN,
            "percent_complete": 40,
            "overall": "red",
            "overall_reason": "Supplier collapsed",
        },
        author=None,
    )
    wait_for(lambda: ProgrammeHealth.objects.filter(programme=rail, overall="red").exists())
    wait_for(lambda: not HealthRequest.objects.exists())
    return rail


def test_a_pmo_requests_a_pack_follows_its_progress_and_downloads_it(
    red_programme: Programme, live_server, new_context: Callable[..., BrowserContext]
) -> None:
    # The health history reaches back three days (as the demo's and imported returns' do).
    for model in (ProjectHealth, ProgrammeHealth, PortfolioHealth):
        model.objects.update(taken_at=F("taken_at") - timedelta(days=3))
    page = new_context(accept_downloads=True).new_page()
    log_in(page, live_server.url, "pmo")
    page.goto(f"{live_server.url}/board-packs/")
    page.get_by_label("Portfolio or programme").select_option(label="Transport")
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("As of").fill(yesterday.isoformat())
    page.get_by_role("button", name="Build the pack").click()
    download_link = page.get_by_test_id("pack-download")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("pack-status")).to_contain_text("Ready")
    with page.expect_download() as info:
        download_link.click()
    pdf = open(info.value.path(), "rb").read()  # noqa: SIM115
    text = text_of(pdf)
    assert "Transport" in text and f"As of {yesterday:%-d %B %Y}" in text
    assert "Rail Modernisation" in text and "Supplier collapsed" in text
    assert page_count(pdf) == 4


def test_the_dashboards_print_without_the_navigation_and_with_their_reasons_open(
    red_programme: Programme, live_server, new_context: Callable[..., BrowserContext]
) -> None:
    page = new_context().new_page()
    log_in(page, live_server.url, "pmo")
    page.goto(f"{live_server.url}/dashboard/")
    card = page.get_by_test_id("programme-card").first
    expect(card).to_be_visible()
    reasons = card.locator("details li").first
    expect(reasons).to_be_hidden()  # on screen, closed until asked
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    expect(page.locator("body > nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(reasons).to_be_visible()
    expect(reasons).to_contain_text("Signalling Upgrade")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    expect(reasons).to_be_hidden()

    page.goto(f"{live_server.url}/programmes/{red_programme.pk}/dashboard/")
    page.emulate_media(media="print")
    expect(page.locator("body > nav.navbar")).to_be_hidden()
    expect(page.get_by_role("link", name="Refresh")).to_be_hidden()
    expect(page.get_by_test_id("health-reasons")).to_be_visible()
    expect(page.get_by_test_id("health-reasons")).to_contain_text("Signalling Upgrade")
