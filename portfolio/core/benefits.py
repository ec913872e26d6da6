"""Benefit progress, model-free: the plan's straight line and the share of the way from
baseline to target. `programmes.models.Benefit` applies them to its own row; everything
that shows or grades a benefit asks the Benefit."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def planned_value(
    *, baseline: Decimal, target: Decimal, start: date, target_date: date, on: date
) -> Decimal:
    """The straight line from the baseline on `start` to the target on `target_date`."""
    if on <= start:
        return baseline
    if on >= target_date:
        return target
    share = Decimal((on - start).days) / Decimal((target_date - start).days)
    return baseline + (target - baseline) * share


def share_of_target(*, value: Decimal, baseline: Decimal, target: Decimal) -> int | None:
    """How far `value` has come from the baseline towards the target, in whole percent
    (half up); a reduction reads as well as an increase. None when baseline is the target."""
    if target == baseline:
        return None
    percent = (value - baseline) * 100 / (target - baseline)
    return int(percent.quantize(Decimal(1), ROUND_HALF_UP))
