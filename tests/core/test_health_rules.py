"""Properties of the model-free health rules (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.core.health_rules import (
    Assessment,
    Dimension,
    Part,
    Rollup,
    grade,
    on_scale,
    roll_up,
)
from portfolio.core.ratings import SEVERITY, THREE_POINT, Rating, label_of
from portfolio.core.templatetags.ratings import rating_label

ratings = st.sampled_from([r.value for r in Rating])
parts = st.lists(
    st.builds(
        Part,
        rating=st.one_of(st.none(), ratings),
        weight=st.decimals(min_value=0, max_value=10**9, places=2),
    ),
    min_size=1,
    max_size=30,
)
methods = st.sampled_from([Rollup.WORST_OF, Rollup.BUDGET_WEIGHTED, Rollup.RED_SHARE])
scales = st.sampled_from(["rag3", "dca5"])


def _severity(rating: str | None) -> int:
    return SEVERITY[Rating(rating)] if rating else -1


def _rated(items: list[Part]) -> list[int]:
    return [_severity(p.rating) for p in items if p.rating]


@given(parts)
def test_worst_of_is_never_better_than_any_part(items: list[Part]) -> None:
    result = roll_up(items, Rollup.WORST_OF)
    assert all(_severity(result) >= s for s in _rated(items))


@given(parts, scales)
def test_budget_weighted_lies_between_the_best_and_worst_part(
    items: list[Part], scale: str
) -> None:
    """Exactly within the parts' range on the five-point scale; on three points the
    rounding to green/amber/red may step one level outside it, never more."""
    result = roll_up(items, Rollup.BUDGET_WEIGHTED, scale=scale)
    rated = _rated(items)
    if not rated:
        assert result is None
        return
    slack = 1 if scale == "rag3" else 0
    assert min(rated) - slack <= _severity(result) <= max(rated) + slack
    if scale == "rag3":
        assert Rating(result) in THREE_POINT


@given(parts, st.integers(min_value=1, max_value=100))
def test_red_share_is_red_exactly_when_enough_parts_are_red(
    items: list[Part], percent: int
) -> None:
    result = roll_up(items, Rollup.RED_SHARE, red_share_percent=percent)
    rated = _rated(items)
    if not rated:
        assert result is None
        return
    reds = sum(1 for s in rated if s == SEVERITY[Rating.RED])
    assert (result == "red") == (reds * 100 >= percent * len(rated))


@given(parts, methods, st.integers(min_value=0, max_value=29), ratings)
def test_a_part_getting_worse_never_makes_the_whole_better(
    items: list[Part], method: str, index: int, new: str
) -> None:
    index %= len(items)
    before = roll_up(items, method, 30)
    old = items[index].rating
    if old is None or _severity(new) < _severity(old):
        return
    worse = [*items[:index], Part(new, items[index].weight), *items[index + 1 :]]
    assert _severity(roll_up(worse, method, 30)) >= _severity(before)


@given(parts, methods)
def test_parts_without_data_do_not_change_the_result(items: list[Part], method: str) -> None:
    assert roll_up(items, method) == roll_up([*items, Part(None, Decimal(99))], method)


def test_roll_up_of_nothing_is_no_data() -> None:
    assert roll_up([], Rollup.WORST_OF) is None
    assert roll_up([Part(None)], Rollup.BUDGET_WEIGHTED) is None


def test_budget_weighted_follows_the_money() -> None:
    big_green = Part("green", Decimal(9_000_000))
    small_red = Part("red", Decimal(1_000_000))
    assert roll_up([big_green, small_red], Rollup.BUDGET_WEIGHTED, scale="rag3") == "green"
    assert (
        roll_up(
            [Part("green", Decimal(1)), Part("red", Decimal(9))],
            Rollup.BUDGET_WEIGHTED,
            scale="rag3",
        )
        == "red"
    )


@given(st.integers(min_value=-100, max_value=1000), st.integers(0, 100), st.integers(0, 100))
def test_grade_is_monotonic_in_the_observation(observed: int, amber: int, extra: int) -> None:
    red = amber + extra
    assert _severity(grade(observed + 1, amber, red)) >= _severity(grade(observed, amber, red))


@given(ratings)
def test_three_point_scale_never_softens_a_rating_by_more_than_a_step(rating: str) -> None:
    mapped = on_scale(rating, "rag3")
    assert Rating(mapped) in THREE_POINT
    assert 0 <= _severity(mapped) - _severity(rating) <= 1


def test_the_gap_is_flagged_when_data_is_worse_than_the_report() -> None:
    reported_green = Assessment(
        dimensions={"schedule": Dimension(reported="green", computed="red")},
        reported_overall="green",
    )
    assert reported_green.gap and reported_green.overall == "red"
    honest = Assessment(
        dimensions={"schedule": Dimension(reported="red", computed="amber")}, reported_overall="red"
    )
    assert not honest.gap and honest.overall == "red"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("amber_red", "Amber/red"),
        ("amber_green", "Amber/green"),
        ("green", "Green"),
        ("", "No data"),
    ],
)
def test_a_rating_reaches_people_as_its_label(value: str, words: str) -> None:
    assert label_of(value) == words
    assert rating_label(value) == words
