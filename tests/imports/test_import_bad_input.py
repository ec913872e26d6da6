"""Bad input: each gets a clear message naming the row and field, nothing is half-saved, and
no page answers 500."""

from __future__ import annotations

import codecs
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portfolio.imports import reading
from portfolio.imports.columns import TARGETS
from portfolio.imports.models import ImportJob
from portfolio.imports.planning import import_dry_run
from portfolio.imports.reading import MAX_UPLOAD_BYTES, FileProblem, parse_file
from projects.models import Project
from tests.conftest import Cast
from tests.imports.test_import import (
    MILLIONS,
    US_COLUMNS,
    commit,
    csv_bytes,
    imported_counts,
    make_job,
    row_messages,
)

GOOD = {
    "Agency_Code": "5",
    "Agency_Name": "Department of Agriculture",
    "Unique_Investment_Identifier": "005-000001723",
    "Investment_Title": "AMS Infrastructure WAN and DMZ (AMSWAN)",
    "Project_ID": "657",
    "Project_Name": "Virtualization",
    "Start_Date": "2011-10-01",
    "Cost_Variance": "0.0",
    "PlannedCost": "0.179",
    "Planned_Duration": "182.0",
    "Project_delay": "0.0",
}


def rows_file(*changes: dict[str, str], encoding: str = "utf-8") -> bytes:
    """A small file in the US layout: one good row per change, with the change applied."""
    rows = [GOOD | {"Project_ID": str(1000 + i)} | change for i, change in enumerate(changes)]
    return csv_bytes(rows, encoding)


def errors_of(data: bytes, columns: dict[str, str] = US_COLUMNS) -> list[str]:
    return row_messages(make_job(data, columns=columns))


def _upload(client: Client, data: bytes, name: str = "portfolio.csv") -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("imports:new"), {"file": upload})


# -- hostile strings -----------------------------------------------------------------------


def test_html_in_names_is_stored_as_typed_and_shown_escaped(cast: Cast) -> None:
    script = "<script>alert('x')</script>"
    job = make_job(rows_file({"Project_Name": script, "Investment_Title": "<b>bold</b>"}))
    page = cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk]))
    html = page.content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html

    commit(job)
    assert Project.objects.get(external_id="1000").name == script


@pytest.mark.parametrize(
    "formula", ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1:A9)"]
)
def test_spreadsheet_formulas_are_stored_as_plain_text(cast: Cast, formula: str) -> None:
    job = commit(make_job(rows_file({"Project_Name": formula})))
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Project.objects.get(external_id="1000").name == formula


def test_control_characters_in_a_name_are_a_row_error(db: None) -> None:
    assert errors_of(rows_file({}, {"Project_Name": "bell\x07name"})) == [
        "row 3 Project name: contains control characters (such as NUL); remove them."
    ]


def test_a_name_over_200_characters_is_a_row_error(db: None) -> None:
    assert errors_of(rows_file({"Project_Name": "x" * 201})) == [
        "row 2 Project name: is 201 characters long; the limit is 200."
    ]


def test_a_project_code_over_64_characters_is_a_row_error(db: None) -> None:
    assert errors_of(rows_file({"Project_ID": "P" * 65})) == [
        "row 2 Project code (external id): is 65 characters long; the limit is 64."
    ]


def test_an_empty_required_cell_is_a_row_error(db: None) -> None:
    assert errors_of(rows_file({"Project_Name": "  "})) == ["row 2 Project name: is empty."]


def test_values_beyond_the_last_named_column_are_a_row_error(db: None) -> None:
    data = rows_file({}) + b"5,Dept,005-1,Title,1002,Name,2011-01-01,0,1,1,0,EXTRA\n"
    messages = errors_of(data)
    assert messages == ["row 3 : has values to the right of the last named column."]


# -- numbers -------------------------------------------------------------------------------


def test_a_cost_beyond_the_money_field_is_a_row_error(db: None) -> None:
    # 1,000,000 millions is a trillion dollars: one cent beyond DecimalField(14, 2).
    assert errors_of(rows_file({"PlannedCost": "1000000"})) == [
        "row 2 Planned cost: '1000000' is 1,000,000,000,000.00 after the cost unit, beyond "
        "the largest amount stored (999,999,999,999.99)."
    ]


