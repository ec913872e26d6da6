"""The programme dashboard of the demo programme in a real browser: the roadmap, the benefits
chart and the heat map are drawn, and drawn again after htmx refreshes the page body."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from programmes.models import Programme
from projects.models import Dependency, Milestone, Project
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_dashboard(page: Page, base_url: str, errors: list[str]) -> Programme:
    load_demo()
    programme = Programme.objects.get(code="CDS")  # Grace Okafor's programme
    _make_one_dependency_late(programme)
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, base_url, "progman", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("My programmes")
    page.goto(f"{base_url}/programmes/{programme.pk}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer Digital Services: dashboard"
    )
    _reveal_panels(page)
    return programme


def _reveal_panels(page: Page) -> None:
    """Scroll each panel into view, as a reader would, until every one has loaded."""
    loaders = page.locator("[data-panel-loader]")
    for _ in range(40):
        if loaders.count() == 0:
            break
        page.evaluate("document.querySelector('[data-panel-loader]')?.scrollIntoView()")
        page.wait_for_timeout(150)
    expect(loaders).to_have_count(0)


def _make_one_dependency_late(programme: Programme) -> None:
    """Unpin one dependency and let its upstream finish a month after the downstream starts."""
    dependency = Dependency.objects.filter(downstream__programme=programme).first()
    assert dependency is not None
    upstream, downstream = dependency.upstream, dependency.downstream
    upstream.forecast_finish = max(upstream.baseline_start, downstream.baseline_start) + timedelta(
        days=30
    )
    upstream.save()
    dependency.upstream_milestone = dependency.downstream_milestone = None
    dependency.kind, dependency.lag_days = Dependency.Kind.FINISH_TO_START, 0
    dependency.save()


def _expected(programme: Programme) -> tuple[int, int, int]:
    """Bars, arrows and milestone markers the demo programme's roadmap should draw."""
    projects = Project.objects.filter(programme=programme)
    return (
        projects.count(),
        Dependency.objects.filter(downstream__in=projects).count(),
        Milestone.objects.filter(project__in=projects).count(),
    )


def test_the_demo_programme_dashboard_draws_its_roadmap_chart_and_heat_map(
    page: Page, live_server
) -> None:
    errors: list[str] = []
    bars, arrows, milestones = _expected(_open_dashboard(page, live_server.url, errors))
    assert bars and arrows and milestones, "the demo programme has all three"

    roadmap = page.get_by_test_id("roadmap")
    expect(roadmap.locator("svg.gantt .bar-wrapper")).to_have_count(bars)
    expect(roadmap.locator("svg.gantt .arrow path")).to_have_count(arrows)
    expect(roadmap.locator("svg.gantt .milestone-marker")).to_have_count(milestones)
    late = roadmap.locator("svg.gantt .arrow path.arrow-late")
    expect(late.first).to_be_attached()
    assert late.first.locator("title").text_content().startswith("Late upstream: ")

    canvas = page.get_by_test_id("benefits-chart")
    expect(canvas).to_be_visible()
    assert page.evaluate("Chart.getChart(document.getElementById('benefits-chart')) !== undefined")

    heat_map = page.get_by_test_id("load-grid")
    assert heat_map.locator("td.load-cell").count() > 0
    assert heat_map.locator("tbody tr").first.locator("td.load-cell").count() == 12
    assert errors == []


def test_the_charts_are_drawn_again_after_htmx_refreshes_the_dashboard(
    page: Page, live_server
) -> None:
    errors: list[str] = []
    bars, arrows, _ = _expected(_open_dashboard(page, live_server.url, errors))
    expect(page.locator("svg.gantt .bar-wrapper")).to_have_count(bars)
    page.evaluate("document.getElementById('dashboard-body').dataset.before = 'yes'")

    with page.expect_response(lambda r: "/dashboard/" in r.url and r.request.method == "GET"):
        page.get_by_role("link", name="Refresh").click()

    expect(page.locator("#dashboard-body:not([data-before])")).to_have_count(1)
    _reveal_panels(page)
    expect(page.locator("svg.gantt .bar-wrapper")).to_have_count(bars)
    expect(page.locator("svg.gantt .arrow path")).to_have_count(arrows)
    assert page.evaluate("Chart.getChart(document.getElementById('benefits-chart')) !== undefined")
    assert page.evaluate("Object.keys(Chart.instances).length") == 1
    assert errors == []
