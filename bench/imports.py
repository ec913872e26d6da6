"""Import throughput: rows per second of a periodic return with history (issue 13).

A synthetic return of `--rows` projects (10,000 by default) in 20 departments, each row
rated, is imported twice through the importer's own service (`import_job_run`, as a worker
runs it): first for one reporting date (every portfolio, programme and project created, a
status report per row, health back-filled), then the next year's return (every project
updated, another report per row, another snapshot). `import_rows_per_second` is the rows
of both imports over their time. Run by bench.run as a subprocess with DATABASE_URL set to
its own database; prints one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import time
from datetime import date

import django

RATINGS = ("Green", "Amber/Green", "Amber", "Amber/Red", "Red")
COLUMNS = {
    "portfolio_code": "Department",
    "programme_code": "Programme",
    "project_code": "Project ID",
    "project_name": "Project name",
    "start_date": "Start date",
    "finish_date": "End date",
    "planned_cost": "Budget",
    "forecast_at_completion": "Latest budget",
    "rating_overall": "DCA",
    "rating_schedule": "Schedule",
    "rating_comment": "Commentary",
}


def return_file(rows: int, year: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS.values())
    for n in range(rows):
        writer.writerow(
            [
                f"D{n % 20:02}",
                f"D{n % 20:02}-PG{n % 400:03}",
                f"PRJ-{n:06}",
                f"Project {n}",
                "2018-04-01",
                "2030-03-31",
                str(1_000_000 + n),
                str(1_100_000 + n + year),
                RATINGS[(n + year) % 5],
                RATINGS[n % 5][0],
                "Progress as planned" if n % 3 else "Costs under review",
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    django.setup()
    from portfolio.imports.models import ImportJob
    from portfolio.imports.options import ImportOptions
    from portfolio.imports.reading import parse_file
    from portfolio.imports.services import (
        import_job_create,
        import_job_run_here,
        import_job_set_mapping,
    )

    seconds: list[float] = []
    for year in (2022, 2023):
        data = return_file(args.rows, year)
        started = time.perf_counter()
        parsed = parse_file(data)
        job = import_job_create(
            filename=f"return-{year}.csv", content=data, parsed=parsed, mapping=None, user_id=None
        )
        job = import_job_set_mapping(
            job=job,
            columns=COLUMNS,
            cost_unit="units",
            options=ImportOptions(rating_scale="dca5"),
            period=date(year, 3, 31),
        )
        job = import_job_run_here(job=job)
        seconds.append(time.perf_counter() - started)
        if job.status != ImportJob.Status.SUCCEEDED:
            raise SystemExit(f"the {year} return failed: {job.error} {job.row_errors[:3]}")
    total = sum(seconds)
    print(
        json.dumps(
            {
                "import_rows": args.rows * len(seconds),
                "import_seconds": [round(s, 1) for s in seconds],
                "import_rows_per_second": round(args.rows * len(seconds) / total, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
