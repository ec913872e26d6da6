"""The benchmark's pieces (bench/) at a tiny size: `make bench` itself runs for minutes."""

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, reverse

from bench.client import Timing, form_fields
from bench.middleware import PageCacheHeader
from bench.pages import HELLO, count_queries, page_targets
from bench.seed import TINY, Sizes, load_username, seed
from bench.summary import UserFigures, build_summary, table
from portfolio.core import pagecache
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Benefit, HealthPolicy, Person, Portfolio, Programme
from projects.impact import derived_forecasts_refresh
from projects.models import Dependency, DerivedForecast, Project, Risk, StatusReport
from tests.conftest import Cast

TODAY = date(2026, 11, 18)


@pytest.fixture
def tiny(db: None) -> dict[str, int]:
    return seed(TINY, today=TODAY, log=lambda _line: None)


def test_the_bench_seeds_the_sizes_it_is_asked_for(tiny: dict[str, int]) -> None:
    assert Portfolio.objects.count() == TINY.portfolios == tiny["portfolios"]
    assert Programme.objects.count() == TINY.programmes
    assert Project.objects.count() == TINY.projects
    assert Person.objects.filter(user__isnull=True).count() == TINY.people
    assert Risk.objects.count() == TINY.risks
    assert HealthPolicy.objects.count() == TINY.portfolios
    assert Benefit.objects.count() == TINY.programmes
    assert StatusReport.objects.submitted().count() > TINY.projects * TINY.report_weeks * 0.9
    assert Dependency.objects.exists()


def test_the_bench_seed_rolls_health_up_with_a_trend(tiny: dict[str, int]) -> None:
    assert ProjectHealth.objects.filter(is_current=True).count() == TINY.projects
    assert ProgrammeHealth.objects.filter(is_current=True).count() == TINY.programmes
    assert PortfolioHealth.objects.filter(is_current=True).count() == TINY.portfolios
    assert ProgrammeHealth.objects.filter(kind="weekly").count() == TINY.programmes


def test_the_bench_seed_stores_the_derived_forecasts_the_refresh_job_would(
    tiny: dict[str, int],
) -> None:
    assert DerivedForecast.objects.count() == tiny["derived_forecasts"] > 0
    assert derived_forecasts_refresh() == set()  # nothing left for the job to change


def test_the_largest_programme_is_the_programme_managers(tiny: dict[str, int]) -> None:
    largest = max(Programme.objects.all(), key=lambda g: g.projects.count())
    assert largest.manager is not None and largest.manager.user is not None
    assert largest.manager.user.username == "progman"
    assert Project.objects.filter(manager__user__username="pm").count() == TINY.pm_projects


def test_the_benchmark_page_is_not_mounted_unless_the_benchmark_asks() -> None:
    with pytest.raises(NoReverseMatch):
        reverse("bench-hello")


@pytest.mark.urls("tests.bench.urls_with_bench")
def test_every_bench_page_answers_and_its_queries_are_counted(tiny: dict[str, int]) -> None:
    counts = count_queries(page_targets())
    assert set(counts) == {
        HELLO,
        "executive_dashboard",
        "programme_dashboard",
        "project_page",
        "my_projects",
        "pmo_reporting",
        "portfolio_timeline",
    }
    assert all(n > 0 for n in counts.values())


