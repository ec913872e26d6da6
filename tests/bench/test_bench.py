"""The benchmark's pieces (bench/) at a tiny size: `make bench` itself runs for minutes."""

from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse

from bench.client import Timing
from bench.pages import HELLO, count_queries, page_targets
from bench.seed import TINY, seed
from bench.summary import build_summary, table
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Benefit, HealthPolicy, Person, Portfolio, Programme
from projects.models import Dependency, Project, Risk, StatusReport

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
