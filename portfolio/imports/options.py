"""The options saved with a mapping (`ImportMapping`) and copied onto each job: the choices
a PMO makes once for a series of returns. Two kinds, stored as two JSON objects:

- `ReadingOptions` (`reading`): how a file is read. The overrides of what `reading` detects
  (encoding, delimiter, sheet), the conventions `values` reads cells by (dates, two-digit
  years, money format, cost unit, placeholder words), and the extra columns a field falls
  back on. Anything missing or unknown takes its default, so mappings saved before the
  options existed read files exactly as they did; the cost unit keeps its own column.
- `ImportOptions` (`options`): how rows are matched and recorded (rating scale of new
  portfolios, matching across portfolios, closing projects a file no longer lists).
  Unknown keys and bad values are refused: they come from scripts and the API.

Both travel in the mapping document (`downloads.mapping_document`): the mapping downloaded
from the mapping page, the one a script passes to `manage.py import_portfolio --mapping`
and the one the API accepts are the same object.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.reading import ENCODINGS, FileProblem, ParsedFile, parse_file
from portfolio.imports.values import (
    DATE_CONVENTIONS,
    DEFAULT_PIVOT,
    DEFAULT_PLACEHOLDERS,
    MONEY_LOCALES,
    Placeholders,
)
from programmes.models import Portfolio

_CONVENTIONS = {convention.key for convention in DATE_CONVENTIONS}

# For `manage.py import_portfolio --fields` and the README: the "reading" object.
READING_HELP = {
    "date_convention": "How dates are written: "
    + ", ".join(f"{c.key} ({c.example})" for c in DATE_CONVENTIONS)
    + "; ISO dates, named months, quarters, years and Excel serials are read in any.",
    "two_digit_pivot": f"Two-digit years from this one are 19xx, below it 20xx (default "
    f"{DEFAULT_PIVOT}).",
    "money_locale": "How amounts are written: "
    + ", ".join(f"{key} ({label})" for key, (label, _) in MONEY_LOCALES.items())
    + ".",
    "placeholders": "Words that mean unknown, matched whole, case aside; a trailing * "
    "matches what starts with it (default: " + ", ".join(DEFAULT_PLACEHOLDERS) + ").",
    "extra_columns": "Field key -> further column headers read in order when the mapped "
    "column's cell is empty or a placeholder.",
    "encoding": "A CSV's encoding, else detected: " + ", ".join(ENCODINGS) + ".",
    "delimiter": 'A CSV\'s delimiter, else detected: comma, semicolon, tab ("\\t") or |.',
    "sheet": "A workbook's sheet, else the first with a table.",
}


class OptionsProblem(ValueError):
    """Options that cannot be used; the message is for the user."""


@dataclass(frozen=True)
class ReadingOptions:
    cost_unit: str = ImportMapping.CostUnit.UNITS
    date_convention: str = "iso"
    two_digit_pivot: int = DEFAULT_PIVOT
    money_locale: str = "dot"
    placeholders: tuple[str, ...] = DEFAULT_PLACEHOLDERS
    # target key -> further columns read, in order, when the mapped one is empty
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    encoding: str = ""  # "" = as detected
    delimiter: str = ""
    sheet: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any] | None, cost_unit: str) -> ReadingOptions:
        """Options from their stored JSON; anything missing or unknown takes its default."""
        data = data or {}
        default = cls()
        pivot = data.get("two_digit_pivot", DEFAULT_PIVOT)
        placeholders = data.get("placeholders")
        extra = data.get("extra_columns")
        extra = extra if isinstance(extra, dict) else {}
        return cls(
            cost_unit=cost_unit,
            date_convention=_one_of(data.get("date_convention"), _CONVENTIONS, "iso"),
            two_digit_pivot=pivot
            if isinstance(pivot, int) and 0 <= pivot <= 100
            else DEFAULT_PIVOT,
            money_locale=_one_of(data.get("money_locale"), set(MONEY_LOCALES), "dot"),
            placeholders=(
                tuple(str(word) for word in placeholders)
                if isinstance(placeholders, list)
                else default.placeholders
            ),
            extra_columns={
                str(key): [str(column) for column in columns]
                for key, columns in extra.items()
                if isinstance(columns, list)
            },
            encoding=_one_of(data.get("encoding"), set(ENCODINGS), ""),
            delimiter=_one_of(data.get("delimiter"), {",", ";", "\t", "|"}, ""),
            sheet=str(data.get("sheet") or ""),
        )

    @classmethod
    def from_document(cls, data: object, cost_unit: str) -> ReadingOptions:
        """Options from a mapping document (a script's, the API's): unlike stored options,
        an unknown key or a value that would fall back on its default is refused, so a
        typo does not silently read a file another way."""
        if data is None:
            return cls(cost_unit=cost_unit)
        if not isinstance(data, dict):
            raise OptionsProblem('"reading" is a JSON object.')
        unknown = sorted(set(data) - ({f.name for f in fields(cls)} - {"cost_unit"}))
        if unknown:
            raise OptionsProblem(f"Unknown reading options: {', '.join(unknown)}.")
        options = cls.from_json(data, cost_unit)
        read = options.as_json()
        bad = sorted(key for key, value in data.items() if read[key] != value)
        if bad:
            raise OptionsProblem(
                f"Reading options that cannot be used: {', '.join(bad)} (see --fields)."
            )
        return options

    def as_json(self) -> dict[str, Any]:
        """The stored object; the cost unit lives in its own column."""
        data = asdict(self)
        del data["cost_unit"]
        data["placeholders"] = list(self.placeholders)
        return data

    @property
    def placeholder_words(self) -> Placeholders:
        return Placeholders.of(self.placeholders)

    def with_file_overrides(self, *, encoding: str, delimiter: str, sheet: str) -> ReadingOptions:
        return replace(self, encoding=encoding, delimiter=delimiter, sheet=sheet)


def _one_of(value: object, allowed: set[str], default: str) -> str:
    return value if isinstance(value, str) and value in allowed else default


def reading_options_of(owner: ImportJob | ImportMapping) -> ReadingOptions:
    return ReadingOptions.from_json(owner.reading, owner.cost_unit)


def parse_with(data: bytes, options: ReadingOptions) -> ParsedFile:
    """Read a file with the options' overrides of what would be detected."""
    return parse_file(
        data, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet
    )


def parse_job_file(job: ImportJob) -> ParsedFile:
    """A job's file, read as the PMO said on its mapping page."""
    return parse_with(bytes(job.data), reading_options_of(job))


def parse_job_file_or_none(job: ImportJob) -> ParsedFile | None:
    try:
        return parse_job_file(job)
    except FileProblem:
        return None


# -- How rows are matched and recorded -------------------------------------------------

OPTION_HELP = {
    "rating_scale": "Rating scale of the portfolios the import creates: "
    + ", ".join(f"{value} ({label})" for value, label in Portfolio.RatingScale.choices),
    "across_portfolios": "Match project codes across portfolios: a project whose "
    "portfolio changed moves there, with its history, instead of being duplicated.",
    "close_missing": "Close the projects of the file's portfolios that an earlier import "
    "brought in and this file no longer lists.",
}


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


def import_options_of(job: ImportJob) -> ImportOptions:
    """The job's options, else its saved mapping's; the defaults when those are unusable
    (a saved mapping edited by hand), for the mapping form to start from."""
    stored = job.options or (job.mapping.options if job.mapping is not None else {})
    try:
        return ImportOptions.from_json(stored)
    except OptionsProblem:
        return ImportOptions()