def test_the_summary_has_every_figure_and_a_verdict_per_target() -> None:
    summary = build_summary(
        seed_s=1.0,
        sizes={"projects": 20},
        hello=Timing(2.0, 3.0, 200),
        pages={
            "executive_dashboard": Timing(9.0, 12.0, 200),
            "executive_dashboard.uncached": Timing(500.0, 600.0, 30),
            "my_projects": Timing(11.0, 12, 200),
        },
        queries_small={"executive_dashboard": 8, "my_projects": 6},
        queries_large={"executive_dashboard": 8, "my_projects": 7},
        full_rollup_s=3.0,
        incremental_rollup_ms=40.0,
        submit_to_dashboard_ms=1500.0,
    )
    for key in (
        "hello_p50_ms",
        "dashboards",
        "full_rollup_s",
        "incremental_rollup_ms",
        "submit_to_dashboard_ms",
        "seed_s",
        "sizes",
        "targets",
    ):
        assert key in summary
    assert set(summary["dashboards"]["my_projects"]) == {
        "p50_ms",
        "p95_ms",
        "queries_small",
        "queries_large",
    }
    assert set(summary["dashboards"]) == {"executive_dashboard", "my_projects"}
    rendered = summary["dashboards"]["executive_dashboard"]
    assert (rendered["uncached_p50_ms"], rendered["uncached_p95_ms"]) == (500.0, 600.0)
    targets = summary["targets"]
    assert targets["executive_dashboard.p50_ms"]["pass"] is True  # 9 ≤ 5 × 2, cached
    assert targets["my_projects.p50_ms"]["pass"] is False  # 11 > 10
    assert targets["my_projects.queries"]["pass"] is False  # 6 at small, 7 at large
    assert targets["full_rollup_s"]["pass"] and targets["submit_to_dashboard_ms"]["pass"]
    assert "FAIL" in table(summary)


def test_planning_figures_are_judged_against_a_second_each() -> None:
    summary = build_summary(
        seed_s=1.0,
        sizes={"projects": 20},
        hello=Timing(2.0, 3.0, 200),
        pages={},
        queries_small={},
        queries_large={},
        full_rollup_s=3.0,
        incremental_rollup_ms=40.0,
        submit_to_dashboard_ms=1500.0,
        planning={"suggestions_ms": 750.0, "scenario_evaluation_ms": 1200.0},
    )
    assert summary["planning"]["suggestions_ms"] == 750.0
    assert summary["targets"]["planning.suggestions_ms"]["pass"] is True
    assert summary["targets"]["planning.scenario_evaluation_ms"]["pass"] is False


def test_the_bench_seeds_a_login_with_work_for_everyone_in_the_mixed_load(
    tiny: dict[str, int],
) -> None:
    for n in range(TINY.load_project_managers):
        led = Project.objects.filter(manager__user__username=load_username("pm", n))
        assert led.count() == TINY.load_projects_each
        assert not led.filter(programme__isnull=True).exists()
    for n in range(TINY.load_programme_managers):
        assert Programme.objects.filter(
            manager__user__username=load_username("progman", n)
        ).exists()
    for n in range(TINY.load_executives):
        executive = Person.objects.get(user__username=load_username("executive", n))
        assert executive.executive_portfolios.count() == TINY.portfolios


def test_a_growth_run_triples_the_organisation_but_not_its_people() -> None:
    grown = TINY.times(3)
    assert (grown.projects, grown.programmes, grown.portfolios) == (60, 18, 9)
    assert grown.pm_projects == TINY.pm_projects
    assert grown.load_project_managers == Sizes().load_project_managers


def _figures(**changes: Any) -> UserFigures:
    figures = UserFigures(
        mixed_load={
            "executive_dashboard": {"p50_ms": 19.0, "p95_ms": 60.0, "cache_hit_rate": 0.9},
            "autosave": {"p50_ms": 500.0, "p95_ms": 900.0, "cache_hit_rate": None},
        },
        cold_render_ms={"executive_dashboard": 45.0},
        page_bytes={"executive_dashboard": 150_001},
        throughput_rps={"hello": 600.0, "executive_dashboard_with_writes": 300.0},
        submit_to_dashboard_under_load_p95_ms=900.0,
    )
    return replace(figures, **changes)


def _summary(figures: UserFigures) -> dict[str, Any]:
    return build_summary(
        seed_s=1.0,
        sizes={},
        hello=Timing(2.0, 3.0, 200),
        pages={},
        queries_small={},
        queries_large={},
        full_rollup_s=3.0,
        incremental_rollup_ms=40.0,
        submit_to_dashboard_ms=1500.0,
        users=figures,
    )


