"""Health follows every change, not only a weekly submit, through a real Celery worker:
a PMO's new roll-up rule reaches every programme on an open executive dashboard, and a
milestone moved late turns the dependency health of a project in another programme."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from portfolio.core.periods import Period
from portfolio.health import rollup
from portfolio.health.models import HealthRequest
from programmes.models import HealthPolicy, Person, Portfolio
from projects.models import Dependency, Milestone, Project, StatusReport
from tests.browser.conftest import log_in
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


def _reported(project: Project, overall: str) -> None:
    last_week = Period.containing(timezone.localdate()).previous()
    ratings = {**GREEN, "overall": overall}
    StatusReport.objects.create(
        project=project,
        period_start=last_week.start,
        state="submitted",
        submitted_at=timezone.now(),
        percent_complete=40,
        overall_reason="" if overall == "green" else "Supplier late",
        **ratings,
    )


def settled() -> None:
    """Creating the rows asked the worker for health too: let that finish first, so that
    only the change under test can change what the pages show."""
    wait_for(lambda: not HealthRequest.objects.exists())


@pytest.fixture
def transport(celery_worker) -> Portfolio:  # type: ignore[no-untyped-def]
    """Two programmes, each with a red project and a larger green one (amber by budget),
    "pmo" sets policy, "executive" reads the portfolio."""
    PersonFactory(name="Pat PMO", access=Person.Access.PMO, user__username="pmo")
    executive = PersonFactory(
        name="Eve Exec", access=Person.Access.EXECUTIVE, user__username="executive"
    )
    portfolio = PortfolioFactory(name="Transport")
    portfolio.executives.add(executive)
    HealthPolicy.objects.create(portfolio=portfolio, rollup=HealthPolicy.Rollup.BUDGET_WEIGHTED)
    for name in ("Rail", "Roads"):
        programme = ProgrammeFactory(portfolio=portfolio, name=name)
        _reported(ProjectFactory(programme=programme, budget=Decimal(400_000)), "red")
        _reported(ProjectFactory(programme=programme, budget=Decimal(600_000)), "green")
    rollup.recompute_everything()
    settled()
    return portfolio


def test_a_new_roll_up_rule_reaches_every_programme_on_an_open_dashboard(
    transport: Portfolio, live_server, new_context: Callable[..., BrowserContext], page: Page
) -> None:
    log_in(page, live_server.url, "executive")
    page.goto(f"{live_server.url}/dashboard/")
    cards = page.get_by_test_id("programme-card")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card.locator("details")).to_contain_text("weighted by budget")
    page.evaluate("window.notReloaded = true")

    pmo = new_context().new_page()
    log_in(pmo, live_server.url, "pmo")
    pmo.goto(f"{live_server.url}/programmes/portfolios/{transport.pk}/health-policy/")
    pmo.get_by_label("Rollup").select_option(HealthPolicy.Rollup.WORST_OF)
    pmo.get_by_role("button", name="Save").click()
    # The portfolio page says how far the new rule has reached, then that it reached all.
    expect(pmo.get_by_test_id("policy-reach")).to_contain_text(
        "has reached every programme and project", timeout=20_000
    )

    for card in cards.all():
        expect(card).to_have_attribute("data-health", "red", timeout=20_000)
        expect(card.locator("details")).to_contain_text("worst of")
    assert page.evaluate("window.notReloaded") is True


@pytest.fixture
def linked(celery_worker) -> tuple[Milestone, Project]:  # type: ignore[no-untyped-def]
    """ "pm" manages Signalling (Rail), whose milestone "Interlocking ready" Depot Works
    (Roads) needs; "progman" manages Roads."""
    portfolio = PortfolioFactory(name="Transport")
    HealthPolicy.objects.create(portfolio=portfolio)
    pm = PersonFactory(name="Pam Project", user__username="pm")
    progman = PersonFactory(name="Gus Programme", user__username="progman")
    rail = ProgrammeFactory(portfolio=portfolio, name="Rail")
    roads = ProgrammeFactory(portfolio=portfolio, name="Roads", manager=progman)
    today = timezone.localdate()
    upstream = ProjectFactory(programme=rail, name="Signalling", manager=pm)
    milestone = MilestoneFactory(
        project=upstream, name="Interlocking ready", baseline_date=today + timedelta(days=30)
    )
    downstream = ProjectFactory(
        programme=roads,
        name="Depot Works",
        baseline_start=today + timedelta(days=40),
        baseline_finish=today + timedelta(days=300),
    )
    Dependency.objects.create(
        upstream=upstream, downstream=downstream, upstream_milestone=milestone
    )
    for project in (upstream, downstream):
        _reported(project, "green")
    rollup.recompute_everything()
    settled()
    return milestone, downstream


def test_a_milestone_moved_late_turns_the_downstream_projects_dependency_health(
    linked: tuple[Milestone, Project],
    live_server,
    new_context: Callable[..., BrowserContext],
    page: Page,
) -> None:
    milestone, downstream = linked
    log_in(page, live_server.url, "progman")
    page.goto(f"{live_server.url}{downstream.get_absolute_url()}")
    panel = page.get_by_test_id("health-panel")
    expect(panel).not_to_contain_text("Interlocking")

    pm = new_context().new_page()
    log_in(pm, live_server.url, "pm")
    pm.goto(f"{live_server.url}/projects/milestones/{milestone.pk}/edit/")
    late = milestone.baseline_date + timedelta(days=60)
    pm.get_by_label("Forecast date").fill(late.isoformat())
    pm.get_by_role("button", name="Save").click()
    pm.wait_for_url(lambda url: "/edit/" not in url)

    # The project page is served from the page cache until a write commits: reload it
    # until the roll-up's write shows.
    for _ in range(40):
        page.reload()
        if "Signalling" in (panel.text_content() or ""):
            break
        page.wait_for_timeout(500)
    reasons = panel.get_by_test_id("health-reasons")
    expect(reasons).to_contain_text("Upstream “Signalling” late by")
    expect(panel).to_have_attribute("data-health", "red")
