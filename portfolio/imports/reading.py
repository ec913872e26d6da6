"""Stage 1, reading: an uploaded file's bytes -> a header and rows of text.

CSV and XLSX are read to the same `ParsedFile`; whatever is not a readable CSV or XLSX
(empty, binary, too big, too many rows or columns, a zip bomb) raises `FileProblem` saying
why. The header goes on to `columns` to be mapped, the rows to `cleaning`.

- Encoding. A byte-order mark decides (UTF-8, UTF-16 as Excel writes it); else text that is
  valid UTF-8 is UTF-8; else charset-normalizer chooses between Windows-1252 and Latin-1
  (the single-byte encodings spreadsheets write in the languages we serve: a wider search
  guesses Baltic or Cyrillic code pages for short Western text). Latin-1 reads any byte,
  so it is the last resort. The PMO can name another encoding on the mapping page.
- Delimiter: Python's csv sniffer among `,` `;` tab `|`, else the commonest of them.
  CR, LF and CRLF line endings, mixed in one file, and quoted cells spanning lines are read
  by the csv module itself.
- Workbooks: the sheet the PMO names, else the first sheet that has a header row.
- Header row: title lines above the table (a merged title, a department name, blank rows)
  are skipped: the header is the first row at least half as full as the fullest of the
  first rows, with two cells or more.
- A repeated header name is renamed on read ("Rating", "Rating (2)"), so both columns can
  be mapped.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain

from charset_normalizer import from_bytes

from portfolio.imports.models import ImportJob

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# An XLSX is a zip: a small file can inflate enormously. Refuse before openpyxl reads it.
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
TITLE_ROWS_SCANNED = 30  # the header is looked for among this many first non-blank rows

# Python codec -> the name the PMO reads; the override choices of the mapping page.
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "iso8859-15": "Latin-9 (ISO-8859-15)",
    "cp1250": "Windows-1250 (Central European)",
    "mac-roman": "Mac Roman",
}
DELIMITERS: dict[str, str] = {
    ",": "Comma (,)",
    ";": "Semicolon (;)",
    "\t": "Tab",
    "|": "Vertical bar (|)",
}


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
    delimiter: str = ""  # a CSV's
    sheet: str = ""  # the worksheet read, and the workbook's sheets
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (as written, as read)

    @property
    def encoding_note(self) -> str:
        if self.file_format == ImportJob.Format.XLSX:
            return f"Read the worksheet \u201c{self.sheet}\u201d of the Excel workbook."
        if self.encoding == "UTF-8":
            return "Read as UTF-8 text."
        return f"The file is not UTF-8: read it as {self.encoding}. Check accented letters."

    @property
    def delimiter_name(self) -> str:
        return DELIMITERS.get(self.delimiter, repr(self.delimiter))

    @property
    def notes(self) -> list[str]:
        """What reading decided, in the PMO's words, for the mapping page."""
        notes = [self.encoding_note]
        if self.file_format == ImportJob.Format.CSV:
            notes.append(f"Columns are separated by: {self.delimiter_name.lower()}.")
        if self.header_row > 1:
            notes.append(
                f"The column headers are on row {self.header_row}; the rows above are "
                "skipped as titles."
            )
        notes += [
            f"The header \u201c{written}\u201d appears more than once: read as \u201c{read}\u201d."
            for written, read in self.renamed
        ]
        return notes


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


def parse_file(
    data: bytes, *, encoding: str = "", delimiter: str = "", sheet: str = ""
) -> ParsedFile:
    """Read an uploaded file into a header and rows of text; raise FileProblem if we can't.

    `encoding`, `delimiter` and `sheet` override what would be detected ("" detects).
    """
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
        return _parse_xlsx(data, sheet)
    return _parse_csv(data, encoding, delimiter.replace("\\t", "\t"))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _decode(data: bytes, forced: str) -> tuple[str, str]:
    """Text and the name of the encoding used: the one forced, else the one detected."""
    if forced:
        codec = "utf-8-sig" if forced == "utf-8" else forced
        try:
            return data.decode(codec), ENCODINGS.get(forced, forced)
        except (UnicodeDecodeError, LookupError):
            raise FileProblem(
                f"The file cannot be read as {ENCODINGS.get(forced, forced)}: it has bytes "
                "that encoding does not use. Choose another encoding."
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "UTF-16"
    if b"\x00" in data[:65536]:
        # Text files have no NUL bytes; whatever this is, reading it as text would be noise.
        raise FileProblem("This is not a CSV or Excel (.xlsx) file: it contains binary data.")
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["cp1252", "latin_1"]).best()
    codec = "cp1252" if best is not None and best.encoding == "cp1252" else "latin-1"
    try:
        return data.decode(codec), ENCODINGS[codec]
    except UnicodeDecodeError:
        # A byte Windows-1252 leaves undefined, past the part the detector sampled.
        return data.decode("latin-1"), ENCODINGS["latin-1"]


