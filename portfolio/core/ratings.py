"""Rating scales, model-free: the three-point RAG and the five-point Delivery Confidence
Assessment (DCA) used in UK government programmes. One ordering serves both, so reported
ratings, computed health and roll-ups compare across scales."""

from collections.abc import Iterable

from django.db import models


class Rating(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/red"
    RED = "red", "Red"


SEVERITY = {rating: index for index, rating in enumerate(Rating)}
THREE_POINT = (Rating.GREEN, Rating.AMBER, Rating.RED)
FIVE_POINT = tuple(Rating)
SCALES = {"rag3": THREE_POINT, "dca5": FIVE_POINT}


def choices_for(scale: str) -> list[tuple[str, str]]:
    return [(rating.value, rating.label) for rating in SCALES[scale]]


def label_of(value: str | None) -> str:
    """A rating as people read it ("Amber/red"); "No data" for none. Every place that
    shows a rating in words asks this, never the stored value ("amber_red")."""
    if not value:
        return "No data"
    return Rating(value).label if value in Rating.values else value


def worst(ratings: Iterable[str | None]) -> Rating | None:
    """The most severe of the ratings given; None when none is given."""
    present = [Rating(r) for r in ratings if r]
    return max(present, key=SEVERITY.__getitem__, default=None)
