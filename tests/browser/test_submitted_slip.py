"""A slip submitted in the weekly update, through a real Celery worker: the project page says
what it moves, and the downstream project in another programme gets the upstream slip in its
health with the reason (issue 16, "Done when")."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portfolio.core.periods import Period
from portfolio.health import rollup
from portfolio.health.models import HealthRequest
from programmes.models import HealthPolicy
from projects.models import Dependency, Project, StatusReport
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.conftest import wait_for
from tests.factories import (
    GREEN,
    MilestoneFactory,
    PersonFactory,
    PortfolioFactory,
    ProgrammeFactory,
    ProjectFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signalling(celery_worker) -> Project:  # type: ignore[no-untyped-def]
    """ "pm" manages Signalling (Rail), reported green last week; Depot Works (Roads, managed
    by "progman") starts after Signalling's "Interlocking ready"."""
    portfolio = PortfolioFactory(name="Transport")
    HealthPolicy.objects.create(portfolio=portfolio)
    pm = PersonFactory(name="Pam Project", user__username="pm")
    progman = PersonFactory(name="Gus Programme", user__username="progman")
    today = timezone.localdate()
    upstream = ProjectFactory(
        programme=ProgrammeFactory(portfolio=portfolio, name="Rail"),
        name="Signalling",
        manager=pm,
        baseline_start=today - timedelta(days=100),
        baseline_finish=today + timedelta(days=60),
    )
    ready = MilestoneFactory(
        project=upstream, name="Interlocking ready", baseline_date=today + timedelta(days=30)
    )
    downstream = ProjectFactory(
        programme=ProgrammeFactory(portfolio=portfolio, name="Roads", manager=progman),
        name="Depot Works",
        baseline_start=today + timedelta(days=40),
        baseline_finish=today + timedelta(days=300),
    )
    MilestoneFactory(
        project=downstream, name="Depot open", baseline_date=today + timedelta(days=200)
    )
    Dependency.objects.create(upstream=upstream, downstream=downstream, upstream_milestone=ready)
    last_week = Period.containing(today).previous()
    for project in (upstream, downstream):
        StatusReport.objects.create(
            project=project,
            period_start=last_week.start,
            state="submitted",
            submitted_at=timezone.now(),
            percent_complete=40,
            **GREEN,
        )
    rollup.recompute_everything()
    wait_for(lambda: not HealthRequest.objects.exists())
    return upstream


def test_a_submitted_slip_shows_its_reach_and_reaches_the_downstream_health(
    signalling: Project, live_server, page: Page
) -> None:
    log_in(page, live_server.url, "pm")
    page.get_by_role("link", name="Update").click()
    late = timezone.localdate() + timedelta(days=30 + 35)
    page.get_by_label("Forecast date of Interlocking ready").fill(late.isoformat())
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_test_id("report-meta")).to_contain_text("Submitted")

    page.goto(f"{live_server.url}{signalling.get_absolute_url()}")
    reach = page.get_by_test_id("slip-reach")
    expect(reach).to_contain_text("This slip moves 1 milestone in 1 other project")
    expect(reach.get_by_role("link", name="See what moves")).to_be_visible()

    wait_for(lambda: not HealthRequest.objects.exists())
    downstream = Project.objects.get(name="Depot Works")
    log_in(page, live_server.url, "progman")
    for _ in range(40):  # the page cache serves the page until the roll-up's write commits
        page.goto(f"{live_server.url}{downstream.get_absolute_url()}")
        if "upstream slip" in (page.get_by_test_id("health-panel").text_content() or ""):
            break
        page.wait_for_timeout(500)
    reasons = page.get_by_test_id("health-panel").get_by_test_id("health-reasons")
    expect(reasons).to_contain_text("An upstream slip (“Signalling”) pushes your start by")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "submitted-slip-downstream.png"), full_page=True)
