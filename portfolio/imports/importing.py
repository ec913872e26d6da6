"""Importing a portfolio (portfolios, programmes, projects) from a CSV or XLSX file.

Each step is a plain function, shared by the pages, the Celery task and the tests:

1. `parse_file`: bytes -> a header and rows of text. Whatever is not a readable CSV or
   XLSX (empty, binary, too big, too many rows…) raises `FileProblem` saying why.
2. `guess_columns`, `mapping_problems`: which column of the file feeds which field.
3. `clean_rows`: each row -> a typed `ImportRow`, or `RowIssue`s naming the row, the field
   and the reason; then the checks across rows (one row per project, one name per code).
4. `plan_import`: compares the rows with the database: what is created, updated or left
   alone, and conflicts with rows that exist already. This is the dry run; it writes nothing.
5. `apply_plan`: writes a plan with bulk operations that also write the audit history.

`import_dry_run` runs 1-4 for the preview; `import_job_run` runs 1-5 in one transaction
for the Celery task, so an import is saved entirely or not at all.

Rules for the data (each oddity handled on purpose, not by accident):

- Identity. Portfolios are matched on `external_id` (the portfolio code as in the file),
  programmes and projects on `external_id` *within their portfolio*. A row that exists
  without an external id but with the same code is adopted (its external id is filled in);
  one with the same code and a different external id is a conflict, reported on the row.
  Rows of the database that the file does not mention are left alone, never deleted.
- Codes. Programme and project codes are their external ids. A numeric portfolio code is
  zero-padded to three digits ("5" -> "005"): the OMB agency-code form that the US IT
  Dashboard's investment ids also carry (agency 5 owns investment 005-000001723).
- Names are HTML-unescaped (the IT Dashboard writes "O&amp;M"), whitespace runs become one
  space, and ends are trimmed. Text that looks like a spreadsheet formula ("=SUM(A1)") is
  kept as plain text; pages escape it like any other text.
- Only mapped fields are written: re-importing a file without a cost column leaves budgets
  alone. Blank cells of mapped columns mean "unknown" (forecast finish, forecast at
  completion) or zero with a warning (planned cost).
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
- The same project code twice in one portfolio is an error naming both rows; the same
  programme or portfolio code with two different names is an error naming both rows.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import html
import io
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignKey, Model, Q
from django.utils import timezone
from redis.exceptions import RedisError
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from portfolio.core.queue import enqueue_on_commit, publish
from portfolio.imports.models import ImportJob, ImportMapping
from programmes.models import HealthPolicy, Portfolio, Programme
from projects.models import Project

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

# The registered name of `portfolio.imports.tasks.run_import` (the tasks module imports this).
RUN_TASK = "imports.run"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An XLSX is a zip: a small file can inflate enormously. Refuse before openpyxl reads it.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_DAYS = 36_525  # a hundred years: beyond that a duration or delay is a typo
MAX_MONEY = Decimal("999999999999.99")  # what DecimalField(max_digits=14, decimal_places=2) holds
CENT = Decimal("0.01")
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)
BATCH_SIZE = 500
PREVIEW_ROWS = 50

COST_MULTIPLIERS = {
    ImportMapping.CostUnit.UNITS: Decimal(1),
    ImportMapping.CostUnit.THOUSANDS: Decimal(1_000),
    ImportMapping.CostUnit.MILLIONS: Decimal(1_000_000),
}


# -- 1. Reading the file -------------------------------------------------------------------


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message is written for the user."""


@dataclass(frozen=True)
class RawRow:
    number: int  # as a spreadsheet shows it: the header is row 1 when it is the first line
    cells: list[str]  # one per header, "" for a missing cell
    overflow: bool = False  # non-empty cells to the right of the last named column


@dataclass(frozen=True)
class ParsedFile:
    file_format: str
    encoding: str  # how a CSV was decoded; "" for XLSX
    headers: list[str]
    rows: list[RawRow]

    @property
    def encoding_note(self) -> str:
        if self.file_format == ImportJob.Format.XLSX:
            return "Read the first worksheet of the Excel workbook."
        if self.encoding == "UTF-8":
            return "Read as UTF-8 text."
        return f"The file is not UTF-8: read it as {self.encoding}. Check accented letters."


# Signatures of files people rename by mistake, so the message can say what the file is.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel (.xls) or Office file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
)


