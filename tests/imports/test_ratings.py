"""Ratings in the spellings returns use, read onto either rating scale."""

from __future__ import annotations

import pytest

from portfolio.core.ratings import Rating
from portfolio.imports.cleaning import clean_rows
from portfolio.imports.options import ReadingOptions
from portfolio.imports.ratings import RatingProblem, parse_rating, rating_on_scale
from portfolio.imports.reading import parse_file
from tests.imports.messy_files import csv_file
from tests.imports.returns import MESSY_COLUMNS, MESSY_HEADERS


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


# -- Ratings read through the mapping's reading options ------------------------------------

_RATED_COLUMNS = {**MESSY_COLUMNS, "rating_schedule": "Schedule"}  # overall: "RAG"
_RATED_HEADERS = [*MESSY_HEADERS, "Schedule"]  # ..., "RAG", "DCA rating", "Schedule"


def _ratings_of(*cells: tuple[str, str, str], options: ReadingOptions) -> list[dict[str, str]]:
    """The ratings each row reads, given its (RAG, DCA rating, Schedule) cells."""
    rows_in = [
        ["D", "D", f"P-{n}", f"Project {n}", "2024-01-01", "2024-12-31", "1", *rated]
        for n, rated in enumerate(cells)
    ]
    parsed = parse_file(csv_file(rows_in, headers=_RATED_HEADERS))
    rows, errors, _ = clean_rows(parsed, _RATED_COLUMNS, "units", options)
    assert errors == []
    return [{name: str(rating) for name, rating in row.details.ratings.items()} for row in rows]


def test_a_rating_spread_over_two_columns_reads_the_first_that_is_not_empty() -> None:
    options = ReadingOptions(extra_columns={"rating_overall": ["DCA rating"]})
    assert _ratings_of(
        ("Green", "Red", ""), ("", "Amber / red", ""), ("", "", ""), options=options
    ) == [{"overall": "green"}, {"overall": "amber_red"}, {}]


def test_a_placeholder_word_in_a_rating_cell_means_unknown_not_a_problem() -> None:
    options = ReadingOptions(extra_columns={"rating_overall": ["DCA rating"]})
    assert _ratings_of(("N/A", "A/G", "TBC"), ("Not provided", "", "-"), options=options) == [
        {"overall": "amber_green"},
        {},
    ]


def test_without_the_extra_column_a_rating_only_in_the_second_column_is_not_read() -> None:
    assert _ratings_of(("", "Red", "G"), options=ReadingOptions()) == [{"schedule": "green"}]
