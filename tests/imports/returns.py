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