@pytest.mark.parametrize("value", ["1e400", "99999999999999999999"])
def test_an_absurdly_large_number_is_a_row_error(db: None, value: str) -> None:
    assert errors_of(rows_file({"PlannedCost": value})) == [
        f"row 2 Planned cost: '{value}' is far too large."
    ]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "one", "1,2,3", "12 apples"])
def test_text_that_is_not_an_amount_is_a_row_error(db: None, value: str) -> None:
    [message] = errors_of(rows_file({"PlannedCost": value}))
    assert message.startswith(f"row 2 Planned cost: {value!r} is not an amount")


@pytest.mark.parametrize(
    ("value", "budget"),
    [("$1.5", "1500000.00"), ("1,234.5", "1234500000.00"), ("1.5m", "1500000.00")],
)
def test_currency_signs_separators_and_scales_are_read_in_the_cost_unit(
    db: None, value: str, budget: str
) -> None:
    job = make_job(rows_file({"PlannedCost": value, "Cost_Variance": ""}), columns=US_COLUMNS)
    plan = import_dry_run(job).plan
    assert plan is not None and not plan.errors
    assert str(plan.rows[0].budget) == budget


def test_a_negative_cost_is_a_row_error(db: None) -> None:
    assert errors_of(rows_file({}, {"PlannedCost": "-3"})) == [
        "row 3 Planned cost: '-3' is negative; a cost cannot be."
    ]


def test_a_variance_above_the_planned_cost_is_a_row_error(db: None) -> None:
    [message] = errors_of(rows_file({"PlannedCost": "1", "Cost_Variance": "2"}))
    assert message.startswith("row 2 Cost variance: gives a negative forecast cost (-1,000,000.00)")


def test_an_empty_planned_cost_leaves_the_budget_unknown_with_a_warning(db: None) -> None:
    plan = import_dry_run(make_job(rows_file({"PlannedCost": "", "Cost_Variance": ""}))).plan
    assert plan is not None and not plan.errors
    assert plan.rows[0].budget is None
    assert [w.message for w in plan.warnings] == ["is empty: the budget is left unknown."]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "-5 days cannot be negative."),
        ("10.5", "10.5 is not a whole number of days."),
        ("100000", "100000 days is more than a hundred years."),
    ],
)
def test_a_bad_duration_is_a_row_error(db: None, value: str, message: str) -> None:
    assert errors_of(rows_file({"Planned_Duration": value})) == [
        f"row 2 Planned duration (days): {message}"
    ]


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2023-02-30", "is not a real date (there is no such month or day)."),
        ("2023-13-01", "is not a real date (there is no such month or day)."),
        ("next week", "is not a date; write it as 2008-06-30 or choose its convention."),
        (
            "31/12/2023",
            "is not an ISO date (YYYY-MM-DD): choose day first or month first as this "
            "column's date convention.",
        ),
    ],
)
def test_a_date_that_is_not_a_real_date_in_the_convention_is_a_row_error(
    db: None, value: str, reason: str
) -> None:
    assert errors_of(rows_file({"Start_Date": value})) == [f"row 2 Start date: {value!r} {reason}"]


def test_a_missing_start_date_is_a_row_error_when_the_finish_is_counted_from_it(
    db: None,
) -> None:
    assert errors_of(rows_file({"Start_Date": ""})) == [
        "row 2 Start date: is empty; a planned duration needs a start to count from."
    ]


def test_a_missing_start_date_leaves_the_start_unknown_when_the_finish_is_given(
    db: None,
) -> None:
    data = csv_bytes([{**GOOD, "Start_Date": "", "Finish": "2012-09-30"}])
    job = make_job(data, columns={**US_COLUMNS, "finish_date": "Finish"})
    plan = import_dry_run(job).plan
    assert plan is not None and not plan.errors
    assert (plan.rows[0].baseline_start, plan.rows[0].baseline_finish) == (None, date(2012, 9, 30))
    assert [w.message for w in plan.warnings] == ["is empty: the start is left unknown."]


def test_a_date_outside_1900_to_2199_is_a_row_error(db: None) -> None:
    assert errors_of(rows_file({"Start_Date": "1066-10-14"})) == [
        "row 2 Start date: 1066-10-14 is outside the years 1900 to 2199."
    ]


