"""Ratings as returns spell them -> a `Rating` on the portfolio's scale.

Returns write a rating as a word (Green, Amber, Red, "Amber / red", Amber-Green), as letters
(G, A, R, A/G, AR), or as a number 1 (best) to 5 (worst). Each spelling is reduced to one
or two colour letters, read as a level of the five-point scale (`parse_rating`, while the
row is cleaned, before its portfolio is known), then put on the portfolio's own scale
(`rating_on_scale`, once the row is matched):

- On the five-point scale every spelling keeps its level.
- On the three-point scale a level between two colours goes to the nearer one, ties to the
  worse side: the rule computed health follows (`portfolio.core.health_rules.on_scale`),
  so Amber/green reads amber and Amber/red reads red.
- Anything else is not guessed: `RatingProblem` says what was given and what is accepted.
"""

from __future__ import annotations

import re

from portfolio.core.health_rules import on_scale
from portfolio.core.ratings import FIVE_POINT, Rating

ACCEPTED = (
    "Green, Amber/green, Amber, Amber/red, Red (or G, A/G, A, A/R, R; 'RAG' colours in any "
    "case, with '/', '-' or spaces between two colours), or a number from 1 (green) to 5 (red)"
)

_COLOURS = {"green": "g", "g": "g", "amber": "a", "a": "a", "red": "r", "r": "r"}
# Two colour letters in either order -> the five-point level between them.
_PAIRS = {
    "g": Rating.GREEN,
    "ag": Rating.AMBER_GREEN,
    "a": Rating.AMBER,
    "ar": Rating.AMBER_RED,
    "r": Rating.RED,
}
_SEPARATORS = re.compile(r"[\s/\\\-_,;&+|]+")
_DIGITS = re.compile(r"^[1-5](\.0+)?$")


class RatingProblem(ValueError):
    """A cell that holds no rating this importer can read; the message is for the user."""


def _letters(text: str) -> str | None:
    """'Amber / red' -> 'ar', 'AG' -> 'ag', 'Green' -> 'g'; None if not colour words."""
    words = [word for word in _SEPARATORS.split(text.casefold()) if word]
    if len(words) == 1 and words[0] not in _COLOURS and set(words[0]) <= {"g", "a", "r"}:
        words = list(words[0])  # run-together letters: "AG", "AR"
    letters = []
    for word in words:
        if word not in _COLOURS:
            return None
        letters.append(_COLOURS[word])
    unique = sorted(set(letters))
    return "".join(unique) if 1 <= len(unique) <= 2 else None


def _five_point(text: str) -> Rating | None:
    if _DIGITS.match(text):
        return FIVE_POINT[int(text[0]) - 1]
    letters = _letters(text)
    return _PAIRS.get(letters) if letters is not None else None


def parse_rating(value: str) -> Rating:
    """The five-point level a cell means; raises RatingProblem."""
    text = value.strip()
    rating = _five_point(text)
    if rating is None:
        raise RatingProblem(f"{text[:40]!r} is not a rating; write {ACCEPTED}.")
    return rating


def rating_on_scale(rating: Rating | str, scale: str) -> Rating:
    """A parsed rating as a portfolio on `scale` ("rag3" or "dca5") records it."""
    return Rating(on_scale(rating, scale) or rating)
