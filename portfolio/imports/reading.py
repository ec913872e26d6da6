"""Stage 1, reading: an uploaded file's bytes -> a header and rows of text.

CSV (UTF-8, else what Excel writes; the delimiter Excel's locale chose) and XLSX (the first
worksheet) are read to the same `ParsedFile`; whatever is not a readable CSV or XLSX
(empty, binary, too big, too many rows or columns, a zip bomb) raises `FileProblem` saying
why. The header goes on to `columns` to be mapped, the rows to `cleaning`.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from portfolio.imports.models import ImportJob

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An XLSX is a zip: a small file can inflate enormously. Refuse before openpyxl reads it.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200


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
