"""The money pages: a project's phasing and months against plan with its form, and the
money-by-month panels of the programme dashboard and the portfolio page, which stay cached
until a phasing or a submitted report's spend changes what they show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from portfolio.core.periods import Period
from projects.models import PhasedAmount, ProjectPhasing
from projects.money import project_phasing_set
from projects.reporting import status_report_open, status_report_submit
from tests.conftest import Cast
from tests.factories import GREEN

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _money(cast: Cast) -> str:
    return reverse("projects:money", args=[cast.project_a1.pk])


def _edit(cast: Cast, kind: str = "forecast") -> str:
    return reverse("projects:money-edit", args=[cast.project_a1.pk]) + f"?kind={kind}"


def _programme_panel(cast: Cast) -> str:
    return reverse("dashboards:programme", args=[cast.programme_a1.pk]) + "?panel=money"


def _portfolio_panel(cast: Cast) -> str:
    return reverse("dashboards:portfolio-money", args=[cast.portfolio_a.pk])


def _text(client: Client, url: str) -> str:
    response = client.get(url, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_project_money_page_shows_each_kinds_shape_and_the_months(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(_money(cast))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="phasing-forecast-shape">Spread evenly<' in html
    assert "<svg" in html and 'data-testid="money-table"' in html
    assert "Change forecast phasing" not in html  # the budget is PMO's to phase


def test_pmo_sets_the_forecast_to_an_s_curve_from_the_form(cast: Cast) -> None:
    response = cast.client_for(cast.pmo).post(_edit(cast), {"kind": "forecast", "shape": "s_curve"})

    assert response.status_code == 302
    assert response["Location"] == _money(cast)
    assert ProjectPhasing.objects.get(project=cast.project_a1, kind="forecast").shape == "s_curve"


def test_entered_months_that_leave_part_of_the_budget_say_how_much(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    client.post(
        _edit(cast, "budget"),
        {"kind": "budget", "shape": "entered", "months": "2026-01 200000\n2026-02 38,000"},
    )

    html = client.get(_money(cast)).content.decode()

    assert "12,000 of the 250,000 budget is not phased." in html
    assert PhasedAmount.objects.filter(project=cast.project_a1).count() == 2


@pytest.mark.parametrize(
    ("months", "error"),
    [
        ("2026-13 100", "Line 1: “2026-13” is not a month: the month runs from 01 to 12."),
        (
            "2026-01 100\nMarch 5",
            "Line 2: “March” is not a month: write it as YYYY-MM, e.g. 2027-03.",
        ),
        ("2026-01 -5", "Line 1: an amount cannot be negative."),
        ("", "Enter at least one month, e.g. 2027-01 12000."),
        (
            "2046-01 5",
            "Jan 2046 is far outside the project's dates: enter months from Jan 2021 to Dec 2031.",
        ),
    ],
)
def test_a_bad_month_is_shown_beside_the_months(cast: Cast, months: str, error: str) -> None:
    response = cast.client_for(cast.pmo).post(
        _edit(cast), {"kind": "forecast", "shape": "entered", "months": months}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["months"] == [error]
    assert not PhasedAmount.objects.exists()


@pytest.mark.parametrize("who", ["executive", "programme_manager", "project_manager"])
def test_only_pmo_may_phase_a_projects_money(cast: Cast, who: str) -> None:
    client = cast.client_for(getattr(cast, who))

    assert client.post(_edit(cast), {"kind": "forecast", "shape": "s_curve"}).status_code == 404
    assert not ProjectPhasing.objects.exists()


def test_the_programme_dashboard_loads_its_money_panel_on_reveal(cast: Cast) -> None:
    page = cast.client_for(cast.programme_manager).get(
        reverse("dashboards:programme", args=[cast.programme_a1.pk])
    )

    assert 'data-panel-loader="money"' in page.content.decode()
    assert 'data-testid="programme-money"' in _text(
        cast.client_for(cast.programme_manager), _programme_panel(cast)
    )


def test_a_phasing_change_moves_the_cached_programme_and_portfolio_panels(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    programme_before = _text(client, _programme_panel(cast))
    portfolio_before = _text(client, _portfolio_panel(cast))
    assert _text(client, _programme_panel(cast)) == programme_before  # served from the cache

    project_phasing_set(
        project=cast.project_a1,
        kind="forecast",
        shape="entered",
        months={date(2026, 3, 1): Decimal("77777")},
    )

    # A1's forecast is now all in March: the totals change with it.
    assert _text(client, _programme_panel(cast)) != programme_before
    assert _text(client, _portfolio_panel(cast)) != portfolio_before


def test_a_submitted_reports_spend_moves_the_cached_portfolio_panel(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    before = _text(client, _portfolio_panel(cast))
    report, _ = status_report_open(
        project=cast.project_a1, period=Period.containing(date.today()), author=None
    )

    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40, "spend_to_date": Decimal("123456")},
        author=None,
    )

    after = _text(client, _portfolio_panel(cast))
    assert after != before
    assert "123,456" in after


def test_the_portfolio_page_loads_its_money_panel_on_reveal(cast: Cast) -> None:
    page = cast.client_for(cast.executive).get(cast.portfolio_a.get_absolute_url())

    assert _portfolio_panel(cast) in page.content.decode()


def test_someone_who_cannot_see_the_portfolio_gets_no_money_panel(cast: Cast) -> None:
    client = cast.client_for(cast.other_project_manager)

    assert client.get(_portfolio_panel(cast)).status_code == 404