def test_a_finish_date_before_the_start_is_a_row_error(db: None) -> None:
    data = csv_bytes([{**GOOD, "Finish": "2011-09-30"}])
    columns = {**US_COLUMNS, "finish_date": "Finish"}
    assert errors_of(data, columns) == [
        "row 2 Finish date: 2011-09-30 is before the start date 2011-10-01."
    ]


# -- encodings -----------------------------------------------------------------------------


def test_a_windows_1252_file_is_read_as_such_and_says_so(cast: Cast) -> None:
    job = make_job(rows_file({"Project_Name": "Café Système \u2013 phase 2"}, encoding="cp1252"))
    assert job.encoding == "Windows-1252"
    page = cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk]))
    assert "The file is not UTF-8: read it as Windows-1252." in page.content.decode()
    commit(job)
    assert Project.objects.get(external_id="1000").name == "Café Système \u2013 phase 2"


def test_bytes_that_are_not_windows_1252_fall_back_to_latin_1(db: None) -> None:
    data = rows_file({"Project_Name": "Caf\u00e9"}, encoding="latin-1") + b"\x81\n"
    parsed = parse_file(data)
    assert parsed.encoding == "Latin-1 (ISO-8859-1)"
    assert "read it as Latin-1" in parsed.encoding_note


def test_a_utf_8_byte_order_mark_does_not_stick_to_the_first_header(db: None) -> None:
    parsed = parse_file(codecs.BOM_UTF8 + rows_file({}))
    assert parsed.encoding == "UTF-8"
    assert parsed.headers[0] == "Agency_Code"


def test_excels_utf_16_tab_separated_text_is_read(db: None) -> None:
    text = rows_file({"Project_Name": "Zürich"}).decode().replace(",", "\t")
    parsed = parse_file(text.encode("utf-16"))
    assert parsed.encoding == "UTF-16"
    assert parsed.rows[0].cells[5] == "Zürich"


def test_a_semicolon_separated_file_is_read(db: None) -> None:
    text = rows_file({}).decode().replace(",", ";")
    assert parse_file(text.encode()).headers[:2] == ["Agency_Code", "Agency_Name"]


# -- files that are not importable ---------------------------------------------------------


def _xlsx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


