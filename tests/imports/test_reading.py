"""Reading real returns: encodings, delimiters, line endings, workbooks, repeated headers,
the PMO's overrides, and the rows read by the mapping's conventions (issue 13)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from portfolio.imports.cleaning import clean_rows
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import ReadingOptions, reading_options_of
from portfolio.imports.reading import FileProblem, parse_file
from portfolio.imports.services import (
    import_job_create,
    import_job_reread,
    import_job_set_mapping,
)
from tests.conftest import Cast
from tests.imports import messy_files
from tests.imports.messy_files import HEADERS, csv_file, return_rows, xlsx_file

MESSY_COLUMNS = {
    "portfolio_code": "Dept code",
    "portfolio_name": "Department",
    "project_code": "Project code",
    "project_name": "Project name",
    "start_date": "Start date",
    "finish_date": "Finish date",
    "planned_cost": "Budget",
}
DAY_FIRST_COMMA = ReadingOptions(date_convention="dmy", money_locale="comma")

# -- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "bom", "name"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8"),
        ("cp1252", False, "Windows-1252"),
        ("utf-16", False, "UTF-16"),
    ],
)
def test_each_encoding_excel_writes_is_detected_and_read_exactly(
    encoding: str, bom: bool, name: str
) -> None:
    parsed = parse_file(csv_file(encoding=encoding, bom=bom, delimiter="\t"))
    assert parsed.encoding == name
    assert parsed.headers[0] == "Department"
    assert parsed.rows[0].cells[3] == "Café link – phase 1"
    assert parsed.rows[1].cells[3] == "Müller bridge"


def test_a_byte_windows_1252_leaves_undefined_makes_the_file_latin_1() -> None:
    parsed = parse_file(messy_files.latin_1_file())
    assert parsed.encoding == "Latin-1 (ISO-8859-1)"
    assert parsed.rows[0].cells[:2] == ["Ærø", "AER"]


def test_a_forced_encoding_that_cannot_read_the_bytes_says_to_choose_another() -> None:
    with pytest.raises(FileProblem, match=r"cannot be read as UTF-8.*Choose another encoding"):
        parse_file(csv_file(encoding="cp1252"), encoding="utf-8")


def test_a_forced_encoding_reads_the_file_as_told() -> None:
    parsed = parse_file(csv_file(encoding="cp1252"), encoding="latin-1")
    assert parsed.encoding == "Latin-1 (ISO-8859-1)"
    assert parsed.rows[0].cells[3] == "Café link \x96 phase 1"  # the dash is cp1252's


# -- delimiters, line endings, multi-line cells --------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed_even_when_cells_hold_commas(delimiter: str) -> None:
    parsed = parse_file(csv_file(delimiter=delimiter))
    assert parsed.delimiter == delimiter
    assert parsed.headers == [*HEADERS[:8], "Rating (2)"]
    assert parsed.rows[0].cells[6] == "1.234.567,89 €"


def test_a_forced_delimiter_reads_the_file_as_told() -> None:
    parsed = parse_file(csv_file(delimiter=","), delimiter=";")
    assert parsed.delimiter == ";"
    assert parsed.headers == [",".join(HEADERS)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "mixed"])
def test_cr_lf_and_mixed_line_endings_give_the_same_rows(newline: str) -> None:
    parsed = parse_file(csv_file(newline=newline))
    assert [row.cells for row in parsed.rows] == return_rows()


def test_a_quoted_cell_over_two_lines_stays_one_cell_of_one_row() -> None:
    parsed = parse_file(csv_file(newline="\r\n"))
    assert len(parsed.rows) == 3
    assert parsed.rows[2].cells[3] == "Line\nwith two lines"
    assert parsed.rows[2].number == 4


# -- workbooks -----------------------------------------------------------------------------


def test_merged_title_rows_above_the_header_are_skipped_and_said() -> None:
    parsed = parse_file(xlsx_file(title_rows=["Major projects", "Department for Transport"]))
    assert parsed.header_row == 4
    assert parsed.headers[:3] == ["Department", "Dept code", "Project code"]
    assert [row.number for row in parsed.rows] == [5, 6, 7]
    assert "The column headers are on row 4" in " ".join(parsed.notes)


def test_title_lines_above_a_csv_header_are_skipped_too() -> None:
    data = b"Annual return 2024\n\n" + csv_file()
    parsed = parse_file(data)
    assert parsed.header_row == 3
    assert parsed.rows[0].cells[2] == "HS-001"


def test_the_first_sheet_with_a_table_is_read_by_default() -> None:
    parsed = parse_file(messy_files.workbook_with_notes_first())
    assert parsed.sheet == "2023"
    assert parsed.sheets == ["Notes", "2023", "2024"]
    assert len(parsed.rows) == 2


def test_the_sheet_the_pmo_chooses_is_read() -> None:
    parsed = parse_file(messy_files.workbook_with_notes_first(), sheet="2024")
    assert parsed.sheet == "2024"
    assert len(parsed.rows) == 3


def test_a_sheet_the_workbook_lacks_is_refused_naming_the_sheets_it_has() -> None:
    with pytest.raises(FileProblem, match="no sheet “2025”; its sheets are “Notes”, “2023”"):
        parse_file(messy_files.workbook_with_notes_first(), sheet="2025")


# -- repeated headers ----------------------------------------------------------------------


def test_a_repeated_header_is_renamed_not_refused() -> None:
    parsed = parse_file(b"Code,Rating,rating,Rating,Rating (2)\nA,G,,R,x\n")
    # "Rating (2)" is the file's own name for the last column, so the copies skip it.
    assert parsed.headers == ["Code", "Rating", "rating (3)", "Rating (4)", "Rating (2)"]
    assert parsed.renamed == [("rating", "rating (3)"), ("Rating", "Rating (4)")]
    assert "The header “rating” appears more than once: read as “rating (3)”." in parsed.notes


# -- rows read by the mapping's conventions ------------------------------------------------


def test_a_day_first_continental_return_reads_without_errors_and_says_what_it_assumed() -> None:
    parsed = parse_file(messy_files.windows_1252_semicolon_day_first())
    rows, errors, warnings = clean_rows(parsed, MESSY_COLUMNS, "units", DAY_FIRST_COMMA)
    assert errors == []
    first, second, third = rows
    assert (first.baseline_start, first.baseline_finish) == (date(2008, 6, 30), date(2040, 12, 31))
    assert first.budget == Decimal("1234567.89")
    assert (second.baseline_start, second.baseline_finish) == (date(1997, 4, 1), date(2005, 3, 31))
    assert (third.baseline_start, third.baseline_finish) == (date(2024, 9, 30), date(2026, 12, 31))
    notes = [f"{w.row} {w.column}: {w.message}" for w in warnings]
    assert "4 Start date: Q3 2024 is read as its last day, 30 Sep 2024." in notes
    assert "4 Finish date: the year 2026 is read as 31 Dec 2026." in notes
    assert any(n.startswith("3 Budget: 'Exempt under Section 43' means unknown") for n in notes)


def test_a_placeholder_is_unknown_never_an_error_nor_a_value() -> None:
    for word in messy_files.PLACEHOLDER_CELLS:
        rows_in = [["D", "D", "P-1", "Name", "2024-01-01", "2024-12-31", word, "", ""]]
        parsed = parse_file(csv_file(rows_in))
        rows, errors, _ = clean_rows(parsed, MESSY_COLUMNS, "units", ReadingOptions())
        assert errors == [], word
        assert rows[0].budget is None


def test_every_failing_field_of_a_row_is_reported_at_once() -> None:
    rows_in = [["D", "D", "P-1", "", "31/31/2024", "soon", "12 apples", "", ""]]
    parsed = parse_file(csv_file(rows_in))
    _, errors, _ = clean_rows(parsed, MESSY_COLUMNS, "units", DAY_FIRST_COMMA)
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "Finish date", "soon"),
        (2, "Budget", "12 apples"),
        (2, "Project name", ""),
        (2, "Start date", "31/31/2024"),
    ]
    assert all(e.message for e in errors)


def test_a_field_is_fed_by_the_first_of_its_columns_that_holds_a_value() -> None:
    """The layout changed mid-year: the start date moved to another column."""
    headers = [*HEADERS[:4], "Start date", "Start (new)", "Finish date", "Budget"]
    rows_in = [
        ["D", "D", "P-1", "Old layout", "2024-01-01", "", "2024-12-31", "1"],
        ["D", "D", "P-2", "New layout", "N/A", "2024-02-01", "2024-12-31", "1"],
    ]
    parsed = parse_file(csv_file(rows_in, headers=headers))
    options = ReadingOptions(extra_columns={"start_date": ["Start (new)"]})
    rows, errors, _ = clean_rows(parsed, MESSY_COLUMNS, "units", options)
    assert errors == []
    assert [row.baseline_start for row in rows] == [date(2024, 1, 1), date(2024, 2, 1)]


def test_an_issue_names_the_extra_column_its_value_came_from() -> None:
    headers = [*HEADERS[:4], "Start date", "Start (new)", "Finish date", "Budget"]
    rows_in = [["D", "D", "P-2", "New", "", "2024-13-01", "2024-12-31", "1"]]
    parsed = parse_file(csv_file(rows_in, headers=headers))
    options = ReadingOptions(extra_columns={"start_date": ["Start (new)"]})
    _, errors, _ = clean_rows(parsed, MESSY_COLUMNS, "units", options)
    assert [(e.column, e.value) for e in errors] == [("Start (new)", "2024-13-01")]


# -- the PMO's overrides, on the job -------------------------------------------------------


def test_reading_a_job_again_with_another_delimiter_changes_its_headers(db: None) -> None:
    data = csv_file(delimiter=",")
    misread = parse_file(data, delimiter=";")
    job = import_job_create(
        filename="r.csv", content=data, parsed=misread, mapping=None, user_id=None
    )
    import_job_reread(job=job, encoding="", delimiter=",", sheet="")
    job.refresh_from_db()
    assert job.headers == [*HEADERS[:8], "Rating (2)"]
    assert job.reading["delimiter"] == ","


def test_the_mapping_page_shows_what_was_detected_and_reads_again_as_told(cast: Cast) -> None:
    data = messy_files.windows_1252_semicolon_day_first()
    job = import_job_create(
        filename="r.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    client = cast.client_for(cast.pmo)
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "read it as Windows-1252" in page
    assert "Columns are separated by: semicolon (;)." in page
    assert "Two-digit years: 00–68 are read as 2000–2068, 69–99 as 1969–1999." in page
    form = client.get(reverse("imports:mapping", args=[job.pk])).context["form"]
    assert (form.initial["date_convention"], form.initial["money_locale"]) == ("dmy", "comma")

    client.post(reverse("imports:read-as", args=[job.pk]), {"encoding": "latin-1"})
    job.refresh_from_db()
    assert job.encoding == "Latin-1 (ISO-8859-1)"
    assert job.reading["encoding"] == "latin-1"


def test_a_failed_reread_leaves_the_job_as_it_was_and_says_why(cast: Cast) -> None:
    data = csv_file(encoding="cp1252")
    job = import_job_create(
        filename="r.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    client = cast.client_for(cast.pmo)
    response = client.post(
        reverse("imports:read-as", args=[job.pk]), {"encoding": "utf-8"}, follow=True
    )
    assert "cannot be read as UTF-8" in response.content.decode()
    job.refresh_from_db()
    assert job.encoding == "Windows-1252"
    assert job.reading == {}


def test_an_encoding_with_a_long_name_is_kept_on_the_job(db: None) -> None:
    data = csv_file(encoding="cp1252")
    job = import_job_create(
        filename="r.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    import_job_reread(job=job, encoding="cp1250", delimiter="", sheet="")
    job.refresh_from_db()
    assert job.encoding == "Windows-1250 (Central European)"


def test_a_saved_mapping_reads_the_next_file_with_its_options(cast: Cast) -> None:
    data = messy_files.windows_1252_semicolon_day_first()
    job = import_job_create(
        filename="2023.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    client = cast.client_for(cast.pmo)
    form = {
        **MESSY_COLUMNS,
        "start_date__also": ["Finish date"],
        "cost_unit": "thousands",
        "date_convention": "dmy",
        "two_digit_pivot": "50",
        "money_locale": "comma",
        "placeholders": "Withheld\nExempt*",
        "save_as": "Yearly return",
    }
    client.post(reverse("imports:read-as", args=[job.pk]), {"encoding": "cp1252"})
    client.post(reverse("imports:mapping", args=[job.pk]), form)
    mapping = ImportMapping.objects.get(name="Yearly return")

    upload = io.BytesIO(data)
    upload.name = "2024.csv"
    client.post(reverse("imports:new"), {"file": upload, "mapping": mapping.pk})
    second = ImportJob.objects.get(filename="2024.csv")
    options = reading_options_of(second)
    assert options.encoding == "cp1252"
    assert (options.date_convention, options.two_digit_pivot) == ("dmy", 50)
    assert options.money_locale == "comma"
    assert options.placeholders == ("Withheld", "Exempt*")
    assert options.extra_columns == {"start_date": ["Finish date"]}
    initial = client.get(reverse("imports:mapping", args=[second.pk])).context["form"].initial
    assert (initial["cost_unit"], initial["start_date__also"]) == ("thousands", ["Finish date"])


def test_a_mapping_saved_before_reading_options_reads_as_it_did(db: None) -> None:
    mapping = ImportMapping.objects.create(name="Old", columns={}, cost_unit="millions")
    assert reading_options_of(mapping) == ReadingOptions(cost_unit="millions")


def test_a_placeholder_in_a_required_field_is_named_as_such() -> None:
    rows_in = [["D", "D", "P-1", "TBD", "2024-01-01", "2024-12-31", "1", "", ""]]
    _, errors, _ = clean_rows(parse_file(csv_file(rows_in)), MESSY_COLUMNS, "units")
    assert [(e.column, e.value, e.message) for e in errors] == [
        ("Project name", "TBD", "is 'TBD', a placeholder word meaning unknown; a value is needed.")
    ]


def test_the_preview_lists_each_problems_value(cast: Cast) -> None:
    rows_in = [["D", "D", "P-1", "Name", "31/31/2024", "2024-12-31", "1", "", ""]]
    data = csv_file(rows_in)
    job = import_job_create(
        filename="r.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    import_job_set_mapping(job=job, columns=MESSY_COLUMNS, cost_unit="units")
    page = cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk]))
    assert "<code>31/31/2024</code>" in page.content.decode()


def test_the_pmo_can_choose_tab_as_the_delimiter_on_the_page(cast: Cast) -> None:
    data = csv_file(delimiter="\t")
    job = import_job_create(
        filename="r.tsv",
        content=data,
        parsed=parse_file(data, delimiter=","),
        mapping=None,
        user_id=None,
    )
    client = cast.client_for(cast.pmo)
    client.post(reverse("imports:read-as", args=[job.pk]), {"delimiter": "\\t"})
    job.refresh_from_db()
    assert job.reading["delimiter"] == "\t"
    assert job.headers[:2] == ["Department", "Dept code"]
