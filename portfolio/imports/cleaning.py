"""Stage 3, cleaning: one cell -> a typed value, one row -> an `ImportRow` or its problems.

Each cell of a mapped column is read by the rules below; a bad cell is a `RowIssue` naming
the row, the field, the column and the reason, and a row with any error is left out. The
typed rows, errors and warnings go on to `planning`, which checks the rows against each
other and against the database.

- Codes. Programme and project codes are their external ids. A numeric portfolio code is
  zero-padded to three digits ("5" -> "005"): the OMB agency-code form that the US IT
  Dashboard's investment ids also carry (agency 5 owns investment 005-000001723).
- Names are HTML-unescaped (the IT Dashboard writes "O&amp;M"), whitespace runs become one
  space, and ends are trimmed. Text that looks like a spreadsheet formula ("=SUM(A1)") is
  kept as plain text; pages escape it like any other text.
- A field may be fed by several columns (a file whose layout changed mid-year): the first
  of them whose cell is neither empty nor a placeholder word gives the value, and an issue
  names that column.
- Blank cells, and cells holding a placeholder word ("Exempt", "TBD", "N/A": the mapping's
  list), mean "unknown" (start, budget, forecast finish, forecast at completion), never a
  value: an unknown start or budget is stored as unknown, with a warning.
- Dates are read by the mapping's convention (`values.parse_date`: ISO, day-first or
  month-first, and named months, quarters, years and Excel serials in any), between 1900
  and 2199; a quarter or a year read as its last day is a warning saying so.
- Money is read as Decimal from the cell's text (never through float) in the mapping's
  format (`values.parse_money`: currency signs, separators, brackets for negatives),
  multiplied by the cost unit unless the cell gives its own scale (12.3m), and rounded
  half-up to cents. Negative planned costs and amounts beyond the 14-digit money field are
  row errors.
- Every problem of a row is reported, one per field: a row's bad start date does not hide
  its bad cost.
- Cost variance is planned cost minus forecast cost (positive = under budget), as in the
  IT Dashboard, whose variances are never above the planned cost but are often below minus
  it. Forecast at completion = budget - variance; a negative result is a row error.
- Finish = the finish date when mapped and given, else start + planned duration. A zero
  duration gives finish = start (a one-day project), with a warning. Durations and delays
  must be whole days, at most 100 years. A return with completion dates only (no start)
  is imported with the start unknown; the finish is the one date a project must have.
- Delay: forecast finish = finish + delay when positive, = finish when zero. A negative
  delay (an early finish) is not applied, with a warning: the IT Dashboard's only negative
  delay is on a row titled "Entered in error".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from portfolio.imports.columns import TARGETS_BY_KEY
from portfolio.imports.details import RowDetails, read_details
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import ReadingOptions
from portfolio.imports.reading import ParsedFile, RawRow
from portfolio.imports.values import ValueProblem, parse_date, parse_money

MAX_DAYS = 36_525  # a hundred years: beyond that a duration or delay is a typo
MAX_MONEY = Decimal("999999999999.99")  # what DecimalField(max_digits=14, decimal_places=2) holds
CENT = Decimal("0.01")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

COST_MULTIPLIERS = {
    ImportMapping.CostUnit.UNITS: Decimal(1),
    ImportMapping.CostUnit.THOUSANDS: Decimal(1_000),
    ImportMapping.CostUnit.MILLIONS: Decimal(1_000_000),
}


@dataclass(frozen=True)
class RowIssue:
    row: int  # 0 for the file as a whole
    field: str  # the target's label
    column: str  # the file's column header
    message: str
    value: str = ""  # the cell as the file gives it

    @classmethod
    def on(cls, row: int, key: str, columns: dict[str, str], message: str) -> RowIssue:
        """An issue with the cell of one target field, named as the preview shows it."""
        return cls(row, TARGETS_BY_KEY[key].label, columns.get(key, ""), message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "message": self.message,
            "value": self.value,
        }


def in_row_order(issues: Iterable[RowIssue]) -> list[RowIssue]:
    """By row, then field: how the preview and a failed job list them."""
    return sorted(issues, key=lambda issue: (issue.row, issue.field))


@dataclass
class ImportRow:
    """One row of the file, typed and checked, as it will be saved."""

    number: int
    portfolio_key: str
    portfolio_name: str
    programme_key: str
    programme_name: str
    project_key: str
    project_name: str
    baseline_start: date | None  # None: unknown (no start column, or an empty cell)
    baseline_finish: date
    forecast_finish: date | None = None
    budget: Decimal | None = None  # None: unknown
    forecast_at_completion: Decimal | None = None
    action: str = ""  # created / updated / unchanged, once planned
    details: RowDetails = field(default_factory=RowDetails)
    matched_by: str = ""  # "name" when the project was found by its name, for the preview

    @property
    def portfolio_code(self) -> str:
        return portfolio_code_for(self.portfolio_key)

    @property
    def identity(self) -> str:
        """What identifies the project in its portfolio: its code, else its name (a return
        without codes), either regardless of letter case."""
        return self.project_key.casefold() or "name:" + self.project_name.casefold()


def portfolio_code_for(key: str) -> str:
    return key.zfill(3) if key.isascii() and key.isdigit() else key


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$")
# C0 and C1 control characters (tab and newlines are whitespace, handled before this).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _quoted(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


class _RowReader:
    """Reads typed values out of one row, collecting an issue for each bad cell."""

    def __init__(
        self,
        number: int,
        cells: dict[str, str],
        columns: dict[str, str],
        options: ReadingOptions,
        *,
        typed_numbers: bool = False,
    ) -> None:
        self.row_number = number
        self.cells = cells
        self.columns = columns
        self.options = options
        self.placeholders = options.placeholder_words
        self.typed_numbers = typed_numbers  # a workbook's number cells: dot decimals
        self.errors: list[RowIssue] = []
        self.warnings: list[RowIssue] = []
        self.failed: set[str] = set()
        self.source: dict[str, str] = {}  # target key -> the column its value came from
        self._placeholder = ""  # the placeholder word the last `raw` passed over, if any

    def mapped(self, key: str) -> bool:
        return bool(self.columns.get(key))

    def raw(self, key: str) -> str:
        """The first of the field's columns whose cell is neither empty nor a placeholder."""
        self._placeholder = ""
        column = self.columns.get(key)
        if not column:
            return ""
        for candidate in (column, *self.options.extra_columns.get(key, ())):
            value = self.cells.get(candidate, "").strip()
            if not self.placeholders.means_unknown(value):
                self.source[key] = candidate
                return value
            self._placeholder = self._placeholder or value
        return ""

    def given(self, key: str) -> str:
        """What the field's first column says, placeholder or not: for the warnings."""
        return self.cells.get(self.columns.get(key, ""), "").strip()

    def _missing(self, need: str = "") -> str:
        """Why a required field has no value (empty, or a placeholder word), and the need."""
        if self._placeholder:
            word = _quoted(self._placeholder)
            return f"is {word}, a placeholder word meaning unknown; {need or 'a value is needed.'}"
        return f"is empty; {need}" if need else "is empty."

    def _issue(self, key: str, message: str) -> RowIssue:
        column = self.source.get(key) or self.columns.get(key, "")
        value = self.cells.get(column, "").strip()
        return RowIssue(self.row_number, TARGETS_BY_KEY[key].label, column, message, value)

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        self.errors.append(self._issue(key, message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(self._issue(key, message))

    def text(self, key: str, *, max_length: int, required: bool = False, name: bool = False) -> str:
        value = self.raw(key)
        if name:
            value = " ".join(html.unescape(value).split())
        if not value:
            if required:
                self.error(key, self._missing())
            return ""
        if _CONTROL.search(value):
            self.error(key, "contains control characters (such as NUL); remove them.")
            return ""
        if len(value) > max_length:
            self.error(key, f"is {len(value)} characters long; the limit is {max_length}.")
            return ""
        return value

    def date(self, key: str, *, required: bool = False) -> date | None:
        value = self.raw(key)
        if not value:
            if required:
                self.error(key, self._missing("a project needs a baseline start date."))
            return None
        try:
            read = parse_date(value, self.options.date_convention, self.options.two_digit_pivot)
        except ValueProblem as exc:
            self.error(key, str(exc))
            return None
        if not EARLIEST_DATE <= read.value <= LATEST_DATE:
            self.error(key, f"{value} is outside the years 1900 to 2199.")
            return None
        if read.note:
            self.warn(key, f"{read.note}.")
        return read.value

    def number(self, key: str) -> Decimal | None:
        value = self.raw(key)
        if not value:
            return None
        if not _NUMBER.match(value):
            self.error(
                key,
                f"{_quoted(value)} is not a number (write it without currency signs or "
                "thousands separators, with a dot for decimals).",
            )
            return None
        number = Decimal(value)
        if number.adjusted() > 15:
            self.error(key, f"{_quoted(value)} is far too large.")
            return None
        return number

    def days(self, key: str, *, allow_negative: bool) -> int | None:
        number = self.number(key)
        if number is None:
            return None
        if number != number.to_integral_value():
            self.error(key, f"{number} is not a whole number of days.")
            return None
        if number < 0 and not allow_negative:
            self.error(key, f"{number} days cannot be negative.")
            return None
        if abs(number) > MAX_DAYS:
            self.error(key, f"{number} days is more than a hundred years.")
            return None
        return int(number)

    def money(self, key: str, multiplier: Decimal, *, allow_negative: bool) -> Decimal | None:
        value = self.raw(key)
        if not value:
            return None
        try:
            read = parse_money(value, self.options.money_locale, typed_number=self.typed_numbers)
        except ValueProblem as exc:
            self.error(key, str(exc))
            return None
        if read.amount.adjusted() > 15:
            self.error(key, f"{_quoted(value)} is far too large.")
            return None
        scale = Decimal(1) if read.scaled else multiplier
        amount = (read.amount * scale).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount < 0 and not allow_negative:
            self.error(key, f"{_quoted(value)} is negative; a cost cannot be.")
            return None
        if abs(amount) > MAX_MONEY:
            self.error(
                key,
                f"{_quoted(value)} is {amount:,.2f} after the cost unit, beyond "
                f"the largest amount stored ({MAX_MONEY:,.2f}).",
            )
            return None
        return amount


@dataclass(frozen=True)
class _Names:
    """The codes and names that place a row's project in its portfolio and programme."""

    portfolio_key: str
    portfolio_name: str
    programme_key: str
    programme_name: str
    project_key: str
    project_name: str


def _clean_row(
    raw: RawRow, headers: list[str], columns: dict[str, str], reader_options: _ReaderOptions
) -> tuple[ImportRow | None, list[RowIssue], list[RowIssue]]:
    """One row -> an ImportRow, or None with the reasons it cannot be imported.

    1. Codes and names; 2. baseline start and finish; 3. forecast finish; 4. budget and
    forecast at completion. Each step reads its cells and records its own issues.
    """
    options, multiplier, typed_numbers = reader_options
    cells = dict(zip(headers, raw.cells, strict=True))
    r = _RowReader(raw.number, cells, columns, options, typed_numbers=typed_numbers)
    if raw.overflow:
        r.errors.append(
            RowIssue(raw.number, "", "", "has values to the right of the last named column.")
        )
    names = _names(r)
    start, finish = _baseline(r)
    forecast = _forecast_finish(r, finish)
    budget, forecast_cost = _costs(r, multiplier)
    details = read_details(r, multiplier)
    if r.errors or finish is None:
        return None, r.errors, r.warnings
    row = ImportRow(
        number=raw.number,
        portfolio_key=names.portfolio_key,
        portfolio_name=names.portfolio_name,
        programme_key=names.programme_key,
        programme_name=names.programme_name,
        project_key=names.project_key,
        project_name=names.project_name,
        baseline_start=start,
        baseline_finish=finish,
        # A forecast given outright wins over one derived from a delay or a variance.
        forecast_finish=details.report.get("forecast_finish", forecast),
        budget=budget,
        forecast_at_completion=details.report.get("forecast_at_completion", forecast_cost),
        details=details,
    )
    return row, r.errors, r.warnings


def _names(r: _RowReader) -> _Names:
    portfolio_key = r.text("portfolio_code", max_length=32, required=True)
    portfolio_name = r.text("portfolio_name", max_length=200, name=True)
    programme_key = r.text("programme_code", max_length=32)
    programme_name = r.text("programme_name", max_length=200, name=True)
    if programme_name and not programme_key and "programme_code" not in r.failed:
        r.error("programme_code", "is empty but the row names a programme.")
    # Without a code the project is matched by its name (`ImportRow.identity`).
    project_key = r.text("project_code", max_length=64)
    project_name = r.text("project_name", max_length=200, required=True, name=True)
    return _Names(
        portfolio_key, portfolio_name, programme_key, programme_name, project_key, project_name
    )


def _baseline(r: _RowReader) -> tuple[date | None, date | None]:
    """Start and finish; the finish from the planned duration when the file gives none."""
    start = r.date("start_date")
    finish = r.date("finish_date")
    duration = r.days("planned_duration", allow_negative=False)
    if start is not None and finish is not None and finish < start:
        r.error("finish_date", f"{finish} is before the start date {start}.")
    if finish is None and duration is not None and start is not None:
        finish = start + timedelta(days=duration)
        if duration == 0:
            r.warn("planned_duration", "is 0 days: the project starts and finishes on one day.")
    if finish is None and not {"start_date", "finish_date", "planned_duration"} & r.failed:
        key = "finish_date" if r.mapped("finish_date") else "planned_duration"
        if duration is not None:
            r.error("start_date", "is empty; a planned duration needs a start to count from.")
        else:
            r.error(key, "is empty; a project needs a finish date or a planned duration.")
    if start is None and r.mapped("start_date") and "start_date" not in r.failed:
        r.warn("start_date", _unknown_because(r.given("start_date"), "start"))
    return start, finish


def _forecast_finish(r: _RowReader, finish: date | None) -> date | None:
    delay = r.days("delay_days", allow_negative=True)
    if delay is None or finish is None:
        return None
    if delay < 0:
        r.warn("delay_days", f"is {delay} days (early); the forecast is left at the finish.")
    return finish + timedelta(days=max(delay, 0))


def _costs(r: _RowReader, multiplier: Decimal) -> tuple[Decimal | None, Decimal | None]:
    """Budget and forecast at completion (budget - variance), in currency units."""
    budget = r.money("planned_cost", multiplier, allow_negative=False)
    variance = r.money("cost_variance", multiplier, allow_negative=True)
    if budget is None and r.mapped("planned_cost") and "planned_cost" not in r.failed:
        r.warn("planned_cost", _unknown_because(r.given("planned_cost"), "budget"))
    if variance is None or budget is None:
        return budget, None
    forecast_cost = budget - variance
    if forecast_cost < 0:
        r.error(
            "cost_variance",
            f"gives a negative forecast cost ({forecast_cost:,.2f}): the variance is planned "
            "minus forecast cost, so it cannot exceed the planned cost.",
        )
    elif forecast_cost > MAX_MONEY:
        r.error("cost_variance", "gives a forecast cost beyond the largest amount stored.")
    return budget, forecast_cost


def _unknown_because(given: str, what: str) -> str:
    """The warning for a cell that leaves a value unknown (empty, or a placeholder word)."""
    if given:
        return f"{_quoted(given)} means unknown: the {what} is left unknown."
    return f"is empty: the {what} is left unknown."


_ReaderOptions = tuple[ReadingOptions, Decimal, bool]


def clean_rows(
    parsed: ParsedFile,
    columns: dict[str, str],
    cost_unit: str,
    options: ReadingOptions | None = None,
) -> tuple[list[ImportRow], list[RowIssue], list[RowIssue]]:
    """Typed rows, errors and warnings, row by row; rows with errors are left out.

    `options` are the mapping's reading conventions (defaults: ISO dates, 1,234.56 money,
    the usual placeholder words); `cost_unit` is the unit of plain amounts.
    """
    multiplier = COST_MULTIPLIERS[ImportMapping.CostUnit(cost_unit)]
    reader_options = (
        options or ReadingOptions(),
        multiplier,
        parsed.file_format == ImportJob.Format.XLSX,
    )
    rows: list[ImportRow] = []
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    for raw in parsed.rows:
        row, row_errors, row_warnings = _clean_row(raw, parsed.headers, columns, reader_options)
        errors += row_errors
        warnings += row_warnings
        if row is not None:
            rows.append(row)
    return rows, in_row_order(errors), warnings