def parse_file(data: bytes) -> ParsedFile:
    """Read an uploaded file into a header and rows of text; raise FileProblem if we can't."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileProblem(
            f"The file is {_megabytes(len(data))}; the largest file accepted is "
            f"{_megabytes(MAX_UPLOAD_BYTES)}."
        )
    if not data.strip():
        raise FileProblem("The file is empty.")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise FileProblem(
                f"This is {what}, not a CSV or Excel (.xlsx) file."
                + (" Save it as .xlsx or CSV and upload it again." if "xls" in what else "")
            )
    if data.startswith(b"PK\x03\x04"):
        return _parse_xlsx(data)
    return _parse_csv(data)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the name of the encoding used: UTF-8 first, then what Excel writes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:65536]:
        # Text files have no NUL bytes; whatever this is, reading it as text would be noise.
        raise FileProblem("This is not a CSV or Excel (.xlsx) file: it contains binary data.")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        # Latin-1 maps every byte, so this always succeeds; the preview says it was used.
        return data.decode("latin-1"), "Latin-1 (ISO-8859-1)"


def _delimiter(header_line: str) -> str:
    """The commonest of , ; tab | in the header line: Excel in many locales writes ';'."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _parse_csv(data: bytes) -> ParsedFile:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise FileProblem("This is not a CSV or Excel (.xlsx) file: it contains binary data.")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        return _table(ImportJob.Format.CSV, encoding, enumerate(reader, start=1))
    except csv.Error as exc:
        raise FileProblem(f"Row {reader.line_num} cannot be read as CSV: {exc}.") from None


