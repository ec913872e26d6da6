"""Money phased by calendar month: the pure arithmetic (no models).

A month is named by its first day. Amounts are Decimals rounded to the penny, and a
phasing always sums to exactly the total it spreads: the rounding remainder goes to the
last month, so a programme's months add up to its projects' totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

PENNY = Decimal("0.01")

Phasing = dict[date, Decimal]


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from the one holding `first` to the one holding `last`, inclusive."""
    month, end = month_of(first), month_of(last)
    months = []
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def spread_evenly(total: Decimal, first: date, last: date) -> Phasing:
    """`total` spread in equal parts over the months from `first` to `last`."""
    months = months_between(first, last) or [month_of(last)]
    return _by_weights(total, months, [Decimal(1)] * len(months))


def _by_weights(total: Decimal, months: list[date], weights: list[Decimal]) -> Phasing:
    whole = sum(weights, Decimal(0))
    shares = [(total * weight / whole).quantize(PENNY, ROUND_HALF_UP) for weight in weights]
    shares[-1] += total - sum(shares, Decimal(0))
    return dict(zip(months, shares, strict=True))


def shifted(phasing: Mapping[date, Decimal], months: int) -> Phasing:
    """The same amounts, each `months` later (earlier when negative)."""
    return {add_months(month, months): amount for month, amount in phasing.items()}


def added(phasings: Iterable[Mapping[date, Decimal]]) -> Phasing:
    """Month-by-month sums of several phasings, in month order."""
    total: Phasing = {}
    for phasing in phasings:
        for month, amount in phasing.items():
            total[month] = total.get(month, Decimal(0)) + amount
    return dict(sorted(total.items()))


def cumulative(phasing: Mapping[date, Decimal]) -> Phasing:
    running, result = Decimal(0), {}
    for month in sorted(phasing):
        running += phasing[month]
        result[month] = running
    return result


# The S-curve's steepness: with 8, about 7 % of the total falls in the first fifth of the
# months (as in the last) and about 40 % in the middle fifth.
S_CURVE_STEEPNESS = Decimal(8)


def _logistic(x: Decimal) -> Decimal:
    return 1 / (1 + (-S_CURVE_STEEPNESS * (x - Decimal("0.5"))).exp())


@cache  # the same few lengths recur across a portfolio: each is worked out once
def s_curve_weights(count: int) -> tuple[Decimal, ...]:
    """The share of each of `count` months under a standard cumulative S.

    1. The cumulative curve is a logistic, 1 / (1 + e^(-8(x - 1/2))), over the project's
       length x in [0, 1], rescaled so it runs from exactly 0 at the start to 1 at the end.
    2. A month's share is the curve's rise across that month: slow at the start, fastest in
       the middle, slow at the end; symmetric about the middle (month i and month n-1-i get
       the same share).
    """
    low, high = _logistic(Decimal(0)), _logistic(Decimal(1))

    def curve(n: int) -> Decimal:
        return (_logistic(Decimal(n) / count) - low) / (high - low)

    return tuple(curve(n + 1) - curve(n) for n in range(count))


def spread_s_curve(total: Decimal, first: date, last: date) -> Phasing:
    """`total` spread over the months from `first` to `last` along the S-curve of
    `s_curve_weights`; sums to the total to the penny, like `spread_evenly`."""
    months = months_between(first, last) or [month_of(last)]
    return _by_weights(total, months, list(s_curve_weights(len(months))))


def monthly_from_cumulative(figures: Iterable[tuple[date, Decimal | None]]) -> Phasing:
    """Month-by-month amounts from dated cumulative figures (spend to date), in date order.

    1. A figure of None carries the previous figure forward (nothing was said).
    2. A month's amount is its last figure minus the last figure before the month (0 before
       the first): a correction downwards gives a negative month, kept as such.
    3. Only months holding a figure appear; months between them had no change.
    """
    running, closing = Decimal(0), {}
    for day, figure in figures:
        if figure is not None:
            running = figure
        closing[month_of(day)] = running
    result, previous = {}, Decimal(0)
    for month in sorted(closing):
        result[month] = closing[month] - previous
        previous = closing[month]
    return result


def parse_month(text: str) -> date:
    """A month written "YYYY-MM" (or its first day, "YYYY-MM-01"); ValueError otherwise."""
    parts = text.strip().split("-")
    if len(parts) == 3 and parts[2] == "01":
        parts = parts[:2]
    if len(parts) != 2 or not (len(parts[0]) == 4 and parts[0].isdigit() and parts[1].isdigit()):
        raise ValueError(f"“{text}” is not a month: write it as YYYY-MM, e.g. 2027-03.")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValueError(f"“{text}” is not a month: the month runs from 01 to 12.")
    return date(year, month, 1)
