from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portfolio.core.money import added, cumulative, months_between, shifted, spread_evenly


def test_an_even_spread_sums_to_the_total_to_the_penny() -> None:
    phasing = spread_evenly(Decimal("100.00"), date(2027, 1, 15), date(2027, 3, 2))

    assert list(phasing) == [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)]
    assert phasing[date(2027, 1, 1)] == Decimal("33.33")
    assert phasing[date(2027, 3, 1)] == Decimal("33.34")


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    months=st.integers(min_value=0, max_value=120),
)
def test_every_spread_sums_to_its_total(total: Decimal, first: date, months: int) -> None:
    last = date(first.year + months // 12 + 1, 1, 1) if months else first

    assert sum(spread_evenly(total, first, last).values()) == total


def test_months_cross_the_year_end_and_shifting_keeps_the_amounts() -> None:
    assert months_between(date(2026, 11, 30), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert shifted({date(2026, 12, 1): Decimal(5)}, 2) == {date(2027, 2, 1): Decimal(5)}


def test_added_and_cumulative_phasings_run_in_month_order() -> None:
    total = added([{date(2027, 2, 1): Decimal(2)}, {date(2027, 1, 1): Decimal(1)}])

    assert list(total) == [date(2027, 1, 1), date(2027, 2, 1)]
    assert cumulative(total) == {date(2027, 1, 1): Decimal(1), date(2027, 2, 1): Decimal(3)}
