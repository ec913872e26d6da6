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
- Blank cells of mapped columns mean "unknown" (forecast finish, forecast at completion) or
  zero with a warning (planned cost).
- Dates are YYYY-MM-DD (Excel date cells are read as dates), between 1900 and 2199.
- Money is read as Decimal from the cell's text (never through float), multiplied by the
  cost unit (the IT Dashboard's costs are in US$ millions) and rounded half-up to cents.
  Negative planned costs and amounts beyond the 14-digit money field are row errors.
- Cost variance is planned cost minus forecast cost (positive = under budget), as in the
  IT Dashboard, whose variances are never above the planned cost but are often below minus
  it. Forecast at completion = budget - variance; a negative result is a row error.
- Finish = the finish date when mapped and given, else start + planned duration. A zero
  duration gives finish = start (a one-day project), with a warning. Durations and delays
  must be whole days, at most 100 years.
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
from portfolio.imports.models import ImportMapping
from portfolio.imports.reading import ParsedFile, RawRow

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
    baseline_start: date
    baseline_finish: date
    forecast_finish: date | None = None
    budget: Decimal = Decimal(0)
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
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# C0 and C1 control characters (tab and newlines are whitespace, handled before this).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _quoted(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


class _RowReader:
    """Reads typed values out of one row, collecting an issue for each bad cell."""

    def __init__(self, number: int, cells: dict[str, str], columns: dict[str, str]) -> None:
        self.row_number = number
        self.cells = cells
        self.columns = columns
        self.errors: list[RowIssue] = []
        self.warnings: list[RowIssue] = []
        self.failed: set[str] = set()

    def mapped(self, key: str) -> bool:
        return bool(self.columns.get(key))

    def raw(self, key: str) -> str:
        column = self.columns.get(key)
        return self.cells.get(column, "").strip() if column else ""

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        self.errors.append(RowIssue.on(self.row_number, key, self.columns, message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(RowIssue.on(self.row_number, key, self.columns, message))

    def text(self, key: str, *, max_length: int, required: bool = False, name: bool = False) -> str:
        value = self.raw(key)
        if name:
            value = " ".join(html.unescape(value).split())
        if not value:
            if required:
                self.error(key, "is empty.")
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
                self.error(key, "is empty; a project needs a baseline start date.")
            return None
        match = _ISO_DATE.match(value)
        try:
            if match is None:
                raise ValueError
            parsed = date(*(int(part) for part in match.groups()))
        except ValueError:
            self.error(key, f"{_quoted(value)} is not a date; write dates as YYYY-MM-DD.")
            return None
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            self.error(key, f"{value} is outside the years 1900 to 2199.")
            return None
        return parsed

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
        number = self.number(key)
        if number is None:
            return None
        amount = (number * multiplier).quantize(CENT, rounding=ROUND_HALF_UP)
        if amount < 0 and not allow_negative:
            self.error(key, f"{_quoted(self.raw(key))} is negative; a cost cannot be.")
            return None
        if abs(amount) > MAX_MONEY:
            self.error(
                key,
                f"{_quoted(self.raw(key))} is {amount:,.2f} after the cost unit, beyond "
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
    raw: RawRow, headers: list[str], columns: dict[str, str], multiplier: Decimal
) -> tuple[ImportRow | None, list[RowIssue], list[RowIssue]]:
    """One row -> an ImportRow, or None with the reasons it cannot be imported.

    1. Codes and names; 2. baseline start and finish; 3. forecast finish; 4. budget and
    forecast at completion. Each step reads its cells and records its own issues.
    """
    r = _RowReader(raw.number, dict(zip(headers, raw.cells, strict=True)), columns)
    if raw.overflow:
        r.errors.append(
            RowIssue(raw.number, "", "", "has values to the right of the last named column.")
        )
    names = _names(r)
    start, finish = _baseline(r)
    forecast = _forecast_finish(r, finish)
    budget, forecast_cost = _costs(r, multiplier)
    details = read_details(r, multiplier)
    if r.errors or start is None or finish is None:
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
        budget=budget if budget is not None else Decimal(0),
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
    start = r.date("start_date", required=True)
    finish = r.date("finish_date")
    duration = r.days("planned_duration", allow_negative=False)
    if start is not None and finish is not None and finish < start:
        r.error("finish_date", f"{finish} is before the start date {start}.")
    if finish is None and duration is not None and start is not None:
        finish = start + timedelta(days=duration)
        if duration == 0:
            r.warn("planned_duration", "is 0 days: the project starts and finishes on one day.")
    if start is not None and finish is None and not {"finish_date", "planned_duration"} & r.failed:
        key = "finish_date" if r.mapped("finish_date") else "planned_duration"
        r.error(key, "is empty; a project needs a finish date or a planned duration.")
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
        budget = Decimal(0)
        r.warn("planned_cost", "is empty: the budget is set to 0.")
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


def clean_rows(
    parsed: ParsedFile, columns: dict[str, str], cost_unit: str
) -> tuple[list[ImportRow], list[RowIssue], list[RowIssue]]:
    """Typed rows, errors and warnings, row by row; rows with errors are left out."""
    multiplier = COST_MULTIPLIERS[ImportMapping.CostUnit(cost_unit)]
    rows: list[ImportRow] = []
    errors: list[RowIssue] = []
    warnings: list[RowIssue] = []
    for raw in parsed.rows:
        row, row_errors, row_warnings = _clean_row(raw, parsed.headers, columns, multiplier)
        errors += row_errors
        warnings += row_warnings
        if row is not None:
            rows.append(row)
    return rows, in_row_order(errors), warnings