def _parse_xlsx(data: bytes) -> ParsedFile:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise FileProblem(
                    "This is a ZIP archive but not an Excel (.xlsx) workbook "
                    "(a Word or OpenDocument file, perhaps)."
                )
            if sum(item.file_size for item in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise FileProblem("The workbook is too large once unpacked.")
    except zipfile.BadZipFile:
        raise FileProblem("The file looks like an Excel workbook but is damaged.") from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many kinds of error on malformed workbooks; all mean the same here.
        logger.info("Unreadable workbook: %r", exc)
        raise FileProblem("The Excel workbook cannot be read; is it damaged?") from None
    try:
        sheet = workbook.worksheets[0]
        rows = (
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        return _table(ImportJob.Format.XLSX, "", rows)
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold, so one set of rules reads both."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        # Excel has no date-only cells; a time on a project date is noise.
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 1.8205, not
        # 1.82049999999999989697; Excel itself stores the number as a float.
        return repr(value)
    return str(value)


def _table(file_format: str, encoding: str, lines: Iterable[tuple[int, list[str]]]) -> ParsedFile:
    """Header and rows from raw lines: skips blank lines, pads short rows, bounds the size."""
    headers: list[str] | None = None
    rows: list[RawRow] = []
    for number, cells in lines:
        if not any(cell.strip() for cell in cells):
            continue
        if headers is None:
            headers = _headers(cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        width = len(headers)
        overflow = any(cell.strip() for cell in cells[width:])
        rows.append(RawRow(number, (cells + [""] * width)[:width], overflow))
    if headers is None:
        raise FileProblem("The file is empty.")
    if not rows:
        raise FileProblem("The file has a header row but no data rows.")
    return ParsedFile(file_format, encoding, headers, rows)


def _headers(cells: list[str]) -> list[str]:
    names = [cell.strip() for cell in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise FileProblem(f"The file has {len(names)} columns; at most {MAX_COLUMNS} are read.")
    names = [name or f"Column {index}" for index, name in enumerate(names, start=1)]
    seen: dict[str, int] = {}
    for index, name in enumerate(names, start=1):
        if name.casefold() in seen:
            raise FileProblem(
                f'The column header "{name}" appears twice (columns {seen[name.casefold()]} '
                f"and {index}); rename one and upload the file again."
            )
        seen[name.casefold()] = index
    return names


# -- 2. Mapping columns to fields ----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field the importer can fill, and the header names that usually hold it."""

    key: str
    label: str
    required: bool
    aliases: tuple[str, ...]
    help_text: str = ""


TARGETS: tuple[Target, ...] = (
    Target(
        "portfolio_code",
        "Portfolio code",
        True,
        ("agencycode", "portfoliocode", "portfolioid", "agencyid", "portfolio"),
        "Identifies the portfolio from one import to the next.",
    ),
    Target("portfolio_name", "Portfolio name", False, ("agencyname", "portfolioname", "agency")),
    Target(
        "programme_code",
        "Programme code",
        False,
        (
            "uniqueinvestmentidentifier",
            "investmentid",
            "programmecode",
            "programcode",
            "programmeid",
            "programid",
        ),
        "Leave empty for standalone projects.",
    ),
    Target(
        "programme_name",
        "Programme name",
        False,
        (
            "investmenttitle",
            "investmentname",
            "programmename",
            "programname",
            "programme",
            "program",
        ),
    ),
    Target(
        "project_code",
        "Project code (external id)",
        True,
        ("projectid", "projectcode", "externalid", "id", "code"),
        "Identifies the project from one import to the next.",
    ),
    Target("project_name", "Project name", True, ("projectname", "project", "name", "title")),
    Target(
        "start_date",
        "Start date",
        True,
        ("startdate", "baselinestart", "plannedstart", "start"),
        "YYYY-MM-DD, or Excel date cells.",
    ),
    Target(
        "finish_date",
        "Finish date",
        False,
        ("finishdate", "enddate", "baselinefinish", "plannedfinish", "finish", "end"),
        "Or map the planned duration instead.",
    ),
    Target(
        "planned_duration",
        "Planned duration (days)",
        False,
        ("plannedduration", "durationdays", "duration"),
        "Finish = start + duration, when there is no finish date.",
    ),
    Target(
        "planned_cost",
        "Planned cost",
        False,
        ("plannedcost", "budget", "plannedbudget", "cost"),
        "Becomes the project's budget, in the cost unit below.",
    ),
    Target(
        "cost_variance",
        "Cost variance",
        False,
        ("costvariance", "variance"),
        "Planned minus forecast cost; gives the forecast at completion.",
    ),
    Target(
        "delay_days",
        "Delay (days)",
        False,
        ("projectdelay", "delaydays", "delay", "slippagedays", "slippage"),
        "Forecast finish = finish + delay.",
    ),
)
TARGETS_BY_KEY = {target.key: target for target in TARGETS}

# The US IT Dashboard's file gives its costs in millions without saying so in the header.
_IT_DASHBOARD_HEADERS = {"uniqueinvestmentidentifier", "plannedcost", "costvariance"}


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.casefold())


def guess_columns(headers: list[str]) -> dict[str, str]:
    """Target key -> header, for the headers whose names say what they hold."""
    by_name = {_normalise(header): header for header in reversed(headers)}
    guessed: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGETS:
        for alias in target.aliases:
            header = by_name.get(alias)
            if header is not None and header not in used:
                guessed[target.key] = header
                used.add(header)
                break
    return guessed


def guess_cost_unit(headers: list[str]) -> str:
    normalised = {_normalise(header) for header in headers}
    if normalised >= _IT_DASHBOARD_HEADERS or any("million" in name for name in normalised):
        return ImportMapping.CostUnit.MILLIONS
    return ImportMapping.CostUnit.UNITS


def columns_for(mapping: ImportMapping, headers: list[str]) -> dict[str, str]:
    """A saved mapping applied to a file: only the columns this file has."""
    return {
        key: column
        for key, column in mapping.columns.items()
        if key in TARGETS_BY_KEY and column in headers
    }


def mapping_problems(columns: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Target key -> why this mapping cannot be used; empty when it can."""
    problems: dict[str, str] = {}
    for target in TARGETS:
        column = columns.get(target.key, "")
        if column and column not in headers:
            problems[target.key] = f'The file has no column "{column}".'
        elif target.required and not column:
            problems[target.key] = f"Choose the column that holds the {target.label.lower()}."
    if not columns.get("finish_date") and not columns.get("planned_duration"):
        problems.setdefault(
            "finish_date", "Choose a finish date column or a planned duration column."
        )
    if columns.get("cost_variance") and not columns.get("planned_cost"):
        problems.setdefault(
            "planned_cost", "The cost variance is read against the planned cost: map it too."
        )
    return problems


def mapping_initial(job: ImportJob) -> dict[str, str]:
    """The mapping form's starting point: the job's own, a saved mapping's, or a guess."""
    if job.columns:
        columns, unit = dict(job.columns), job.cost_unit
    elif job.mapping is not None:
        columns, unit = columns_for(job.mapping, job.headers), job.mapping.cost_unit
    else:
        columns, unit = guess_columns(job.headers), guess_cost_unit(job.headers)
    return {**columns, "cost_unit": unit, "save_as": job.mapping.name if job.mapping else ""}


# -- 3. Cleaning rows ----------------------------------------------------------------------


@dataclass(frozen=True)
class RowIssue:
    row: int  # 0 for the file as a whole
    field: str  # the target's label
    column: str  # the file's column header
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "message": self.message,
        }


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

    @property
    def portfolio_code(self) -> str:
        return portfolio_code_for(self.portfolio_key)


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

    def _issue(self, key: str, message: str) -> RowIssue:
        return RowIssue(
            self.row_number, TARGETS_BY_KEY[key].label, self.columns.get(key, ""), message
        )

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


def _clean_row(
    raw: RawRow, headers: list[str], columns: dict[str, str], multiplier: Decimal
) -> tuple[ImportRow | None, list[RowIssue], list[RowIssue]]:
    """One row -> an ImportRow, or None with the reasons it cannot be imported."""
    r = _RowReader(raw.number, dict(zip(headers, raw.cells, strict=True)), columns)
    if raw.overflow:
        r.errors.append(
            RowIssue(raw.number, "", "", "has values to the right of the last named column.")
        )
    portfolio_key = r.text("portfolio_code", max_length=32, required=True)
    portfolio_name = r.text("portfolio_name", max_length=200, name=True)
    programme_key = r.text("programme_code", max_length=32)
    programme_name = r.text("programme_name", max_length=200, name=True)
    if programme_name and not programme_key and "programme_code" not in r.failed:
        r.error("programme_code", "is empty but the row names a programme.")
    project_key = r.text("project_code", max_length=32, required=True)
    project_name = r.text("project_name", max_length=200, required=True, name=True)
    start = r.date("start_date", required=True)
    finish = r.date("finish_date")
    duration = r.days("planned_duration", allow_negative=False)
    delay = r.days("delay_days", allow_negative=True)
    budget = r.money("planned_cost", multiplier, allow_negative=False)
    variance = r.money("cost_variance", multiplier, allow_negative=True)

    if start is not None and finish is not None and finish < start:
        r.error("finish_date", f"{finish} is before the start date {start}.")
    if finish is None and duration is not None and start is not None:
        finish = start + timedelta(days=duration)
        if duration == 0:
            r.warn("planned_duration", "is 0 days: the project starts and finishes on one day.")
    if start is not None and finish is None and not {"finish_date", "planned_duration"} & r.failed:
        key = "finish_date" if r.mapped("finish_date") else "planned_duration"
        r.error(key, "is empty; a project needs a finish date or a planned duration.")

    forecast = None
    if delay is not None and finish is not None:
        forecast = finish + timedelta(days=max(delay, 0))
        if delay < 0:
            r.warn("delay_days", f"is {delay} days (early); the forecast is left at the finish.")

    if budget is None and r.mapped("planned_cost") and "planned_cost" not in r.failed:
        budget = Decimal(0)
        r.warn("planned_cost", "is empty: the budget is set to 0.")
    forecast_cost = None
    if variance is not None and budget is not None:
        forecast_cost = budget - variance
        if forecast_cost < 0:
            r.error(
                "cost_variance",
                f"gives a negative forecast cost ({forecast_cost:,.2f}): the variance is planned "
                "minus forecast cost, so it cannot exceed the planned cost.",
            )
        elif forecast_cost > MAX_MONEY:
            r.error("cost_variance", "gives a forecast cost beyond the largest amount stored.")

    if r.errors or start is None or finish is None:
        return None, r.errors, r.warnings
    row = ImportRow(
        number=raw.number,
        portfolio_key=portfolio_key,
        portfolio_name=portfolio_name,
        programme_key=programme_key,
        programme_name=programme_name,
        project_key=project_key,
        project_name=project_name,
        baseline_start=start,
        baseline_finish=finish,
        forecast_finish=forecast,
        budget=budget if budget is not None else Decimal(0),
        forecast_at_completion=forecast_cost,
    )
    return row, r.errors, r.warnings


def clean_rows(
    parsed: ParsedFile, columns: dict[str, str], cost_unit: str
) -> tuple[list[ImportRow], list[RowIssue], list[RowIssue]]:
    """Typed rows, errors and warnings; rows with errors are left out of the rows."""
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
    kept, cross_errors = _check_across_rows(rows, columns)
    return kept, sorted(errors + cross_errors, key=_issue_order), warnings


def _issue_order(issue: RowIssue) -> tuple[int, str]:
    return issue.row, issue.field


def _check_across_rows(
    rows: list[ImportRow], columns: dict[str, str]
) -> tuple[list[ImportRow], list[RowIssue]]:
    """One row per project in a portfolio; one name per portfolio and programme code."""
    errors: list[RowIssue] = []
    kept: list[ImportRow] = []
    first_row: dict[tuple[str, str], int] = {}
    portfolio_names: dict[str, tuple[str, int]] = {}
    portfolio_keys: dict[str, tuple[str, int]] = {}
    programme_names: dict[tuple[str, str], tuple[str, int]] = {}

    def issue(row: ImportRow, key: str, message: str) -> None:
        errors.append(
            RowIssue(row.number, TARGETS_BY_KEY[key].label, columns.get(key, ""), message)
        )

    for row in rows:
        before = len(errors)
        project = (row.portfolio_key, row.project_key)
        if project in first_row:
            issue(
                row,
                "project_code",
                f"{row.project_key!r} appears on rows {first_row[project]} and {row.number}; "
                "a project must appear once per portfolio.",
            )
        code_owner = portfolio_keys.setdefault(row.portfolio_code, (row.portfolio_key, row.number))
        if code_owner[0] != row.portfolio_key:
            issue(
                row,
                "portfolio_code",
                f"{row.portfolio_key!r} and {code_owner[0]!r} (row {code_owner[1]}) both give "
                f"the portfolio code {row.portfolio_code!r}.",
            )
        if row.portfolio_name:
            name, seen = portfolio_names.setdefault(
                row.portfolio_key, (row.portfolio_name, row.number)
            )
            if name != row.portfolio_name:
                issue(
                    row,
                    "portfolio_name",
                    f"portfolio {row.portfolio_key!r} is named {row.portfolio_name!r} here but "
                    f"{name!r} on row {seen}.",
                )
        if row.programme_key and row.programme_name:
            name, seen = programme_names.setdefault(
                (row.portfolio_key, row.programme_key), (row.programme_name, row.number)
            )
            if name != row.programme_name:
                issue(
                    row,
                    "programme_name",
                    f"programme {row.programme_key!r} is named {row.programme_name!r} here but "
                    f"{name!r} on row {seen}.",
                )
        if len(errors) == before:
            first_row.setdefault(project, row.number)
            kept.append(row)
    # A name given on a later row counts for the rows that left it blank.
    for row in kept:
        if not row.portfolio_name and row.portfolio_key in portfolio_names:
            row.portfolio_name = portfolio_names[row.portfolio_key][0]
        key = (row.portfolio_key, row.programme_key)
        if row.programme_key and not row.programme_name and key in programme_names:
            row.programme_name = programme_names[key][0]
    return kept, errors


# -- 4. Planning against the database (the dry run) ----------------------------------------


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Level:
    """New and changed objects of one model, and how many were left alone."""

    new: list[Any] = field(default_factory=list)
    changed: list[Any] = field(default_factory=list)
    unchanged: int = 0
    # Only these go into bulk_update's CASE expressions: each costs a pass over the batch.
    changed_fields: set[str] = field(default_factory=set)

    def outcome(self) -> Outcome:
        return Outcome(len(self.new), len(self.changed), self.unchanged)

    def record(self, obj: Model, values: dict[str, Any], *, is_new: bool) -> str:
        """Set values on obj and file it as created, updated or unchanged."""
        changed = False
        for name, value in values.items():
            model_field = obj._meta.get_field(name)
            if isinstance(model_field, ForeignKey):
                # Compare keys, not objects: reading obj.programme would cost a query a row.
                # An unsaved target (a programme this import creates) is always a change.
                different = value is not None and value.pk is None
                different |= getattr(obj, model_field.attname) != (value.pk if value else None)
            else:
                different = getattr(obj, name) != value
            if different:
                setattr(obj, name, value)
                changed = True
                if not is_new:
                    self.changed_fields.add(name)
        if is_new:
            self.new.append(obj)
            return "created"
        if changed:
            self.changed.append(obj)
            return "updated"
        self.unchanged += 1
        return "unchanged"


@dataclass
class Plan:
    rows: list[ImportRow]
    errors: list[RowIssue]
    warnings: list[RowIssue]
    columns: dict[str, str]
    portfolios: _Level = field(default_factory=_Level)
    programmes: _Level = field(default_factory=_Level)
    projects: _Level = field(default_factory=_Level)
    portfolio_fields: list[str] = field(default_factory=list)
    programme_fields: list[str] = field(default_factory=list)
    project_fields: list[str] = field(default_factory=list)

    @property
    def can_commit(self) -> bool:
        return not self.errors and bool(self.rows)

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            "portfolios": self.portfolios.outcome().as_dict(),
            "programmes": self.programmes.outcome().as_dict(),
            "projects": self.projects.outcome().as_dict(),
        }


class _Index:
    """Existing rows of one model by external id and by code, within one scope."""

    def __init__(self, objs: Iterable[Any], scope: Callable[[Any], Any]) -> None:
        self.by_external: dict[tuple[Any, str], list[Any]] = defaultdict(list)
        self.by_code: dict[tuple[Any, str], Any] = {}
        for obj in objs:
            self.by_code[(scope(obj), obj.code)] = obj
            if obj.external_id:
                self.by_external[(scope(obj), obj.external_id)].append(obj)

    def match(self, scope: Any, external_id: str, code: str) -> tuple[Any, str]:
        """(the object or None, a conflict message or "")."""
        matches = self.by_external.get((scope, external_id), [])
        if len(matches) > 1:
            return None, (
                f"{len(matches)} rows already carry the external id {external_id!r}; "
                "merge them before importing."
            )
        if matches:
            return matches[0], ""
        same_code = self.by_code.get((scope, code))
        if same_code is not None and same_code.external_id not in ("", external_id):
            return None, (
                f"the code {code!r} is already used by {same_code.name!r}, which comes "
                f"from external id {same_code.external_id!r}."
            )
        return same_code, ""  # an object found by code is adopted: its external id is set


def plan_import(
    rows: list[ImportRow],
    columns: dict[str, str],
    errors: list[RowIssue] | None = None,
    warnings: list[RowIssue] | None = None,
) -> Plan:
    """Match rows with the database and decide each object's fate; writes nothing.

    1. Portfolios by external id, else by code (adopted when it has no external id).
    2. Programmes, then projects, the same way within their portfolio.
    3. A match by code that carries another external id is a conflict on the row.
    4. Each project's final dates are checked against the database's constraints.
    """
    plan = Plan(rows=[], errors=list(errors or []), warnings=list(warnings or []), columns=columns)
    plan.portfolio_fields = ["external_id"] + (["name"] if columns.get("portfolio_name") else [])
    plan.programme_fields = ["external_id"] + (["name"] if columns.get("programme_name") else [])
    plan.project_fields = _project_fields(columns)
    conflicts: list[RowIssue] = []
    portfolios = _plan_portfolios(plan, rows, conflicts)
    programmes = _plan_programmes(plan, rows, portfolios, conflicts)
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    projects = _Index(Project.objects.filter(portfolio_id__in=existing_pks), _portfolio_id)
    for row in rows:
        _plan_project(plan, row, portfolios, programmes, projects, conflicts)
    plan.errors = sorted(plan.errors + conflicts, key=_issue_order)
    return plan


def _portfolio_id(obj: Programme | Project) -> int:
    return obj.portfolio_id


def _project_fields(columns: dict[str, str]) -> list[str]:
    fields = ["external_id", "name", "baseline_start", "baseline_finish"]
    optional = {
        "programme_code": "programme",
        "delay_days": "forecast_finish",
        "planned_cost": "budget",
        "cost_variance": "forecast_at_completion",
    }
    return fields + [name for key, name in optional.items() if columns.get(key)]


def _conflict(row: ImportRow, key: str, columns: dict[str, str], message: str) -> RowIssue:
    return RowIssue(row.number, TARGETS_BY_KEY[key].label, columns.get(key, ""), message)


def _first_rows(rows: Iterable[ImportRow], key: Callable[[ImportRow], Any]) -> dict[Any, ImportRow]:
    firsts: dict[Any, ImportRow] = {}
    for row in rows:
        firsts.setdefault(key(row), row)
    return firsts


def _plan_portfolios(
    plan: Plan, rows: list[ImportRow], conflicts: list[RowIssue]
) -> dict[str, Portfolio]:
    firsts = _first_rows(rows, lambda row: row.portfolio_key)
    codes = [row.portfolio_code for row in firsts.values()]
    existing = Portfolio.objects.filter(Q(external_id__in=list(firsts)) | Q(code__in=codes))
    index = _Index(existing, lambda _: None)
    resolved: dict[str, Portfolio] = {}
    for key, row in firsts.items():
        portfolio, conflict = index.match(None, key, row.portfolio_code)
        if conflict:
            message = f"Portfolio: {conflict}"
            conflicts.append(_conflict(row, "portfolio_code", plan.columns, message))
            continue
        is_new = portfolio is None
        if portfolio is None:
            portfolio = Portfolio(code=row.portfolio_code, name=row.portfolio_name or key)
        values: dict[str, Any] = {"external_id": key}
        if "name" in plan.portfolio_fields and row.portfolio_name:
            values["name"] = row.portfolio_name
        plan.portfolios.record(portfolio, values, is_new=is_new)
        resolved[key] = portfolio
    return resolved


def _plan_programmes(
    plan: Plan,
    rows: list[ImportRow],
    portfolios: dict[str, Portfolio],
    conflicts: list[RowIssue],
) -> dict[tuple[str, str], Programme]:
    firsts = _first_rows(
        (row for row in rows if row.programme_key and row.portfolio_key in portfolios),
        lambda row: (row.portfolio_key, row.programme_key),
    )
    existing_pks = [p.pk for p in portfolios.values() if p.pk]
    index = _Index(Programme.objects.filter(portfolio_id__in=existing_pks), _portfolio_id)
    resolved: dict[tuple[str, str], Programme] = {}
    for (portfolio_key, programme_key), row in firsts.items():
        portfolio = portfolios[portfolio_key]
        programme, conflict = index.match(portfolio.pk, programme_key, programme_key)
        if conflict:
            message = f"Programme: {conflict}"
            conflicts.append(_conflict(row, "programme_code", plan.columns, message))
            continue
        is_new = programme is None
        if programme is None:
            programme = Programme(
                portfolio=portfolio, code=programme_key, name=row.programme_name or programme_key
            )
        values: dict[str, Any] = {"external_id": programme_key}
        if "name" in plan.programme_fields and row.programme_name:
            values["name"] = row.programme_name
        plan.programmes.record(programme, values, is_new=is_new)
        resolved[(portfolio_key, programme_key)] = programme
    return resolved


def _plan_project(
    plan: Plan,
    row: ImportRow,
    portfolios: dict[str, Portfolio],
    programmes: dict[tuple[str, str], Programme],
    index: _Index,
    conflicts: list[RowIssue],
) -> None:
    portfolio = portfolios.get(row.portfolio_key)
    programme = programmes.get((row.portfolio_key, row.programme_key))
    if portfolio is None or (row.programme_key and programme is None):
        return  # its portfolio or programme is in conflict, reported on that one's first row
    project, conflict = index.match(portfolio.pk, row.project_key, row.project_key)
    if conflict:
        conflicts.append(_conflict(row, "project_code", plan.columns, f"Project: {conflict}"))
        return
    values: dict[str, Any] = {
        "external_id": row.project_key,
        "name": row.project_name,
        "baseline_start": row.baseline_start,
        "baseline_finish": row.baseline_finish,
        "programme": programme,
        "forecast_finish": row.forecast_finish,
        "budget": row.budget,
        "forecast_at_completion": row.forecast_at_completion,
    }
    values = {name: value for name, value in values.items() if name in plan.project_fields}
    is_new = project is None
    if project is None:
        project = Project(portfolio=portfolio, code=row.project_key)
    # A forecast the file does not own stays; it must still not fall before the new start.
    forecast = values.get("forecast_finish", project.forecast_finish)
    if forecast is not None and forecast < row.baseline_start:
        conflicts.append(
            _conflict(
                row,
                "start_date",
                plan.columns,
                f"the project's forecast finish {forecast} would fall before this start date.",
            )
        )
        return
    row.action = plan.projects.record(project, values, is_new=is_new)
    plan.rows.append(row)


# -- 5. Writing ----------------------------------------------------------------------------

ProgressCallback = Callable[[int, int], None]


def apply_plan(
    plan: Plan,
    *,
    user: AbstractBaseUser | None,
    reason: str,
    progress: ProgressCallback | None = None,
) -> dict[str, dict[str, int]]:
    """Write a plan (inside the caller's transaction); the audit history is written too."""
    history = {"default_user": user, "default_change_reason": reason}
    total = len(plan.projects.new) + len(plan.projects.changed)
    _report(progress, 0, total)

    bulk_create_with_history(plan.portfolios.new, Portfolio, batch_size=BATCH_SIZE, **history)
    policies = [HealthPolicy(portfolio=portfolio) for portfolio in plan.portfolios.new]
    bulk_create_with_history(policies, HealthPolicy, batch_size=BATCH_SIZE, **history)
    if plan.portfolios.changed:
        bulk_update_with_history(
            plan.portfolios.changed,
            Portfolio,
            sorted(plan.portfolios.changed_fields),
            batch_size=BATCH_SIZE,
            **history,
        )
    # Django copies the pk a related object got since its assignment (a new portfolio's,
    # a new programme's) into the foreign key when bulk_create or bulk_update runs.
    bulk_create_with_history(plan.programmes.new, Programme, batch_size=BATCH_SIZE, **history)
    if plan.programmes.changed:
        bulk_update_with_history(
            plan.programmes.changed,
            Programme,
            sorted(plan.programmes.changed_fields),
            batch_size=BATCH_SIZE,
            **history,
        )
    done = 0
    for batch in _batches(plan.projects.new):
        bulk_create_with_history(batch, Project, batch_size=BATCH_SIZE, **history)
        done += len(batch)
        _report(progress, done, total)
    project_fields = sorted(plan.projects.changed_fields)
    for batch in _batches(plan.projects.changed):
        bulk_update_with_history(batch, Project, project_fields, batch_size=BATCH_SIZE, **history)
        done += len(batch)
        _report(progress, done, total)
    return plan.counts()


def _batches(objs: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(objs), BATCH_SIZE):
        yield objs[start : start + BATCH_SIZE]


def _report(progress: ProgressCallback | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


# -- The job: dry run, commit, progress ----------------------------------------------------


@dataclass
class DryRun:
    parsed: ParsedFile | None
    plan: Plan | None
    problem: str = ""

    @property
    def can_commit(self) -> bool:
        return self.plan is not None and self.plan.can_commit


def import_dry_run(job: ImportJob) -> DryRun:
    """Everything the commit would do, short of writing: counts, rows and errors."""
    try:
        parsed = parse_file(bytes(job.data))
    except FileProblem as exc:
        return DryRun(None, None, str(exc))
    problems = mapping_problems(job.columns, parsed.headers)
    if problems:
        return DryRun(parsed, None, "The column mapping is incomplete: " + _join(problems))
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit)
    return DryRun(parsed, plan_import(rows, job.columns, errors, warnings))


def _join(problems: dict[str, str]) -> str:
    return " ".join(
        f"{TARGETS_BY_KEY[key].label}: {message}" if key in TARGETS_BY_KEY else message
        for key, message in problems.items()
    )


class ImportRejected(Exception):
    """The file cannot be committed as it stands; nothing was written."""

    def __init__(self, message: str, issues: list[RowIssue] | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


def import_job_create(
    *,
    filename: str,
    content: bytes,
    parsed: ParsedFile,
    mapping: ImportMapping | None,
    user_id: int | None,
) -> ImportJob:
    """Keep an uploaded file, already read once, as a draft job awaiting its mapping."""
    return ImportJob.objects.create(
        filename=filename[:255],
        data=content,
        size=len(content),
        file_format=parsed.file_format,
        encoding=parsed.encoding,
        headers=parsed.headers,
        row_count=len(parsed.rows),
        mapping=mapping,
        created_by_id=user_id,
    )


def import_job_set_mapping(
    *,
    job: ImportJob,
    columns: dict[str, str],
    cost_unit: str,
    save_as: str = "",
    user_id: int | None = None,
) -> ImportJob:
    """Record the job's mapping, and save it by name for the next file when asked."""
    with transaction.atomic():
        if save_as:
            job.mapping, _ = ImportMapping.objects.update_or_create(
                name=save_as,
                defaults={"columns": columns, "cost_unit": cost_unit},
                create_defaults={
                    "columns": columns,
                    "cost_unit": cost_unit,
                    "created_by_id": user_id,
                },
            )
        job.columns = columns
        job.cost_unit = cost_unit
        job.save(update_fields=["mapping", "columns", "cost_unit", "updated_at"])
    return job


def import_job_request(*, job: ImportJob) -> bool:
    """Queue a previewed job for a worker; False if it was already queued (a second click)."""
    with transaction.atomic():
        claimed = ImportJob.objects.claim(
            job.pk,
            from_statuses=[ImportJob.Status.DRAFT],
            to_status=ImportJob.Status.PENDING,
            queued_at=timezone.now(),
            progress_done=0,
            progress_total=job.row_count,
        )
        if claimed:
            enqueue_on_commit(RUN_TASK, job.pk)
    return bool(claimed)


def import_job_resend(*, job: ImportJob) -> None:
    """Publish a pending job again (the broker was down); the claim makes a repeat harmless."""
    if job.status == ImportJob.Status.PENDING:
        publish(RUN_TASK, job.pk)


def import_job_run(*, job_id: int) -> None:
    """Commit a pending job's file in one transaction; safe to run twice or concurrently.

    1. Claim the job (pending, or running after a lost worker) with a conditional UPDATE.
    2. In one transaction: lock the job row (a duplicate delivery waits here, then finds
       the job finished), re-read and re-check the file, write it, mark the job done.
    3. Row errors, or a refusal by the database, roll everything back and fail the job.
    """
    claimed = ImportJob.objects.claim(
        job_id,
        from_statuses=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING],
        to_status=ImportJob.Status.RUNNING,
        started_at=timezone.now(),
    )
    if not claimed:
        return
    try:
        with transaction.atomic():
            _serialise_imports()
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.RUNNING:
                return
            _commit(job)
    except ImportRejected as exc:
        _fail(job_id, str(exc), exc.issues)
    except DatabaseError as exc:
        # A constraint the checks did not foresee, or a concurrent edit: nothing was saved.
        logger.warning("Import %s refused by the database: %s", job_id, exc)
        _fail(job_id, f"The database refused the import, so nothing was saved: {exc}")
    except Exception:
        _fail(job_id, "The import failed unexpectedly, so nothing was saved.")
        raise
    finally:
        _forget_progress(job_id)


def _commit(job: ImportJob) -> None:
    try:
        parsed = parse_file(bytes(job.data))
    except FileProblem as exc:
        raise ImportRejected(str(exc)) from None
    problems = mapping_problems(job.columns, parsed.headers)
    if problems:
        raise ImportRejected("The column mapping is incomplete: " + _join(problems))
    _set_progress(job.pk, 0, len(parsed.rows), "Checking rows")
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit)
    plan = plan_import(rows, job.columns, errors, warnings)
    if plan.errors:
        raise ImportRejected(
            f"{len(plan.errors):,} problems in the file; nothing was saved.", plan.errors
        )
    counts = apply_plan(
        plan,
        user=job.created_by,
        reason=f"Import #{job.pk} from {job.filename}"[:100],
        progress=lambda done, total: _set_progress(job.pk, done, total, "Saving projects"),
    )
    job.status = ImportJob.Status.SUCCEEDED
    job.counts = counts
    job.progress_total = job.progress_done = len(plan.rows)
    job.error = ""
    job.row_errors = []
    job.finished_at = timezone.now()
    job.save()


def _serialise_imports() -> None:
    """One import at a time on PostgreSQL, so two cannot both create the same portfolio."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('stationmaster-import'))")


MAX_STORED_ISSUES = 500


def _fail(job_id: int, message: str, issues: list[RowIssue] | None = None) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.FAILED,
        error=message,
        row_errors=[issue.as_dict() for issue in (issues or [])[:MAX_STORED_ISSUES]],
        finished_at=now,
        updated_at=now,
    )


# While the import's transaction is open its writes are invisible to other connections,
# the job row included; progress therefore goes through the cache (Redis in production).
# It is a courtesy: a cache that is down must neither fail the import nor the page.
def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _set_progress(job_id: int, done: int, total: int, stage: str) -> None:
    try:
        cache.set(_progress_key(job_id), {"done": done, "total": total, "stage": stage}, 3600)
    except (RedisError, OSError) as exc:
        logger.warning("Import %s: progress not recorded: %s", job_id, exc)


def _live_progress(job_id: int) -> dict[str, Any] | None:
    try:
        value: dict[str, Any] | None = cache.get(_progress_key(job_id))
    except (RedisError, OSError) as exc:
        logger.warning("Import %s: progress not readable: %s", job_id, exc)
        return None
    return value


def _forget_progress(job_id: int) -> None:
    with contextlib.suppress(RedisError, OSError):  # it expires on its own anyway
        cache.delete(_progress_key(job_id))


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    stage: str

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def import_progress(job: ImportJob) -> Progress:
    if job.status == ImportJob.Status.RUNNING:
        live = _live_progress(job.pk)
        if live:
            return Progress(live["done"], live["total"], live["stage"])
        return Progress(0, job.progress_total, "Starting")
    if job.status == ImportJob.Status.SUCCEEDED:
        return Progress(job.progress_total, job.progress_total, "Done")
    return Progress(job.progress_done, job.progress_total, job.get_status_display())


# Pending for this long, the worker has probably not received the job (broker down).
STALE_PENDING = timedelta(seconds=30)


def is_stale(job: ImportJob, now: datetime | None = None) -> bool:
    queued = job.queued_at or job.created_at
    return job.status == ImportJob.Status.PENDING and (now or timezone.now()) - queued > (
        STALE_PENDING
    )


def pending_jobs_to_resend(now: datetime | None = None) -> list[int]:
    cutoff = (now or timezone.now()) - STALE_PENDING
    return list(
        ImportJob.objects.filter(status=ImportJob.Status.PENDING, queued_at__lt=cutoff)
        .order_by("queued_at")
        .values_list("pk", flat=True)
    )
