"""Stage 3b, the rest of a row: project details, programme and portfolio fields, and the
ratings and narrative that make a row of a return a status report.

`read_details` is called by `cleaning` for each row with the same cell reader, so its
problems are the row's problems like any other. It reads only mapped columns, and a blank
cell stays unknown: no date, amount or rating is invented.

- People (sponsor, managers) are kept as written here and matched to `Person` rows by
  `planning`, which has the database.
- Stage and priority accept their labels and common synonyms ("execution", "complete",
  1-4); anything else is a row error naming what is accepted.
- Percent complete is 0-100, with or without "%".
- Ratings are read on the five-point scale (`ratings.parse_rating`) and put on the
  portfolio's own scale by `planning`.
- The rating commentary becomes the overall rating's reason (200 characters; longer text is
  cut with a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from portfolio.core.periods import Period
from portfolio.core.ratings import Rating
from portfolio.imports.ratings import RatingProblem, parse_rating
from projects.models import RATED, Project

REASON_LENGTH = 200
TEXT_LENGTH = 10_000

RATING_TARGETS = {f"rating_{name}": name for name in RATED}
NARRATIVE_TARGETS = ("accomplishments", "next_steps", "decisions_needed")
PERSON_TARGETS = {
    "sponsor": "project",
    "manager": "project",
    "programme_manager": "programme",
}

_STAGES: dict[str, str] = {
    **{choice.value: choice.value for choice in Project.Stage},
    **{str(choice.label).casefold(): choice.value for choice in Project.Stage},
    "concept": Project.Stage.INITIATION,
    "preinitiation": Project.Stage.INITIATION,
    "startup": Project.Stage.INITIATION,
    "identify": Project.Stage.INITIATION,
    "definition": Project.Stage.PLANNING,
    "design": Project.Stage.PLANNING,
    "planned": Project.Stage.PLANNING,
    "execution": Project.Stage.DELIVERY,
    "implementation": Project.Stage.DELIVERY,
    "build": Project.Stage.DELIVERY,
    "inprogress": Project.Stage.DELIVERY,
    "active": Project.Stage.DELIVERY,
    "closure": Project.Stage.CLOSING,
    "complete": Project.Stage.CLOSED,
    "completed": Project.Stage.CLOSED,
    "onhold": Project.Stage.ON_HOLD,
    "paused": Project.Stage.ON_HOLD,
    "suspended": Project.Stage.ON_HOLD,
}
_PRIORITIES: dict[str, int] = {
    **{str(choice.value): choice.value for choice in Project.Priority},
    **{str(choice.label).casefold(): choice.value for choice in Project.Priority},
}


class CellReader(Protocol):
    """What `cleaning._RowReader` offers: typed reads that record their own problems."""

    failed: set[str]

    def mapped(self, key: str) -> bool: ...
    def raw(self, key: str) -> str: ...
    def error(self, key: str, message: str) -> None: ...
    def warn(self, key: str, message: str) -> None: ...
    def text(
        self, key: str, *, max_length: int, required: bool = False, name: bool = False
    ) -> str: ...
    def date(self, key: str, *, required: bool = False) -> date | None: ...
    def number(self, key: str) -> Decimal | None: ...
    def money(self, key: str, multiplier: Decimal, *, allow_negative: bool) -> Decimal | None: ...


@dataclass
class RowDetails:
    """The optional parts of a row, only for the columns the mapping names."""

    portfolio: dict[str, Any] = field(default_factory=dict)
    programme: dict[str, Any] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # target key -> name or email
    report: dict[str, Any] = field(default_factory=dict)  # StatusReport field -> value
    reporting_date: date | None = None

    @property
    def ratings(self) -> dict[str, Rating]:
        return {name: self.report[name] for name in RATED if name in self.report}

    def period(self, default: date | None) -> Period | None:
        day = self.reporting_date or default
        return Period.containing(day) if day is not None else None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _choice(r: CellReader, key: str, choices: dict[str, Any], accepted: str) -> Any:
    value = r.raw(key)
    if not value:
        return None
    found = choices.get(_key(value), choices.get(value.casefold()))
    if found is None:
        r.error(key, f"{value[:40]!r} is not one of {accepted}.")
    return found


def _percent(r: CellReader) -> int | None:
    value = r.raw("percent_complete").removesuffix("%").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite() or not 0 <= number <= 100:
        r.error("percent_complete", f"{value[:40]!r} is not a percentage from 0 to 100.")
        return None
    return round(number)


def _texts(r: CellReader, details: RowDetails) -> None:
    for key, target in (
        ("objective", details.project),
        ("scope", details.project),
        ("programme_objective", details.programme),
        ("portfolio_description", details.portfolio),
    ):
        text = r.text(key, max_length=TEXT_LENGTH)
        if text:  # a blank cell says nothing: what the project has stays
            target[key.removeprefix("programme_").removeprefix("portfolio_")] = text
    for key in PERSON_TARGETS:
        if r.mapped(key):
            details.people[key] = " ".join(r.raw(key).split())[:200]


def _project_fields(r: CellReader, details: RowDetails, multiplier: Decimal) -> None:
    stage = _choice(r, "stage", _STAGES, "the stages " + ", ".join(Project.Stage.labels))
    if stage is not None:
        details.project["stage"] = stage
    priority = _choice(r, "priority", _PRIORITIES, "critical, high, medium, low or 1 to 4")
    if priority is not None:
        details.project["priority"] = priority
    spend = r.money("spend_to_date", multiplier, allow_negative=False)
    if spend is not None:
        details.project["spend_to_date"] = details.report["spend_to_date"] = spend
    forecast_cost = r.money("forecast_at_completion", multiplier, allow_negative=False)
    if forecast_cost is not None:
        details.report["forecast_at_completion"] = forecast_cost
    forecast = r.date("forecast_finish")
    if forecast is not None:
        details.report["forecast_finish"] = forecast
    percent = _percent(r)
    if percent is not None:
        details.report["percent_complete"] = percent


def _report(r: CellReader, details: RowDetails) -> None:
    for key, name in RATING_TARGETS.items():
        value = r.raw(key)
        if not value:
            continue
        try:
            details.report[name] = parse_rating(value)
        except RatingProblem as exc:
            r.error(key, str(exc))
    comment = r.text("rating_comment", max_length=TEXT_LENGTH)
    if comment:
        if len(comment) > REASON_LENGTH:
            r.warn("rating_comment", f"is {len(comment)} characters; the first 200 are kept.")
        details.report["overall_reason"] = comment[:REASON_LENGTH]
    for key in NARRATIVE_TARGETS:
        text = r.text(key, max_length=TEXT_LENGTH)
        if text:
            details.report[key] = text
    details.reporting_date = r.date("reporting_date")


def read_details(r: CellReader, multiplier: Decimal) -> RowDetails:
    """The optional fields of one row; problems go on the reader like any other."""
    details = RowDetails()
    _texts(r, details)
    _project_fields(r, details, multiplier)
    _report(r, details)
    return details