def test_pages_under_the_mixed_load_are_judged_against_the_idle_hello() -> None:
    summary = _summary(_figures())
    targets = summary["targets"]
    assert targets["mixed.executive_dashboard.p50_ms"] == {
        "value": 19.0,
        "limit": 20.0,
        "pass": True,
    }
    assert targets["mixed.executive_dashboard.p95_ms"]["pass"] is False  # 60 > 25 × 2
    assert "mixed.autosave.p50_ms" not in targets  # a write, not a page
    assert targets["cold.executive_dashboard_ms"]["pass"] is True  # 45 ≤ 25 × 2
    assert targets["bytes.executive_dashboard"]["pass"] is False  # over 150,000 bytes
    assert targets["executive_dashboard_rps_with_writes"]["pass"] is True  # 300 ≥ 600 / 2
    assert targets["submit_to_dashboard_under_load_p95_ms"]["pass"] is True
    assert "growth_3x" not in summary
    assert summary["hello_idle_p50_ms"] == 2.0
    for key in ("mixed_load", "cold_render_ms", "page_bytes", "throughput_rps"):
        assert key in summary
    assert ">= 300.0" in table(summary)


def test_growth_is_reported_and_judged_only_when_the_growth_run_ran() -> None:
    summary = _summary(_figures(growth_3x={"executive_dashboard": 1.4}))
    assert summary["growth_3x"] == {"executive_dashboard": 1.4}
    assert summary["targets"]["growth_3x.executive_dashboard"]["pass"] is False


def test_too_few_requests_per_second_under_writes_fail_their_target() -> None:
    rps = {"hello": 600.0, "executive_dashboard_with_writes": 299.0}
    targets = _summary(_figures(throughput_rps=rps))["targets"]
    assert targets["executive_dashboard_rps_with_writes"]["pass"] is False


def test_the_weekly_form_is_read_as_a_browser_would_send_it() -> None:
    page = """
      <form id="other"><input name="q" value="no"></form>
      <form method="post" id="report-form">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok">
        <input type="hidden" name="version" id="id_version" value="3">
        <input type="radio" name="overall" value="green">
        <input type="radio" name="overall" value="amber" checked>
        <input type="checkbox" name="flag" value="on">
        <textarea name="next_steps">Ship &amp; test</textarea>
        <select name="owner">
          <option value="1">A</option><option value="2" selected>B</option>
        </select>
        <button type="submit" name="action" value="save">Save</button>
      </form>"""
    assert form_fields(page, "report-form") == {
        "csrfmiddlewaretoken": "tok",
        "version": "3",
        "overall": "amber",
        "next_steps": "Ship & test",
        "owner": "2",
    }


def _looking_up(*keys: str) -> HttpResponse:
    """What the bench middleware answers for a view that looks these keys up."""

    def view(_request: HttpRequest) -> HttpResponse:
        for key in keys:
            pagecache.cached(key, lambda: "rendered")
        return HttpResponse("body")

    return PageCacheHeader(view)(RequestFactory().get("/"))


def test_the_bench_header_says_hit_only_when_every_lookup_found_its_body() -> None:
    cache.set("page-body:one", "cached")
    cache.set("page-body:two", "cached")
    assert _looking_up("page-body:one", "page-body:two")["X-Page-Cache"] == "hit"
    missed = _looking_up("page-body:one", "page-body:none")
    assert missed["X-Page-Cache"] == "miss"
    assert missed["X-Page-Cache-Lookups"] == "1/2"
    assert "X-Page-Cache" not in _looking_up()


def test_the_bench_header_counts_the_lookups_of_a_real_page(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    url = reverse("dashboards:portfolio")
    with override_settings(MIDDLEWARE=["bench.middleware.PageCacheHeader", *settings.MIDDLEWARE]):
        first = client.get(url)
        second = client.get(url)
    assert first.headers["X-Page-Cache"] == "miss"
    assert second.headers["X-Page-Cache"] == "hit"
    hits, lookups = second.headers["X-Page-Cache-Lookups"].split("/")
    assert hits == lookups != "0"


def test_without_the_bench_middleware_no_lookup_is_counted(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    for _ in range(3):
        response = client.get(reverse("dashboards:portfolio"))
    assert "X-Page-Cache" not in response.headers
