"""The executive dashboard's read models (portfolio.health.summaries): programme cards and
portfolio sections stored by the roll-up, true after every write once the jobs ran, moving
their versions (and the page cache) only when what they show changed; a card is never
served from an earlier day."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from portfolio.core import pagecache
from portfolio.health import rollup
from portfolio.health.models import HealthRequest, PortfolioSummary, ProgrammeSummary
from portfolio.health.summaries import (
    TREND_WEEKS,
    current_cards,
    refresh_programme_summaries,
    stale_portfolio_summaries,
    stale_programme_summaries,
    trend_start,
)
from programmes.models import Programme
from projects.models import Project, StatusReport
from tests.conftest import Cast
from tests.factories import (
    BenefitFactory,
    BenefitMeasurementFactory,
    ProgrammeFactory,
    ProjectFactory,
)
from tests.health.jobs import run_queued_jobs


def _report(project: Project, overall: str) -> None:
    StatusReport.objects.create(
        project=project,
        period_start=date(2026, 11, 16),
        state="submitted",
        submitted_at=timezone.now(),
        percent_complete=10,
        overall=overall,
        overall_reason="Because",
        **{d: "green" for d in ("schedule", "cost", "scope", "resources", "risk")},
    )


def _summary(programme: Programme) -> ProgrammeSummary:
    return ProgrammeSummary.objects.get(programme=programme)


def test_the_rollup_stores_a_summary_of_every_programme_equal_to_a_fresh_computation(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    summaries = ProgrammeSummary.objects.all()
    assert {s.programme_id for s in summaries} == set(
        Programme.objects.active().values_list("pk", flat=True)
    )
    assert stale_programme_summaries() == []


def test_the_trend_is_stored_as_one_rating_code_a_week_from_its_first_monday(
    cast: Cast,
) -> None:
    _report(cast.project_a1, "red")
    rollup.recompute_everything()
    summary = _summary(cast.programme_a1)
    assert summary.trend_start == trend_start(timezone.localdate())
    assert summary.trend_start.weekday() == 0
    assert len(summary.trend) == TREND_WEEKS and summary.trend[-1] == "red"
    assert set(summary.trend) <= {"", "red"}  # codes only, no dates per point


def test_a_change_to_a_projects_money_reaches_its_card_and_no_other_once_the_jobs_ran(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    before_a1, before_a2 = _summary(cast.programme_a1), _summary(cast.programme_a2)
    project = Project.objects.get(pk=cast.project_a1.pk)
    project.budget, project.spend_to_date = Decimal(500_000), Decimal(125_000)
    project.save()
    assert _summary(cast.programme_a1).budget == before_a1.budget  # the worker has not run
    run_queued_jobs()
    after_a1, after_a2 = _summary(cast.programme_a1), _summary(cast.programme_a2)
    expected = Project.objects.filter(programme=cast.programme_a1).totals_by("programme")
    assert (after_a1.budget, after_a1.spend) == (
        expected[cast.programme_a1.pk].budget,
        expected[cast.programme_a1.pk].spend,
    )
    assert after_a1.version == before_a1.version + 1
    assert after_a2.version == before_a2.version


def test_a_benefit_measurement_reaches_its_programmes_card(cast: Cast) -> None:
    rollup.recompute_everything()
    assert _summary(cast.programme_a1).benefits_realised is None
    benefit = BenefitFactory(programme=cast.programme_a1, target=Decimal(200))
    BenefitMeasurementFactory(benefit=benefit, value=Decimal(50))
    run_queued_jobs()
    assert _summary(cast.programme_a1).benefits_realised == 25
    assert stale_programme_summaries() == []


def test_red_and_amber_projects_are_counted_on_their_programmes_card(cast: Cast) -> None:
    _report(cast.project_a1, "red")
    _report(cast.project_a1_sibling, "amber")
    rollup.recompute_everything()
    summary = _summary(cast.programme_a1)
    assert (summary.red_projects, summary.amber_projects) == (1, 1)


def test_archiving_a_project_takes_it_off_its_programmes_card(cast: Cast) -> None:
    rollup.recompute_everything()
    assert _summary(cast.programme_a1).project_count == 2
    Project.objects.get(pk=cast.project_a1_sibling.pk).archive()
    run_queued_jobs()
    assert _summary(cast.programme_a1).project_count == 1


def test_recomputing_without_a_change_moves_no_version_and_no_page_cache_scope(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    HealthRequest.objects.all().delete()
    version = _summary(cast.programme_a1).version
    scope = pagecache.scope_of(cast.programme_a1)
    before = pagecache.versions([scope])
    assert refresh_programme_summaries(None, timezone.localdate()) == 0
    assert _summary(cast.programme_a1).version == version
    assert pagecache.versions([scope]) == before


def test_a_changed_summary_moves_its_programmes_page_cache_scope_and_no_sibling(
    cast: Cast,
) -> None:
    rollup.recompute_everything()
    mine, sibling = pagecache.scope_of(cast.programme_a1), pagecache.scope_of(cast.programme_a2)
    before = pagecache.versions([mine, sibling])
    assert before is not None
    ProgrammeSummary.objects.filter(programme=cast.programme_a1).update(budget=Decimal(1))
    assert refresh_programme_summaries([cast.programme_a1.pk], timezone.localdate()) == 1
    after = pagecache.versions([mine, sibling])
    assert after is not None
    assert after[mine] != before[mine] and after[sibling] == before[sibling]


def test_a_summary_from_an_earlier_day_is_worked_out_afresh_not_served(cast: Cast) -> None:
    rollup.recompute_everything()
    ProgrammeSummary.objects.filter(programme=cast.programme_a1).update(
        computed_on=timezone.localdate() - timedelta(days=1), overall="red", project_count=99
    )
    card = current_cards([cast.programme_a1.pk], timezone.localdate())[cast.programme_a1.pk]
    assert card.facts.totals.count == 2 and card.facts.health.overall != "red"


def test_a_programme_the_worker_has_not_reached_yet_still_gets_its_card(cast: Cast) -> None:
    programme = ProgrammeFactory(portfolio=cast.portfolio_a)
    ProgrammeSummary.objects.filter(programme=programme).delete()
    card = current_cards([programme.pk], timezone.localdate())[programme.pk]
    assert card.version == 0 and card.facts.totals.count == 0


def test_each_portfolio_section_counts_its_programmes_by_rating_and_its_standalone_money(
    cast: Cast,
) -> None:
    _report(cast.project_a1, "red")
    ProjectFactory(programme=None, portfolio=cast.portfolio_a, budget=Decimal(70_000))
    rollup.recompute_everything()
    summary = PortfolioSummary.objects.get(portfolio=cast.portfolio_a)
    assert sum(summary.tally.values()) == 2 and summary.tally["red"] == 1
    assert (summary.standalone_count, summary.standalone_budget) == (1, Decimal(70_000))
    assert stale_portfolio_summaries() == []


def test_a_new_programme_reaches_its_portfolios_section_once_the_jobs_ran(cast: Cast) -> None:
    rollup.recompute_everything()
    version = PortfolioSummary.objects.get(portfolio=cast.portfolio_a).version
    ProgrammeFactory(portfolio=cast.portfolio_a)
    run_queued_jobs()
    summary = PortfolioSummary.objects.get(portfolio=cast.portfolio_a)
    assert sum(summary.tally.values()) == 3 and summary.version == version + 1
    assert PortfolioSummary.objects.get(portfolio=cast.portfolio_b).version == 1
