"""Issue 13 end to end: five yearly returns, each read its own way, imported by script with
one mapping saved on the mapping page, become five points in a project's history."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from portfolio.imports.columns import ALSO, TARGETS
from portfolio.imports.models import ImportMapping
from portfolio.imports.options import ReadingOptions
from portfolio.imports.reading import parse_file
from portfolio.imports.services import import_job_create
from projects.models import Project, StatusReport
from tests.conftest import Cast
from tests.imports.returns import (
    MESSY_COLUMNS,
    MESSY_EXPECTED_FIRST,
    MESSY_EXTRA,
    YEARS,
    load,
    messy_return,
    return_file,
)


def _save_mapping_on_the_page(cast: Cast) -> dict[str, object]:
    """The PMO maps the first return on the mapping page, saves it, downloads it as JSON."""
    data = messy_return(YEARS[0])
    job = import_job_create(
        filename="2019.csv", content=data, parsed=parse_file(data), mapping=None, user_id=None
    )
    client = cast.client_for(cast.pmo)
    post = {t.key: MESSY_COLUMNS.get(t.key, "") for t in TARGETS} | {
        "rating_overall" + ALSO: MESSY_EXTRA["rating_overall"],
        "cost_unit": "units",
        "date_convention": "dmy",
        "money_locale": "dot",
        "placeholders": "\n".join(ReadingOptions().placeholders),
        "period": "2019-03-31",
        "rating_scale": "dca5",
        "across_portfolios": "on",
        "save_as": "Yearly returns",
    }
    response = client.post(reverse("imports:mapping", args=[job.pk]), post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ImportMapping.objects.get(name="Yearly returns").reading["extra_columns"] == (
        MESSY_EXTRA
    )
    download = client.get(reverse("imports:mapping-document", args=[job.pk]))
    document: dict[str, object] = json.loads(download.content)
    return document


def test_five_messy_yearly_returns_imported_by_script_give_a_project_five_rating_points(
    cast: Cast, tmp_path: Path
) -> None:
    document = _save_mapping_on_the_page(cast)
    assert (
        document["reading"]
        == ReadingOptions(date_convention="dmy", extra_columns=MESSY_EXTRA).as_json()
    )
    mapping = tmp_path / "yearly-returns.json"
    mapping.write_text(json.dumps(document))
    for year in YEARS:
        path = tmp_path / f"return-{year}.csv"
        path.write_bytes(messy_return(year))
        out = StringIO()
        call_command(
            "import_portfolio",
            str(path),
            "--mapping",
            str(mapping),
            "--period",
            f"{year}-03-31",
            "--commit",
            stdout=out,
            stderr=StringIO(),
        )
        assert "saved" in out.getvalue(), out.getvalue()

    imported = Project.objects.filter(portfolio__code__in=["DFT", "DHSC"])
    assert imported.count() == 3
    first = Project.objects.get(external_id__iexact="HS-001")
    assert first.name == "Café link"
    assert (
        list(first.status_reports.order_by("period_start").values_list("overall", flat=True))
        == MESSY_EXPECTED_FIRST
    )
    assert (first.baseline_start.isoformat(), first.baseline_finish.isoformat()) == (
        "2015-04-01",
        "2030-03-31",
    )
    assert first.budget == 1_000_000

    moved = Project.objects.get(external_id="HS-002")
    assert moved.portfolio.code == "DHSC"
    assert moved.status_reports.count() == 5

    # "TBC" in 2020 is unknown, not a rating; "Exempt ..." leaves the budget unknown.
    third = Project.objects.get(external_id="HS-003")
    assert third.status_reports.count() == 4
    assert third.budget is None
    assert StatusReport.objects.filter(project__in=imported).count() == 14


def test_a_return_with_completion_dates_only_imports_its_projects_with_the_start_unknown(
    db: None,
) -> None:
    """No start column, an original and a latest completion date, a withheld budget: the
    project is imported with its start and budget unknown, not given a date or 0."""
    columns = {
        "portfolio_code": "Department",
        "project_code": "Project ID",
        "project_name": "Project name",
        "finish_date": "Original completion",
        "forecast_finish": "Latest completion",
        "planned_cost": "Budget",
    }
    data = return_file(
        [
            {
                "Department": "DFT",
                "Project ID": "HS-9",
                "Project name": "Signals",
                "Original completion": "2030-03-31",
                "Latest completion": "2031-06-30",
                "Budget": "Exempt",
            }
        ],
        headers=list(columns.values()),
    )
    load(data, columns=columns)
    project = Project.objects.get(external_id="HS-9")
    assert (project.baseline_start, project.budget) == (None, None)
    assert (project.baseline_finish, project.forecast_finish) == (
        date(2030, 3, 31),
        date(2031, 6, 30),
    )
