"""A periodic return is a point in each project's history: its rated rows become submitted
status reports for the reporting period, and health is back-filled for that date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.health.models import PortfolioHealth, ProjectHealth
from portfolio.imports.models import ImportJob
from portfolio.imports.services import end_of_day
from programmes.models import Portfolio
from projects.models import Project, StatusReport
from tests.conftest import Cast
from tests.factories import PortfolioFactory
from tests.imports.returns import (
    COLUMNS,
    RATINGS,
    YEARS,
    commit,
    job_for,
    load,
    plan_of,
    return_file,
    row,
)


def _five_returns(**options: object) -> None:
    for year, rating in zip(YEARS, RATINGS, strict=True):
        load(return_file([row(rating_overall=rating)]), period=date(year, 3, 31), **options)


def test_five_yearly_returns_give_a_project_five_rating_points(db: None) -> None:
    _five_returns(rating_scale="dca5")
    project = Project.objects.get()
    reports = list(project.status_reports.submitted().order_by("period_start"))
    assert [r.period_start for r in reports] == [
        Period.containing(date(year, 3, 31)).start for year in YEARS
    ]
    assert [r.overall for r in reports] == ["green", "amber_green", "amber", "amber_red", "red"]
    assert {r.source for r in reports} == {StatusReport.Source.IMPORT}
    assert reports[0].overall_reason == "Costs under review"
    assert reports[0].schedule == "amber"


def test_an_imported_report_is_submitted_by_the_importing_user_on_the_reporting_day(
    cast: Cast,
) -> None:
    load(return_file([row()]), period=date(2022, 3, 31), user_id=cast.pmo.user_id)
    report = StatusReport.objects.get(source=StatusReport.Source.IMPORT)
    assert report.author_id == cast.pmo.user_id
    assert report.state == StatusReport.State.SUBMITTED
    assert report.submitted_at == end_of_day(date(2022, 3, 31))


def test_health_is_back_filled_at_each_returns_reporting_date(db: None) -> None:
    _five_returns(rating_scale="dca5")
    project = Project.objects.get()
    taken = ProjectHealth.objects.filter(project=project, kind="weekly").order_by("taken_at")
    assert [record.taken_at for record in taken] == [
        end_of_day(date(year, 3, 31)) for year in YEARS
    ]
    assert [record.reported for record in taken] == [
        "green",
        "amber_green",
        "amber",
        "amber_red",
        "red",
    ]
    portfolio = Portfolio.objects.get()
    as_of_2021 = PortfolioHealth.objects.filter(portfolio=portfolio).standing(
        end_of_day(date(2021, 6, 30))
    )
    assert as_of_2021 is not None and as_of_2021.taken_at == end_of_day(date(2021, 3, 31))


def test_importing_a_return_again_replaces_its_own_reports_and_nothing_else(
    cast: Cast,
) -> None:
    load(return_file([row(rating_overall="Green")]), period=date(2021, 3, 31))
    project = Project.objects.get(code="HS2")
    by_hand = StatusReport.objects.create(
        project=project,
        period_start=Period.containing(date(2022, 3, 31)).start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        overall="green",
    )
    load(return_file([row(rating_overall="Amber")]), period=date(2022, 3, 31))
    load(return_file([row(rating_overall="Red")]), period=date(2022, 3, 31))

    reports = project.status_reports.submitted()
    imported = reports.filter(source=StatusReport.Source.IMPORT).order_by("period_start")
    assert [r.overall for r in imported] == ["green", "red"]
    assert reports.filter(pk=by_hand.pk).exists()
    assert imported.last().revision == 2  # after the hand-written one  # type: ignore[union-attr]
    snapshots = ProjectHealth.objects.filter(
        project=project, kind="weekly", taken_at=end_of_day(date(2022, 3, 31))
    )
    assert snapshots.count() == 1


def test_the_preview_counts_reports_created_and_replaced(db: None) -> None:
    load(return_file([row()]), period=date(2021, 3, 31))
    plan = plan_of(job_for(return_file([row()]), period=date(2021, 3, 31)))
    assert plan.counts()["reports"] == {"created": 0, "updated": 1, "unchanged": 0}


def test_a_reporting_date_column_places_each_row_in_its_own_period(db: None) -> None:
    columns = COLUMNS | {"reporting_date": "As at"}
    data = return_file(
        [
            row() | {"As at": "2020-03-31"},
            row(project_code="EWR", project_name="East West Rail") | {"As at": "2021-03-31"},
        ],
        headers=[*COLUMNS.values(), "As at"],
    )
    load(data, columns=columns)
    assert sorted(StatusReport.objects.values_list("project__code", "period_start")) == [
        ("EWR", Period.containing(date(2021, 3, 31)).start),
        ("HS2", Period.containing(date(2020, 3, 31)).start),
    ]


def test_ratings_without_a_reporting_date_are_refused_for_the_whole_file(db: None) -> None:
    job = commit(job_for(return_file([row()])))
    assert job.status == ImportJob.Status.FAILED
    assert "give its reporting date" in job.row_errors[0]["message"]
    assert not Project.objects.exists()


def test_a_row_without_ratings_makes_no_report(db: None) -> None:
    load(return_file([row(rating_overall="", rating_schedule="")]), period=date(2021, 3, 31))
    assert Project.objects.exists()
    assert not StatusReport.objects.exists()


def test_a_three_point_portfolio_records_two_colour_ratings_on_its_own_scale(db: None) -> None:
    load(
        return_file(
            [
                row(project_code="A", rating_overall="Amber/Green"),
                row(project_code="B", project_name="B", rating_overall="Amber/Red"),
            ]
        ),
        period=date(2021, 3, 31),
    )
    assert Portfolio.objects.get().rating_scale == "rag3"
    assert dict(StatusReport.objects.values_list("project__code", "overall")) == {
        "A": "amber",
        "B": "red",
    }


def test_portfolios_created_by_an_import_take_the_scale_chosen_in_the_mapping(db: None) -> None:
    load(return_file([row()]), period=date(2021, 3, 31), rating_scale="dca5")
    assert Portfolio.objects.get().rating_scale == "dca5"


def test_an_unreadable_rating_is_a_row_error_naming_the_value_and_what_is_accepted(
    db: None,
) -> None:
    plan = plan_of(job_for(return_file([row(rating_overall="Purple")]), period=date(2021, 3, 31)))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "DCA")]
    assert "'Purple' is not a rating" in plan.errors[0].message


def test_an_existing_portfolio_on_the_five_point_scale_keeps_each_level(db: None) -> None:
    PortfolioFactory(code="DFT", rating_scale="dca5")
    load(return_file([row(rating_overall="4")]), period=date(2021, 3, 31))
    assert StatusReport.objects.get(project__code="HS2").overall == "amber_red"


@pytest.mark.parametrize("today_or_later", [0, 30])
def test_a_return_dated_today_or_later_back_fills_no_snapshot(
    db: None, today_or_later: int
) -> None:
    day = timezone.localdate() + timedelta(days=today_or_later)
    load(return_file([row()]), period=day)
    assert not ProjectHealth.objects.filter(kind="weekly").exists()
