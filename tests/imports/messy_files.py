"""Portfolio returns as real departments send them, made here (issue 13's list of traits).

Every reading trait has a maker: encodings (UTF-8 with and without BOM, Windows-1252,
Latin-1, UTF-16 from Excel), delimiters, CR / LF / mixed line endings, quoted cells over
several lines, workbooks with merged title rows and several sheets, every date and money
form, placeholder words, repeated headers, and a field spread over two columns. The
expected values sit beside the texts, so a test reads a file and compares.
"""

from __future__ import annotations

import codecs
import io
from datetime import date
from decimal import Decimal

import openpyxl

HEADERS = [
    "Department",
    "Dept code",
    "Project code",
    "Project name",
    "Start date",
    "Finish date",
    "Budget",
    "Rating",
    "Rating",
]

# (text, convention, the date it means)
DATE_FORMS: list[tuple[str, str, date]] = [
    ("2024-06-30", "iso", date(2024, 6, 30)),
    ("30.06.08", "dmy", date(2008, 6, 30)),
    ("30/06/2008", "dmy", date(2008, 6, 30)),
    ("31.12.2040", "dmy", date(2040, 12, 31)),
    ("06/30/2008", "mdy", date(2008, 6, 30)),
    ("July 31, 2022", "mdy", date(2022, 7, 31)),
    ("31 July 2022", "dmy", date(2022, 7, 31)),
    ("Q3 2024", "iso", date(2024, 9, 30)),
    ("2024", "dmy", date(2024, 12, 31)),
    ("45473", "dmy", date(2024, 6, 30)),
    ("01.04.97", "dmy", date(1997, 4, 1)),  # two-digit years meaning 19xx and 20xx
    ("01.04.05", "dmy", date(2005, 4, 1)),
]
# (text, money locale, the amount it means before the column's unit, scale given?)
MONEY_FORMS: list[tuple[str, str, Decimal, bool]] = [
    ("£12,343.96", "dot", Decimal("12343.96"), False),
    ("$2,812,101", "dot", Decimal("2812101"), False),
    ("1.234.567,89 €", "comma", Decimal("1234567.89"), False),
    ("12.3m", "dot", Decimal("12300000"), True),
    ("(1,200)", "dot", Decimal("-1200"), False),
    ("-1 200,50", "comma", Decimal("-1200.50"), False),
    ("450k", "dot", Decimal("450000"), True),
    ("GBP 1,000", "dot", Decimal("1000"), False),
]
PLACEHOLDER_CELLS = [
    "Exempt",
    "Exempt under Section 43",
    "not provided",
    "TBD",
    "To be determined",
    "N/A",
    "n/a",
    "-",
    "\u2014",
    "",
]


def return_rows() -> list[list[str]]:
    """Rows of a yearly return in HEADERS' order: day-first dates, continental money, a
    rating given in the first "Rating" column early in the year and the second later."""
    return [
        ["Dept for Transport", "DFT", "HS-001", "Café link – phase 1", "30.06.08", "31.12.2040",
         "1.234.567,89 €", "Amber", ""],
        ["Dept for Transport", "DFT", "HS-002", "Müller bridge", "01.04.97", "31.03.05",
         "Exempt under Section 43", "", "Green"],
        ["Dept for Transport", "DFT", "HS-003", "Line\nwith two lines", "Q3 2024", "2026",
         "TBD", "", "Red"],
    ]  # fmt: skip


def csv_file(
    rows: list[list[str]] | None = None,
    *,
    headers: list[str] | None = None,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
    newline: str = "\n",
) -> bytes:
    """A CSV as a spreadsheet writes it; `newline="mixed"` alternates CRLF, LF and CR."""
    lines = [headers or HEADERS, *(rows if rows is not None else return_rows())]
    text = ""
    endings = ["\r\n", "\n", "\r"] if newline == "mixed" else [newline]
    for index, cells in enumerate(lines):
        text += delimiter.join(_quote(cell, delimiter) for cell in cells)
        text += endings[index % len(endings)]
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    data = text.encode(encoding)
    return codecs.BOM_UTF8 + data if bom else data


def _quote(cell: str, delimiter: str) -> str:
    if any(mark in cell for mark in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def windows_1252_semicolon_day_first() -> bytes:
    """The browser test's file: Excel's CSV in a continental locale on Windows."""
    return csv_file(encoding="cp1252", delimiter=";", newline="\r\n")


def latin_1_file() -> bytes:
    """Latin-1 text with a byte (0x81) that Windows-1252 leaves undefined."""
    return csv_file([["Ærø", "AER", "P-1", "Ångström\x81", "2024-01-31", "2024-12-31", "1",
                      "", ""]], encoding="latin-1")  # fmt: skip


def xlsx_file(
    sheets: dict[str, list[list[object]]] | None = None,
    *,
    title_rows: list[str] | None = None,
) -> bytes:
    """A workbook; `title_rows` go above the table of every sheet that has two columns or
    more, merged across it, then a blank row."""
    sheets = sheets if sheets is not None else {"Return": [HEADERS, *return_rows()]}
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        width = max(len(row) for row in rows)
        if title_rows and width > 1:
            for title in title_rows:
                sheet.append([title])
                row = sheet.max_row
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            sheet.append([])
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workbook_with_notes_first() -> bytes:
    """A cover sheet of notes, then two years' returns: the first table is "2023"."""
    return xlsx_file(
        {
            "Notes": [["About this return"], ["Figures in £"], ["Exempt: Section 43"]],
            "2023": [HEADERS, *return_rows()[:2]],
            "2024": [HEADERS, *return_rows()],
        },
        title_rows=["Government Major Projects Portfolio", "Annual report 2024"],
    )
