"""Per-row rules in model clean() for the strategic layer: errors keyed by the field a form
shows them next to, and only once (the database constraint backing the same rule must not add
a second, non-field copy of it).
"""

from datetime import date

import pytest

from programmes.models import HealthPolicy
from tests.conftest import errors_of
from tests.factories import PortfolioFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


# Programmes ------------------------------------------------------------------------------


def test_a_programme_finishing_before_it_starts_is_refused_on_its_finish_date() -> None:
    programme = ProgrammeFactory.build(
        portfolio=PortfolioFactory(), start_date=date(2026, 5, 1), finish_date=date(2026, 4, 1)
    )
    assert errors_of(programme) == {
        "finish_date": ["The finish date cannot be before the start (1 May 2026)."]
    }


def test_a_programme_without_dates_is_valid() -> None:
    ProgrammeFactory.build(
        portfolio=PortfolioFactory(), start_date=None, finish_date=None
    ).full_clean()


# Health policy ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amber_field, red_field, amber, red, threshold",
    [
        ("schedule_amber_days", "schedule_red_days", 30, 14, "30 days"),
        ("cost_amber_percent", "cost_red_percent", 10, 5, "10%"),
        ("risk_amber_score", "risk_red_score", 20, 12, "20"),
    ],
)
def test_a_red_threshold_short_of_amber_is_refused_on_the_red_field(
    amber_field: str, red_field: str, amber: int, red: int, threshold: str
) -> None:
    policy = HealthPolicy(portfolio=PortfolioFactory(), **{amber_field: amber, red_field: red})
    assert errors_of(policy) == {
        red_field: [f"Red must be at least the amber threshold ({threshold})."]
    }


def test_red_thresholds_equal_to_amber_are_accepted() -> None:
    HealthPolicy(
        portfolio=PortfolioFactory(),
        schedule_amber_days=20,
        schedule_red_days=20,
        cost_amber_percent=8,
        cost_red_percent=8,
        risk_amber_score=16,
        risk_red_score=16,
    ).full_clean()
