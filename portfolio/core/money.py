"""Money phased by calendar month: the pure arithmetic (no models).

A month is named by its first day. Amounts are Decimals rounded to the penny, and a
phasing always sums to exactly the total it spreads: the rounding remainder goes to the
last month, so a programme's months add up to its projects' totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