def _sniff_delimiter(text: str) -> str:
    """The csv sniffer's choice among , ; tab |, else the commonest of them in the sample."""
    sample = text[:65536]
    if len(text) > len(sample):
        sample = sample[: max(sample.rfind("\n"), sample.rfind("\r"), 1)]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", ";", "\t", "|")}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _parse_csv(data: bytes, encoding: str, delimiter: str) -> ParsedFile:
    text, encoding_name = _decode(data, encoding)
    if "\x00" in text:
        raise FileProblem("This is not a CSV or Excel (.xlsx) file: it contains binary data.")
    delimiter = delimiter or _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _table(ImportJob.Format.CSV, encoding_name, enumerate(reader, start=1))
    except csv.Error as exc:
        raise FileProblem(f"Row {reader.line_num} cannot be read as CSV: {exc}.") from None
    return dataclasses.replace(table, delimiter=delimiter)


def _parse_xlsx(data: bytes, sheet_name: str) -> ParsedFile:
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
        names = list(workbook.sheetnames)
        if sheet_name and sheet_name not in names:
            raise FileProblem(
                f"The workbook has no sheet \u201c{sheet_name}\u201d; its sheets are "
                + ", ".join(f"\u201c{name}\u201d" for name in names)
                + "."
            )
        chosen = sheet_name or _first_sheet_with_header(workbook)
        table = _table(ImportJob.Format.XLSX, "", _sheet_rows(workbook[chosen]))
        return dataclasses.replace(table, sheet=chosen, sheets=names)
    finally:
        workbook.close()


def _sheet_rows(sheet: object) -> Iterator[tuple[int, list[str]]]:
    values = sheet.iter_rows(values_only=True)  # type: ignore[attr-defined]
    for number, cells in enumerate(values, start=1):
        yield number, [_cell_text(value) for value in cells]


def _first_sheet_with_header(workbook: object) -> str:
    """The first sheet with a table on it: a cover or notes sheet holds one column of text."""
    names: list[str] = workbook.sheetnames  # type: ignore[attr-defined]
    for name in names:
        first_rows = _first_rows(_sheet_rows(workbook[name]))  # type: ignore[index]
        if _header_position(first_rows) is not None:
            return name
    return names[0]


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


def _first_rows(lines: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The first non-blank rows, where a header below title rows would be."""
    rows: list[tuple[int, list[str]]] = []
    for number, cells in lines:
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
            if len(rows) >= TITLE_ROWS_SCANNED:
                break
    return rows


def _header_position(rows: list[tuple[int, list[str]]]) -> int | None:
    """Index of the header row: the first at least half as full as the fullest, 2+ cells."""
    counts = [sum(1 for cell in cells if cell.strip()) for _, cells in rows]
    widest = max(counts, default=0)
    for index, count in enumerate(counts):
        if count >= 2 and count * 2 >= widest:
            return index
    return None


def _table(file_format: str, encoding: str, lines: Iterable[tuple[int, list[str]]]) -> ParsedFile:
    """Header and rows from raw lines: skips titles and blank lines, pads short rows, bounds
    the size."""
    lines = iter(lines)
    first_rows = _first_rows(lines)
    if not first_rows:
        raise FileProblem("The file is empty.")
    position = _header_position(first_rows) or 0
    header_row, header_cells = first_rows[position]
    headers, renamed = _headers(header_cells)
    rows: list[RawRow] = []
    for number, cells in chain(first_rows[position + 1 :], lines):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(
                f"The file has more than {MAX_ROWS:,} rows; split it into smaller files."
            )
        width = len(headers)
        overflow = any(cell.strip() for cell in cells[width:])
        rows.append(RawRow(number, (cells + [""] * width)[:width], overflow))
    if not rows:
        raise FileProblem("The file has a header row but no data rows.")
    return ParsedFile(file_format, encoding, headers, rows, header_row=header_row, renamed=renamed)


def _headers(cells: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The header names, a repeated one renamed "Name (2)"; and the renamings."""
    names = [" ".join(cell.split()) for cell in cells]
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise FileProblem(f"The file has {len(names)} columns; at most {MAX_COLUMNS} are read.")
    names = [name or f"Column {index}" for index, name in enumerate(names, start=1)]
    taken = {name.casefold() for name in names}
    seen: set[str] = set()
    headers: list[str] = []
    renamed: list[tuple[str, str]] = []
    for name in names:
        read = name
        if name.casefold() in seen:
            copy = 2
            while f"{name} ({copy})".casefold() in taken:
                copy += 1
            read = f"{name} ({copy})"
            taken.add(read.casefold())
            renamed.append((name, read))
        seen.add(read.casefold())
        headers.append(read)
    return headers, renamed
