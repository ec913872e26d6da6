from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portfolio.core.money import (
    add_months,
    added,
    cumulative,
    monthly_from_cumulative,
    months_between,
    s_curve_weights,
    shifted,
    spread_evenly,
    spread_s_curve,
)


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


def test_an_s_curve_starts_slow_peaks_in_the_middle_and_ends_slow() -> None:
    phasing = spread_s_curve(Decimal("500000.00"), date(2027, 1, 1), date(2027, 12, 31))
    amounts = list(phasing.values())

    assert len(amounts) == 12
    assert amounts[0] < amounts[2] < amounts[5]
    assert amounts[5] == max(amounts)
    assert sum(amounts) == Decimal("500000.00")


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    first=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    months=st.integers(min_value=0, max_value=120),
)
def test_every_s_curve_sums_to_its_total_to_the_penny(
    total: Decimal, first: date, months: int
) -> None:
    phasing = spread_s_curve(total, first, add_months(first, months))

    assert sum(phasing.values()) == total
    assert len(phasing) == months + 1


@given(count=st.integers(min_value=1, max_value=240))
def test_the_s_curve_is_monotone_cumulative_and_symmetric(count: int) -> None:
    weights = s_curve_weights(count)
    running = list(
        cumulative(
            dict(
                zip(
                    months_between(date(2027, 1, 1), add_months(date(2027, 1, 1), count - 1)),
                    weights,
                    strict=True,
                )
            )
        ).values()
    )

    assert all(weight > 0 for weight in weights)
    assert running == sorted(running)
    assert abs(running[-1] - 1) < Decimal("1e-20")
    for n in range(count):
        assert abs(weights[n] - weights[count - 1 - n]) < Decimal("1e-20")


@given(
    total=st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2),
    months=st.integers(min_value=1, max_value=60),
)
def test_an_s_curve_is_symmetric_to_within_a_penny_or_two(total: Decimal, months: int) -> None:
    amounts = list(
        spread_s_curve(total, date(2027, 1, 1), add_months(date(2027, 1, 1), months)).values()
    )

    # Each share is rounded to the penny and the remainder goes to the last month.
    for first, last in zip(amounts[:-1], reversed(amounts[1:]), strict=True):
        assert abs(first - last) <= Decimal("0.01") * (months + 1)


def test_monthly_amounts_come_from_cumulative_figures_with_gaps_carried_forward() -> None:
    figures = [
        (date(2027, 1, 4), Decimal(100)),
        (date(2027, 1, 25), Decimal(250)),
        (date(2027, 2, 1), None),  # no figure: the previous one carries forward
        (date(2027, 3, 8), Decimal(400)),
    ]

    assert monthly_from_cumulative(figures) == {
        date(2027, 1, 1): Decimal(250),
        date(2027, 2, 1): Decimal(0),
        date(2027, 3, 1): Decimal(150),
    }


def test_a_correction_downwards_is_a_negative_month() -> None:
    figures = [(date(2027, 1, 4), Decimal(300)), (date(2027, 2, 1), Decimal(280))]

    assert monthly_from_cumulative(figures)[date(2027, 2, 1)] == Decimal(-20)
