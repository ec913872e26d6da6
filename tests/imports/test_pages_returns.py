"""The import pages for returns: the mapping's return options and JSON, partial imports
by choice, and the full problem list and rejected rows as downloads."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from portfolio.imports.columns import TARGETS
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.options import ReadingOptions
from portfolio.imports.services import import_job_run
from programmes.models import Person
from projects.models import Project
from tests.conftest import Cast
from tests.factories import PersonFactory
from tests.imports.returns import COLUMNS, commit, job_for, load, return_file, row


def _mapping_post(**extra: str) -> dict[str, str]:
    return (
        {t.key: COLUMNS.get(t.key, "") for t in TARGETS}
        | {"cost_unit": "units", "rating_scale": "dca5", "period": "2021-03-31"}
        | extra
    )


def test_the_mapping_page_saves_the_return_options_with_the_mapping(cast: Cast) -> None:
    job = job_for(return_file([row()]))
    response = cast.client_for(cast.pmo).post(
        reverse("imports:mapping", args=[job.pk]),
        _mapping_post(across_portfolios="on", save_as="Yearly returns"),
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.period == date(2021, 3, 31)
    saved = ImportMapping.objects.get(name="Yearly returns")
    assert saved.options == {
        "rating_scale": "dca5",
        "across_portfolios": True,
        "close_missing": False,
    }


def test_rating_columns_without_a_reporting_date_are_refused_on_the_mapping_page(
    cast: Cast,
) -> None:
    job = job_for(return_file([row()]))
    response = cast.client_for(cast.pmo).post(
        reverse("imports:mapping", args=[job.pk]), _mapping_post(period="")
    )
    assert response.status_code == 400
    assert "give its reporting date" in response.content.decode()


def test_the_downloaded_mapping_drives_the_command_to_the_same_result(
    cast: Cast, tmp_path: Path
) -> None:
    job = job_for(return_file([row()]), rating_scale="dca5")
    response = cast.client_for(cast.pmo).get(reverse("imports:mapping-document", args=[job.pk]))
    document = json.loads(response.content)
    assert document == {
        "columns": COLUMNS,
        "cost_unit": "units",
        "reading": ReadingOptions().as_json(),
        "options": {"rating_scale": "dca5", "across_portfolios": False, "close_missing": False},
    }
    (tmp_path / "m.json").write_text(response.content.decode())
    (tmp_path / "r.csv").write_bytes(return_file([row(rating_overall="A/R")]))
    call_command(
        "import_portfolio",
        str(tmp_path / "r.csv"),
        "--mapping",
        str(tmp_path / "m.json"),
        "--period",
        "2021-03-31",
        "--commit",
        stdout=io.StringIO(),
    )
    assert Project.objects.get(external_id="HS2").status_reports.get().overall == "amber_red"


def _bad_file() -> bytes:
    rows = [row(project_code=f"P{n}", project_name=f"P{n}") for n in range(250)]
    rows[3]["DCA"] = "Blue"
    rows[7]["Start date"] = "someday"
    return return_file(rows)


def test_the_preview_offers_to_import_the_valid_rows_and_does_so_when_asked(
    cast: Cast,
) -> None:
    job = job_for(_bad_file(), period=date(2021, 3, 31))
    client = cast.client_for(cast.pmo)
    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "Import the 248 valid rows and leave out the 2 rejected" in page
    assert client.post(reverse("imports:preview", args=[job.pk])).status_code == 409
    client.post(reverse("imports:preview", args=[job.pk]), {"partial": "1"})
    job.refresh_from_db()
    assert job.partial and job.status == ImportJob.Status.PENDING
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert Project.objects.filter(portfolio__code="DFT").count() == 248
    assert job.error == "2 rows were left out; the others were imported."


def test_all_or_nothing_stays_the_default(db: None) -> None:
    job = commit(job_for(_bad_file(), period=date(2021, 3, 31)))
    assert job.status == ImportJob.Status.FAILED
    assert not Project.objects.exists()


def test_the_rejected_rows_download_as_the_file_gave_them_with_a_reason(cast: Cast) -> None:
    job = job_for(_bad_file(), period=date(2021, 3, 31))
    response = cast.client_for(cast.pmo).get(reverse("imports:rejected", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [*COLUMNS.values(), "Reason rejected"]
    assert [(r[2], r[-1][:26]) for r in rows[1:]] == [
        ("P3", "DCA: 'Blue' is not a ratin"),
        ("P7", "Start date: 'someday' is n"),
    ]
    assert rows[1][:-1] == list(
        row(project_code="P3", project_name="P3", rating_overall="Blue").values()
    )


def test_every_problem_downloads_not_only_the_first_two_hundred(cast: Cast) -> None:
    rows = [
        row(project_code=f"P{n}", project_name=f"P{n}", rating_overall="Blue") for n in range(250)
    ]
    job = job_for(return_file(rows), period=date(2021, 3, 31))
    client = cast.client_for(cast.pmo)
    page = client.get(reverse("imports:preview", args=[job.pk])).content.decode()
    assert "Download all 250 problems (CSV)" in page
    response = client.get(reverse("imports:problems", args=[job.pk]))
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 251
    failed = commit(job)
    assert len(failed.row_errors) == 250
    response = client.get(reverse("imports:problems", args=[failed.pk]))
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 251


def test_the_problems_download_names_each_problems_row_column_value_and_fix(cast: Cast) -> None:
    rows = [row(), row(project_code="P2", project_name="P2", rating_overall="Blue")]
    job = job_for(return_file(rows), period=date(2021, 3, 31))
    response = cast.client_for(cast.pmo).get(reverse("imports:problems", args=[job.pk]))
    header, *problems = csv.reader(io.StringIO(response.content.decode()))
    assert header == ["Row", "Field", "Column", "Value", "Problem and fix"]
    assert [p[:4] for p in problems] == [["3", "Overall rating", "DCA", "Blue"]]
    assert "Blue" in problems[0][4]


def _bad_rating_preview(cast: Cast, *, partial: bool) -> str:
    rows = [row(), row(project_code="P2", project_name="P2", rating_overall="Blue")]
    job = job_for(return_file(rows), period=date(2021, 3, 31), partial=partial)
    return cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk])).content.decode()


def test_the_preview_of_a_file_with_problems_says_all_or_nothing_is_the_default(
    cast: Cast,
) -> None:
    page = _bad_rating_preview(cast, partial=False)
    assert 'data-testid="mode-all-or-nothing"' in page
    assert "saved entirely or not at all" in page
    assert "Or import only the valid rows" in page


def test_the_preview_of_a_partial_import_does_not_say_all_or_nothing(cast: Cast) -> None:
    page = _bad_rating_preview(cast, partial=True)
    assert 'data-testid="mode-partial"' in page
    assert "entirely or not at all" not in page
    assert "the 1 valid row will be saved and the 1 row with problems left out" in page


def test_the_preview_says_which_projects_were_matched_by_name(cast: Cast) -> None:
    load(return_file([row()]), period=date(2021, 3, 31))
    columns = {k: v for k, v in COLUMNS.items() if k != "project_code"}
    job = job_for(return_file([row()]), period=date(2022, 3, 31), columns=columns)
    page = cast.client_for(cast.pmo).get(reverse("imports:preview", args=[job.pk]))
    assert 'data-testid="matched-by-name"' in page.content.decode()


def test_a_refused_upload_keeps_the_file_for_the_next_attempt(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    data = return_file([row()])
    refused = client.post(reverse("imports:new"), {"file": io.BytesIO(data), "mapping": "999"})
    assert refused.status_code == 400
    assert 'data-testid="kept-file"' in refused.content.decode()
    token = refused.context["form"].data["kept"]
    again = client.post(reverse("imports:new"), {"kept": token})
    assert again.status_code == 302
    assert bytes(ImportJob.objects.latest("pk").data) == data


def test_a_kept_file_is_only_for_the_person_who_chose_it(cast: Cast) -> None:
    refused = cast.client_for(cast.pmo).post(
        reverse("imports:new"), {"file": io.BytesIO(return_file([row()])), "mapping": "999"}
    )
    token = refused.context["form"].data["kept"]
    other = PersonFactory(name="Second PMO", access=Person.Access.PMO, user__username="pmo2")
    response = cast.client_for(other).post(reverse("imports:new"), {"kept": token})
    assert response.status_code == 400
    assert "Choose a CSV or Excel file to upload." in response.content.decode()
    assert not ImportJob.objects.exists()
