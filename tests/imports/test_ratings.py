"""Ratings in the spellings returns use, read onto either rating scale."""

from __future__ import annotations

import pytest

from portfolio.core.ratings import Rating
from portfolio.imports.ratings import RatingProblem, parse_rating, rating_on_scale


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Green", Rating.GREEN),
        ("green", Rating.GREEN),
        ("G", Rating.GREEN),
        (" AMBER ", Rating.AMBER),
        ("A", Rating.AMBER),
        ("Red", Rating.RED),
        ("r", Rating.RED),
        ("Amber/Green", Rating.AMBER_GREEN),
        ("Green/Amber", Rating.AMBER_GREEN),
        ("A/G", Rating.AMBER_GREEN),
        ("AG", Rating.AMBER_GREEN),
        ("Amber-Red", Rating.AMBER_RED),
        ("A/R", Rating.AMBER_RED),
        ("Amber / red", Rating.AMBER_RED),
        ("amber red", Rating.AMBER_RED),
        ("1", Rating.GREEN),
        ("2", Rating.AMBER_GREEN),
        ("3", Rating.AMBER),
        ("4", Rating.AMBER_RED),
        ("5", Rating.RED),
        ("5.0", Rating.RED),
    ],
)
def test_a_rating_is_read_in_any_common_spelling(cell: str, expected: Rating) -> None:
    assert parse_rating(cell) == expected


@pytest.mark.parametrize("cell", ["Blue", "6", "0", "Green/Red", "GAR", "2.5", "Amberish", ""])
def test_anything_else_is_a_problem_naming_the_value_and_what_is_accepted(cell: str) -> None:
    with pytest.raises(RatingProblem) as raised:
        parse_rating(cell)
    assert repr(cell) in str(raised.value)
    assert "Amber/green" in str(raised.value)


def test_the_five_point_scale_keeps_every_level() -> None:
    assert [rating_on_scale(r, "dca5") for r in Rating] == list(Rating)


def test_the_three_point_scale_puts_two_colours_on_the_nearer_side_ties_to_the_worse() -> None:
    assert [rating_on_scale(r, "rag3") for r in Rating] == [
        Rating.GREEN,
        Rating.AMBER,
        Rating.AMBER,
        Rating.RED,
        Rating.RED,
    ]
