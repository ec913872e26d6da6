"""Health rules, model-free: grading an observation against thresholds, combining what a
manager reported with what the data says, and rolling parts up into a whole.

Every rating carries its reasons (rule, observed value, threshold) so a dashboard can say
why a colour is what it is. Ratings use the five-point order of portfolio.core.ratings; a
three-point portfolio sees them mapped onto green / amber / red (`on_scale`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from portfolio.core.ratings import SEVERITY, THREE_POINT, Rating, worst

BY_SEVERITY = {index: rating for rating, index in SEVERITY.items()}


class Rollup:
    WORST_OF = "worst_of"
    BUDGET_WEIGHTED = "budget_weighted"
    RED_SHARE = "red_share"


@dataclass(frozen=True)
class Reason:
    """Why a dimension has the rating it has."""

    dimension: str
    rule: str
    rating: str
    message: str
    observed: str = ""
    threshold: str = ""


@dataclass(frozen=True)
class Dimension:
    reported: str | None = None
    computed: str | None = None

    @property
    def rating(self) -> str | None:
        found = worst([self.reported, self.computed])
        return found.value if found else None


@dataclass(frozen=True)
class Assessment:
    """The health of one project, programme or portfolio, with its reasons."""

    dimensions: dict[str, Dimension] = field(default_factory=dict)
    reasons: tuple[Reason, ...] = ()
    reported_overall: str | None = None

    @property
    def computed(self) -> str | None:
        found = worst(d.computed for d in self.dimensions.values())
        return found.value if found else None

    @property
    def overall(self) -> str | None:
        found = worst([self.reported_overall, *(d.rating for d in self.dimensions.values())])
        return found.value if found else None

    @property
    def gap(self) -> bool:
        """The data says worse than the manager reported."""
        if not self.reported_overall or not self.computed:
            return False
        return SEVERITY[Rating(self.computed)] > SEVERITY[Rating(self.reported_overall)]

    def payload(self) -> dict[str, Any]:
        """What is stored: plain JSON, compared to decide whether health changed."""
        return {
            "overall": self.overall or "",
            "reported": self.reported_overall or "",
            "computed": self.computed or "",
            "gap": self.gap,
            "dimensions": {
                name: {"reported": d.reported, "computed": d.computed, "rating": d.rating}
                for name, d in self.dimensions.items()
            },
            "reasons": [asdict(reason) for reason in self.reasons],
        }


def grade(observed: float | Decimal, amber: float | Decimal, red: float | Decimal) -> Rating:
    """Green below `amber`, amber from `amber`, red from `red`."""
    if observed >= red:
        return Rating.RED
    if observed >= amber:
        return Rating.AMBER
    return Rating.GREEN


def on_scale(rating: str | None, scale: str) -> str | None:
    """A five-point rating as the portfolio's scale shows it (ties go to the worse side)."""
    if rating is None or scale != "rag3":
        return rating
    severity = SEVERITY[Rating(rating)]
    nearest = min(THREE_POINT, key=lambda r: (abs(SEVERITY[r] - severity), -SEVERITY[r]))
    return nearest.value


@dataclass(frozen=True)
class Part:
    """One project or programme inside a whole, with its weight (its budget).

    A portfolio's parts are its programmes and its standalone projects; `standalone` marks
    the latter so that the reason counts them apart.
    """

    rating: str | None
    weight: Decimal = Decimal(0)
    name: str = ""
    standalone: bool = False


def roll_up(
    parts: Sequence[Part], method: str, red_share_percent: int = 30, scale: str = "dca5"
) -> str | None:
    """The whole's rating from its parts' ratings, by the portfolio's policy.

    - worst of: the worst part.
    - budget weighted: the budget-weighted mean severity, rounded to the nearest level of
      the portfolio's scale (halfway goes to the worse level); parts without budget count
      equally when no part has one.
    - red share: red when at least `red_share_percent` % of parts are red; otherwise the
      worst part, but no worse than amber/red (a minority of reds is a warning).
    Parts without data (None) are left out; no rated parts → None (no data).
    """
    rated = [(SEVERITY[Rating(p.rating)], p.weight) for p in parts if p.rating]
    if not rated:
        return None
    severities = [severity for severity, _ in rated]
    if method == Rollup.BUDGET_WEIGHTED:
        unweighted = sum(weight for _, weight in rated) <= 0
        total, weights = Decimal(0), Decimal(0)
        for severity, weight in rated:
            weight = Decimal(1) if unweighted else weight
            total += severity * weight
            weights += weight
        mean = total / weights
        levels = THREE_POINT if scale == "rag3" else tuple(Rating)
        return min(levels, key=lambda r: (abs(SEVERITY[r] - mean), -SEVERITY[r])).value
    if method == Rollup.RED_SHARE:
        reds = sum(1 for s in severities if s == SEVERITY[Rating.RED])
        if reds * 100 >= red_share_percent * len(rated):
            return Rating.RED.value
        return BY_SEVERITY[min(max(severities), SEVERITY[Rating.AMBER_RED])].value
    return BY_SEVERITY[max(severities)].value


def rollup_reason(
    parts: Sequence[Part],
    method: str,
    red_share_percent: int,
    rating: str | None,
    dimension: str = "projects",
) -> Reason | None:
    """A sentence explaining a roll-up, naming the worst parts."""
    rated = [p for p in parts if p.rating]
    if not rated or rating is None:
        return None
    counts = {r: sum(1 for p in rated if p.rating == r.value) for r in Rating}
    summary = ", ".join(f"{n} {r.label.lower()}" for r, n in counts.items() if n)
    worst_rating = worst(p.rating for p in rated)
    worst_parts = [p.name for p in rated if worst_rating and p.rating == worst_rating.value][:3]
    names = ", ".join(worst_parts)
    policy = {
        Rollup.WORST_OF: "worst of",
        Rollup.BUDGET_WEIGHTED: "weighted by budget",
        Rollup.RED_SHARE: f"red when {red_share_percent}% are red",
    }[method]
    return Reason(
        dimension=dimension,
        rule=f"rollup.{method}",
        rating=rating,
        message=f"{_counted(rated, dimension)}: {summary} ({policy}); worst: {names}",
        observed=summary,
        threshold=policy,
    )


def _counted(rated: Sequence[Part], dimension: str) -> str:
    """Counts as "54 programmes and 3 standalone projects", to match the tally beside it."""
    standalone = sum(1 for p in rated if p.standalone)
    counted = f"{len(rated) - standalone} {dimension}"
    if not standalone:
        return counted
    return f"{counted} and {standalone} standalone project{'s' if standalone > 1 else ''}"


def reasons_for(dimension: str, reasons: Iterable[Reason]) -> list[Reason]:
    return [r for r in reasons if r.dimension == dimension]
