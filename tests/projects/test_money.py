"""Projects' money by month: phasing by shape, actuals from the weekly reports, roll-up to
programme and portfolio, and the phasing service."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects.models import MoneyKind, PhasedAmount, Project, ProjectPhasing, StatusReport
from projects.money import (
    actual_by_month,
    budget_by_month,
    forecast_by_month,
    portfolio_by_month,
    programme_by_month,
    project_money,
    project_phasing_set,
)
from tests.factories import PortfolioFactory, ProgrammeFactory, ProjectFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)


def report(project: Project, monday: date, spend: str | None, revision: int = 1) -> StatusReport:
    return StatusReport.objects.create(
        project=project,
        period_start=monday,
        revision=revision,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        overall="green",
        spend_to_date=None if spend is None else Decimal(spend),
    )


def a_project(**fields: Any) -> Project:
    defaults: dict[str, Any] = {
        "baseline_start": date(2026, 1, 5),
        "baseline_finish": date(2026, 12, 18),
        "budget": Decimal("120000"),
        "spend_to_date": Decimal(0),
    }
    return ProjectFactory(**(defaults | fields))


def test_a_project_without_a_phasing_is_spread_evenly_over_its_dates() -> None:
    project = a_project()

    phasing = budget_by_month([project])[project.pk]

    assert len(phasing) == 12
    assert set(phasing.values()) == {Decimal("10000.00")}


def test_an_s_curve_forecast_keeps_the_total_and_puts_most_in_the_middle() -> None:
    project = a_project(forecast_at_completion=Decimal("150000"))
    project_phasing_set(project=project, kind=MoneyKind.FORECAST, shape="s_curve")

    phasing = forecast_by_month([project])[project.pk]

    assert sum(phasing.values()) == Decimal("150000")
    assert phasing[date(2026, 6, 1)] > phasing[date(2026, 1, 1)] * 5
    assert budget_by_month([project])[project.pk][date(2026, 1, 1)] == Decimal("10000.00")


def test_entered_months_are_taken_as_they_are_and_the_rest_shows_as_unphased() -> None:
    project = a_project(budget=Decimal("500000"))
    months = {date(2026, 1, 1): Decimal("200000"), date(2026, 2, 1): Decimal("288000")}
    project_phasing_set(project=project, kind=MoneyKind.BUDGET, shape="entered", months=months)

    money = project_money(project, TODAY)

    assert money.budget.phasing == months
    assert money.budget.unphased == Decimal("12000")
    assert money.forecast.shape == "even"


def test_choosing_another_shape_keeps_the_entered_months_for_later() -> None:
    project = a_project()
    months = {date(2026, 3, 1): Decimal(5)}
    project_phasing_set(project=project, kind=MoneyKind.BUDGET, shape="entered", months=months)
    project_phasing_set(project=project, kind=MoneyKind.BUDGET, shape="even")
    project_phasing_set(project=project, kind=MoneyKind.BUDGET, shape="entered")

    assert budget_by_month([project])[project.pk] == months


def test_a_phasing_change_is_audited() -> None:
    project = a_project()
    project_phasing_set(
        project=project,
        kind=MoneyKind.BUDGET,
        shape="entered",
        months={date(2026, 3, 1): Decimal(5)},
    )
    project_phasing_set(project=project, kind=MoneyKind.BUDGET, shape="s_curve")

    phasing = ProjectPhasing.objects.get(project=project)
    assert [h.shape for h in phasing.history.order_by("history_id")] == [
        "even",
        "entered",
        "s_curve",
    ]
    assert PhasedAmount.history.filter(project_id=project.pk).count() == 1


@pytest.mark.parametrize(
    ("months", "field"),
    [
        ({date(2026, 3, 1): Decimal(-1)}, "months"),
        ({date(2045, 3, 1): Decimal(1)}, "months"),
    ],
)
def test_bad_months_are_refused_on_their_field(months: dict[date, Decimal], field: str) -> None:
    project = a_project()

    with pytest.raises(ValidationError) as refused:
        project_phasing_set(project=project, kind="budget", shape="entered", months=months)

    assert field in refused.value.message_dict
    assert not PhasedAmount.objects.exists()


def test_an_unknown_shape_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        project_phasing_set(project=a_project(), kind="budget", shape="zigzag")

    assert "shape" in refused.value.message_dict


def test_actuals_are_the_monthly_rise_of_the_reported_spend_to_date() -> None:
    project = a_project(spend_to_date=Decimal(900))
    report(project, date(2026, 1, 5), "100")
    report(project, date(2026, 1, 26), "300")
    report(project, date(2026, 2, 2), None)  # no figure: carried forward
    report(project, date(2026, 3, 2), "900")

    assert actual_by_month([project], TODAY)[project.pk] == {
        date(2026, 1, 1): Decimal(300),
        date(2026, 2, 1): Decimal(0),
        date(2026, 3, 1): Decimal(600),
    }


def test_a_correction_downwards_shows_as_a_negative_month_and_revisions_replace() -> None:
    project = a_project(spend_to_date=Decimal(250))
    report(project, date(2026, 1, 5), "300")
    report(project, date(2026, 2, 2), "999")
    report(project, date(2026, 2, 2), "250", revision=2)  # the week corrected

    assert actual_by_month([project], TODAY)[project.pk] == {
        date(2026, 1, 1): Decimal(300),
        date(2026, 2, 1): Decimal(-50),
    }


def test_a_newer_project_spend_counts_in_the_current_month() -> None:
    project = a_project(spend_to_date=Decimal(1000))
    report(project, date(2026, 1, 5), "400")

    assert actual_by_month([project], TODAY)[project.pk] == {
        date(2026, 1, 1): Decimal(400),
        date(2026, 6, 1): Decimal(600),
    }


def test_a_programme_sums_its_active_projects_month_by_month() -> None:
    programme = ProgrammeFactory()
    one = a_project(programme=programme, spend_to_date=Decimal(100))
    a_project(programme=programme)
    a_project(programme=programme).archive()
    a_project()  # another programme
    report(one, date(2026, 1, 5), "100")

    money = programme_by_month(programme.pk, TODAY)

    assert money.projects == 2
    assert money.rows[0].budget == Decimal("20000.00")
    assert money.rows[0].actual == Decimal(100)
    assert money.budget == Decimal("240000.00")
    assert money.rows[5].cumulative_budget == Decimal("120000.00")
    assert money.rows[6].actual is None  # July is still to come


def test_standalone_projects_count_in_their_portfolio() -> None:
    portfolio = PortfolioFactory()
    programme = ProgrammeFactory(portfolio=portfolio)
    a_project(programme=programme, portfolio=portfolio)
    a_project(programme=None, portfolio=portfolio, budget=Decimal("60000"))

    money = portfolio_by_month(portfolio.pk, TODAY)

    assert money.projects == 2
    assert money.budget == Decimal("180000.00")
    assert money.rows[0].cumulative_budget == Decimal("15000.00")


def test_the_portfolio_roll_up_reads_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    portfolio = PortfolioFactory()
    for n in range(8):
        project = a_project(portfolio=portfolio, programme=None, spend_to_date=Decimal(n))
        report(project, date(2026, 1, 5), str(n))
        project_phasing_set(project=project, kind="forecast", shape="s_curve")

    with django_assert_max_num_queries(4):
        portfolio_by_month(portfolio.pk, TODAY)