BAD_FILES = {
    "empty": (b"", "The file is empty."),
    "blank lines only": (b"\n\r\n  \n", "The file is empty."),
    "header only": (b"Agency_Code,Project_ID\n", "The file has a header row but no data rows."),
    "png renamed .csv": (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "This is a PNG image, not a CSV or Excel (.xlsx) file.",
    ),
    "old .xls": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
        "This is an old-style Excel (.xls) or Office file, not a CSV or Excel (.xlsx) file. "
        "Save it as .xlsx or CSV and upload it again.",
    ),
    "binary with NUL bytes": (
        b"abc\x00\x01\x02def",
        "This is not a CSV or Excel (.xlsx) file: it contains binary data.",
    ),
    "a Word document": (
        _xlsx_bytes(),
        "This is a ZIP archive but not an Excel (.xlsx) workbook (a Word or OpenDocument "
        "file, perhaps).",
    ),
    "a damaged workbook": (
        b"PK\x03\x04 this is not really a zip",
        "The file looks like an Excel workbook but is damaged.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_an_unimportable_file_is_refused_at_upload_with_a_clear_message(
    cast: Cast, case: str
) -> None:
    data, message = BAD_FILES[case]
    response = _upload(cast.client_for(cast.pmo), data)
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [message]
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_parse(*args: Any) -> None:
        raise AssertionError("a file over the limit must not be parsed")

    monkeypatch.setattr("portfolio.imports.forms.parse_file", must_not_parse)
    response = _upload(cast.client_for(cast.pmo), b"a," * (MAX_UPLOAD_BYTES // 2 + 1))
    assert response.status_code == 413
    assert response.context["form"].errors["file"] == [
        "The file is larger than 20 MB, the largest accepted; split it into smaller files."
    ]
    assert not ImportJob.objects.exists()


def test_parsing_refuses_more_bytes_than_the_limit_too() -> None:
    with pytest.raises(FileProblem, match=r"the largest file accepted is 20\.0 MB"):
        parse_file(b"a" * (MAX_UPLOAD_BYTES + 1))


def test_a_file_with_too_many_rows_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_ROWS", 2)
    with pytest.raises(FileProblem, match="more than 2 rows"):
        parse_file(rows_file({}, {}, {}))


# -- duplicates ----------------------------------------------------------------------------


def test_the_same_project_twice_is_an_error_naming_both_rows(db: None) -> None:
    data = rows_file({"Project_ID": "657"}, {"Project_ID": "658"}, {"Project_ID": "657"})
    assert errors_of(data) == [
        "row 4 Project code (external id): '657' appears on rows 2 and 4; a project must "
        "appear once per portfolio."
    ]


def test_an_exact_duplicate_row_is_an_error_too(db: None) -> None:
    data = rows_file({"Project_ID": "657"}, {"Project_ID": "657"})
    assert len(errors_of(data)) == 1


def test_the_same_project_id_in_two_portfolios_is_two_projects(cast: Cast) -> None:
    data = rows_file(
        {"Project_ID": "657"},
        {
            "Project_ID": "657",
            "Agency_Code": "6",
            "Agency_Name": "Department of Commerce",
            "Unique_Investment_Identifier": "006-1",
        },
    )
    job = commit(make_job(data))
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Project.objects.filter(external_id="657").count() == 2


def test_one_programme_code_with_two_names_is_an_error_naming_both_rows(db: None) -> None:
    data = rows_file({}, {"Investment_Title": "Another title"})
    assert errors_of(data) == [
        "row 3 Programme name: programme '005-000001723' is named 'Another title' here but "
        "'AMS Infrastructure WAN and DMZ (AMSWAN)' on row 2."
    ]


def test_two_spellings_of_one_portfolio_code_are_an_error(db: None) -> None:
    data = rows_file({}, {"Agency_Code": "005", "Unique_Investment_Identifier": "005-2"})
    [message] = errors_of(data)
    assert message.startswith("row 3 Portfolio code: '005' and '5' (row 2) both give")


def test_row_errors_block_the_commit_and_nothing_is_saved(cast: Cast) -> None:
    data = rows_file({}, {"Start_Date": "next week"}, {"PlannedCost": "-1"}, {})
    job = commit(make_job(data))
    assert job.status == ImportJob.Status.FAILED
    assert [(e["row"], e["field"]) for e in job.row_errors] == [
        (3, "Start date"),
        (4, "Planned cost"),
    ]
    assert imported_counts() == (0, 0, 0)


# -- the mapping ---------------------------------------------------------------------------


def _mapping_post(columns: dict[str, str]) -> dict[str, str]:
    return {t.key: columns.get(t.key, "") for t in TARGETS} | {"cost_unit": MILLIONS}


@pytest.mark.parametrize(
    ("missing", "field", "message"),
    [
        ("project_name", "project_name", "Choose the column that holds the project name."),
        ("portfolio_code", "portfolio_code", "Choose the column that holds the portfolio code."),
        (
            "start_date",
            "start_date",
            "A planned duration is counted from the start: map the start too.",
        ),
        (
            "planned_duration",
            "finish_date",
            "Choose a finish date column or a planned duration column.",
        ),
        (
            "planned_cost",
            "planned_cost",
            "The cost variance is read against the planned cost: map it too.",
        ),
    ],
)
def test_a_mapping_without_a_required_column_is_refused(
    cast: Cast, missing: str, field: str, message: str
) -> None:
    job = make_job(rows_file({}))
    columns = {k: v for k, v in US_COLUMNS.items() if k != missing}
    response = cast.client_for(cast.pmo).post(
        reverse("imports:mapping", args=[job.pk]), _mapping_post(columns)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(cast: Cast) -> None:
    job = make_job(rows_file({}))
    response = cast.client_for(cast.pmo).post(
        reverse("imports:mapping", args=[job.pk]),
        _mapping_post({**US_COLUMNS, "project_name": "No such column"}),
    )
    assert response.status_code == 400
    assert "project_name" in response.context["form"].errors


def test_a_preview_with_a_stale_mapping_says_what_is_missing(cast: Cast) -> None:
    job = make_job(rows_file({}))
    ImportJob.objects.filter(pk=job.pk).update(columns={**US_COLUMNS, "project_name": "Gone"})
    response = cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200
    assert "The file has no column &quot;Gone&quot;." in response.content.decode()
