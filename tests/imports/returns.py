"""Synthetic periodic returns for the import tests: a department portfolio's projects, one
file per year, with ratings and the traits real returns have (codes whose case changes, a
project that moves department, a year without codes)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from portfolio.imports.cleaning import clean_rows
from portfolio.imports.models import ImportJob
from portfolio.imports.options import ImportOptions, parse_job_file, reading_options_of
from portfolio.imports.planning import Plan, plan_import
from portfolio.imports.reading import parse_file
from portfolio.imports.services import import_job_create, import_job_run, import_job_set_mapping
from tests.imports import messy_files

COLUMNS = {
    "portfolio_code": "Department",
    "portfolio_name": "Department name",
    "project_code": "Project ID",
    "project_name": "Project name",
    "start_date": "Start date",
    "finish_date": "End date",
    "planned_cost": "Budget",
    "rating_overall": "DCA",
    "rating_schedule": "Schedule",
    "rating_comment": "Commentary",
}
HEADERS = list(COLUMNS.values())
YEARS = (2019, 2020, 2021, 2022, 2023)
RATINGS = ("Green", "Amber/Green", "Amber", "Amber / red", "Red")


def row(**values: str) -> dict[str, str]:
    """One project row; keyword names are the target keys of `COLUMNS`."""
    defaults = {
        "portfolio_code": "DFT",
        "portfolio_name": "Department for Transport",
        "project_code": "HS2",
        "project_name": "High Speed 2",
        "start_date": "2015-01-01",
        "finish_date": "2035-12-31",
        "planned_cost": "1000",
        "rating_overall": "Amber",
        "rating_schedule": "A",
        "rating_comment": "Costs under review",
    }
    return {COLUMNS[key]: value for key, value in (defaults | values).items()}


def return_file(rows: list[dict[str, str]], headers: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers or HEADERS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def job_for(
    data: bytes,
    *,
    period: date | None = None,
    columns: dict[str, str] | None = None,
    partial: bool = False,
    user_id: int | None = None,
    **options: Any,
) -> ImportJob:
    parsed = parse_file(data)
    job = import_job_create(
        filename="return.csv", content=data, parsed=parsed, mapping=None, user_id=user_id
    )
    job = import_job_set_mapping(
        job=job,
        columns={k: v for k, v in (columns or COLUMNS).items() if v in parsed.headers},
        cost_unit="units",
        options=ImportOptions(**options),
        period=period,
    )
    # Partial mode is chosen when a job is queued (`import_job_request`); `commit` skips that.
    job.partial = partial
    job.save(update_fields=["partial"])
    return job


def commit(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PENDING)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def load(data: bytes, **kwargs: Any) -> ImportJob:
    """Import a file straight through the service; fails the test when it is refused."""
    job = commit(job_for(data, **kwargs))
    assert job.status == ImportJob.Status.SUCCEEDED, (job.error, job.row_errors[:5])
    return job


def plan_of(job: ImportJob) -> Plan:
    parsed = parse_job_file(job)
    rows, errors, warnings = clean_rows(parsed, job.columns, job.cost_unit, reading_options_of(job))
    return plan_import(
        rows,
        job.columns,
        errors,
        warnings,
        options=ImportOptions.from_json(job.options),
        period=job.period,
    )


# -- Five yearly returns as departments really send them (messy_files' reading traits) ----

MESSY_COLUMNS = {
    "portfolio_code": "Dept code",
    "portfolio_name": "Department",
    "project_code": "Project ID",
    "project_name": "Project name",
    "start_date": "Start date",
    "finish_date": "End date",
    "planned_cost": "Budget",
    "rating_overall": "RAG",
}
MESSY_HEADERS = [*MESSY_COLUMNS.values(), "DCA rating"]
# The overall rating moved to a new column in 2022: the mapping reads it as a fallback.
MESSY_EXTRA = {"rating_overall": ["DCA rating"]}

# Year -> how that year's file is written: (encoding, BOM, delimiter, line ending, start date,
# end date, budget). Each date and amount means 1 Apr 2015, 31 Mar 2030 and 1,000,000.
_MESSY_FORMS: dict[int, tuple[str, bool, str, str, str, str, str]] = {
    2019: ("utf-8", True, ",", "\n", "01/04/2015", "31/03/2030", "£1,000,000"),
    2020: ("cp1252", False, ";", "\r\n", "01.04.15", "31.03.30", "1000000"),
    2021: ("utf-16", False, "\t", "\r\n", "1 April 2015", "31 March 2030", "GBP 1,000,000.00"),
    2022: ("latin-1", False, "|", "\r", "2015-04-01", "2030-03-31", "1.0m"),
    2023: ("utf-8", False, ",", "mixed", "42095", "47573", "$1m"),
}
# Year -> (RAG, DCA rating) of each project; "" is an empty cell.
_MESSY_RATINGS: dict[int, tuple[tuple[str, str], ...]] = {
    2019: (("Green", ""), ("G", ""), ("R", "")),
    2020: (("A/G", ""), ("Amber", ""), ("TBC", "")),  # a placeholder: no rating that year
    2021: (("AMBER", ""), ("amber-green", ""), ("Red", "")),
    2022: (("N/A", "Amber / red"), ("", "Red"), ("", "amber")),
    2023: (("", "5"), ("", "3"), ("", "A/R")),
}
MESSY_EXPECTED_FIRST = ["green", "amber_green", "amber", "amber_red", "red"]


def messy_return(year: int) -> bytes:
    """One year's return of three projects, with that year's encoding, delimiter, line
    endings, date, money and rating forms. 2019 gives no project codes; the first
    project's code is written in lower case in 2021; the second project moves from the
    Department for Transport to Health in 2022; the third's budget is a placeholder word
    from 2021."""
    encoding, bom, delimiter, newline, start, end, budget = _MESSY_FORMS[year]
    moved = year >= 2022
    projects = [
        ("DFT", "Dept for Transport", "hs-001" if year == 2021 else "HS-001", "Café link"),
        (
            "DHSC" if moved else "DFT",
            "Dept of Health" if moved else "Dept for Transport",
            "HS-002",
            "Müller bridge",
        ),
        ("DFT", "Dept for Transport", "HS-003", "Line upgrade"),
    ]
    rows = []
    for index, (dept_code, dept, code, name) in enumerate(projects):
        rag, dca = _MESSY_RATINGS[year][index]
        cost = budget if index != 2 or year < 2021 else "Exempt under Section 43"
        project_code = "" if year == 2019 else code
        rows.append([dept_code, dept, project_code, name, start, end, cost, rag, dca])
    return messy_files.csv_file(
        rows,
        headers=MESSY_HEADERS,
        encoding=encoding,
        bom=bom,
        delimiter=delimiter,
        newline=newline,
    )
