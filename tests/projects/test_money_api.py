"""The money API: months with budget, forecast, actual and running totals for a project, a
programme and a portfolio; the phasing write and its refusals, each naming its field."""

from __future__ import annotations

from typing import Any

import pytest

from projects.models import PhasedAmount, ProjectPhasing
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _phase(cast: Cast, body: dict[str, Any], who: str = "pmo") -> Any:
    client = cast.client_for(getattr(cast, who))
    url = f"/api/v1/projects/{cast.project_a1.pk}/money/phasing/"
    return client.post(url, body, content_type="application/json")


def test_a_projects_money_lists_its_months_and_phasings(cast: Cast) -> None:
    response = cast.client_for(cast.project_manager).get(
        f"/api/v1/projects/{cast.project_a1.pk}/money/"
    )

    answer = response.json()
    assert response.status_code == 200
    assert answer["months"][0]["month"] == "2026-01"
    assert answer["months"][-1]["cumulative_budget"] == answer["budget"]
    assert [p["shape"] for p in answer["phasings"]] == ["even", "even"]


def test_a_programme_and_a_portfolio_sum_their_projects(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    programme = client.get(f"/api/v1/programmes/{cast.programme_a1.pk}/money/").json()
    portfolio = client.get(f"/api/v1/portfolios/{cast.portfolio_a.pk}/money/").json()

    assert programme["projects"] == 2  # A1 and its sibling
    assert portfolio["projects"] > programme["projects"]
    assert float(portfolio["budget"]) > float(programme["budget"])


def test_pmo_enters_months_and_the_answer_shows_what_is_unphased(cast: Cast) -> None:
    body = {
        "kind": "budget",
        "shape": "entered",
        "months": [
            {"month": "2026-01", "amount": "1000.00"},
            {"month": "2026-02-01", "amount": 500},
        ],
    }

    response = _phase(cast, body)

    assert response.status_code == 200
    (budget, _) = response.json()["phasings"]
    assert (budget["shape"], budget["phased"]) == ("entered", "1500.00")
    assert budget["unphased"] == "248500.00"
    assert PhasedAmount.objects.filter(project=cast.project_a1).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"kind": "budget", "shape": "entered", "months": [{"month": "Jan 2026", "amount": 1}]},
            "months[0].month",
        ),
        (
            {"kind": "budget", "shape": "entered", "months": [{"month": "2026-13", "amount": 1}]},
            "months[0].month",
        ),
        (
            {"kind": "budget", "shape": "entered", "months": [{"month": "2026-01", "amount": -1}]},
            "months[0].amount",
        ),
        (
            {"kind": "budget", "shape": "entered", "months": [{"month": "2090-01", "amount": 1}]},
            "months",
        ),
        ({"kind": "budget", "shape": "wobbly"}, "shape"),
        ({"kind": "spend", "shape": "even"}, "kind"),
        ({"kind": "budget", "shape": "entered", "months": "2026-01"}, "months"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(cast: Cast, body: dict[str, Any], field: str) -> None:
    response = _phase(cast, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not ProjectPhasing.objects.exists()


def test_a_reader_who_may_not_phase_gets_a_403(cast: Cast) -> None:
    response = _phase(cast, {"kind": "forecast", "shape": "s_curve"}, who="programme_manager")

    assert response.status_code == 403
    assert not ProjectPhasing.objects.exists()
