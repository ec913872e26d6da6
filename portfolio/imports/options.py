"""How an import matches and records rows, saved with a mapping (`ImportMapping.options`)
and copied onto each job: the choices the PMO makes once for a series of returns.

Stored as JSON so the mapping downloaded from the mapping page, the one a script passes to
`manage.py import_portfolio --mapping` and the one the API accepts are the same object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from portfolio.imports.models import ImportJob
from programmes.models import Portfolio

OPTION_HELP = {
    "rating_scale": "Rating scale of the portfolios the import creates: "
    + ", ".join(f"{value} ({label})" for value, label in Portfolio.RatingScale.choices),
    "across_portfolios": "Match project codes across portfolios: a project whose "
    "portfolio changed moves there, with its history, instead of being duplicated.",
    "close_missing": "Close the projects of the file's portfolios that an earlier import "
    "brought in and this file no longer lists.",
}


class OptionsProblem(ValueError):
    """Options that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class ImportOptions:
    rating_scale: str = Portfolio.RatingScale.THREE_POINT
    across_portfolios: bool = False
    close_missing: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ImportOptions:
        """Options from stored or uploaded JSON; unknown keys and bad values are refused."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise OptionsProblem(f"Unknown import options: {', '.join(unknown)}.")
        if data.get("rating_scale", cls.rating_scale) not in Portfolio.RatingScale.values:
            raise OptionsProblem(f"rating_scale must be one of {Portfolio.RatingScale.values}.")
        for name in ("across_portfolios", "close_missing"):
            if not isinstance(data.get(name, False), bool):
                raise OptionsProblem(f"{name} must be true or false.")
        return cls(**data)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def options_of(job: ImportJob) -> ImportOptions:
    """The job's options, else its saved mapping's; the defaults when those are unusable
    (a saved mapping edited by hand), for the mapping form to start from."""
    stored = job.options or (job.mapping.options if job.mapping is not None else {})
    try:
        return ImportOptions.from_json(stored)
    except OptionsProblem:
        return ImportOptions()
