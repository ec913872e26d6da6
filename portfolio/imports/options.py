"""How a file is read: the reading options saved with a mapping and copied to each job.

`ReadingOptions` gathers what the PMO chose on the mapping page: the overrides of what
`reading` detects (encoding, delimiter, sheet), the conventions `values` reads cells by
(dates, two-digit years, money format, cost unit, placeholder words), and the extra
columns a field falls back on. They are stored as one JSON object (`reading`) beside the
mapping's columns; the cost unit keeps its own column, which mappings saved before the
options existed already fill, so those mappings read files exactly as they did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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

_CONVENTIONS = {convention.key for convention in DATE_CONVENTIONS}


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
        extra = data.get("extra_columns") or {}
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


def options_of(owner: ImportJob | ImportMapping) -> ReadingOptions:
    return ReadingOptions.from_json(owner.reading, owner.cost_unit)


def parse_with(data: bytes, options: ReadingOptions) -> ParsedFile:
    """Read a file with the options' overrides of what would be detected."""
    return parse_file(
        data, encoding=options.encoding, delimiter=options.delimiter, sheet=options.sheet
    )


def parse_job_file(job: ImportJob) -> ParsedFile:
    """A job's file, read as the PMO said on its mapping page."""
    return parse_with(bytes(job.data), options_of(job))


def parse_job_file_or_none(job: ImportJob) -> ParsedFile | None:
    try:
        return parse_job_file(job)
    except FileProblem:
        return None
