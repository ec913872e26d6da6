"""Importing a portfolio from CSV or XLSX: the US IT Dashboard file end to end, re-imports,
all-or-nothing commits, the pages, who may use them, and a real Celery worker."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from portfolio.imports.cleaning import clean_rows
from portfolio.imports.columns import TARGETS, guess_columns, guess_cost_unit
from portfolio.imports.models import ImportJob, ImportMapping
from portfolio.imports.planning import import_dry_run
from portfolio.imports.progress import record_progress
from portfolio.imports.reading import parse_file
from portfolio.imports.services import (
    import_job_create,
    import_job_request,
    import_job_run,
    import_job_set_mapping,
)
from programmes.models import HealthPolicy, Portfolio, Programme
from projects.models import Project
from tests.conftest import ROOT, Cast
from tests.conftest import wait_for as _wait_for
from tests.factories import PortfolioFactory, ProjectFactory

US_FILE = ROOT / "tests" / "data" / "us-it-dashboard-projects.csv"
US_COLUMNS = {
    "portfolio_code": "Agency_Code",
    "portfolio_name": "Agency_Name",
    "programme_code": "Unique_Investment_Identifier",
    "programme_name": "Investment_Title",
    "project_code": "Project_ID",
    "project_name": "Project_Name",
    "start_date": "Start_Date",
    "planned_duration": "Planned_Duration",
    "planned_cost": "PlannedCost",
    "cost_variance": "Cost_Variance",
    "delay_days": "Project_delay",
}
MILLIONS = ImportMapping.CostUnit.MILLIONS


# -- helpers shared with test_import_bad_input.py ------------------------------------------


def us_bytes() -> bytes:
    return US_FILE.read_bytes()


def us_rows() -> list[dict[str, str]]:
    with US_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_bytes(rows: list[dict[str, str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def make_job(
    data: bytes,
    *,
    filename: str = "portfolio.csv",
    columns: dict[str, str] | None = None,
    cost_unit: str = MILLIONS,
    user_id: int | None = None,
) -> ImportJob:
    parsed = parse_file(data)
    job = import_job_create(
        filename=filename, content=data, parsed=parsed, mapping=None, user_id=user_id
    )
    return import_job_set_mapping(
        job=job, columns=columns or guess_columns(parsed.headers), cost_unit=cost_unit
    )


def commit(job: ImportJob) -> ImportJob:
    """Run the job as the worker would, straight through the service."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PENDING)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def row_messages(job: ImportJob) -> list[str]:
    plan = import_dry_run(job).plan
    assert plan is not None
    return [f"row {e.row} {e.field}: {e.message}" for e in plan.errors]


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """The quick start's behaviour: no broker, tasks run in-process."""
    from portfolio.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def imported_counts() -> tuple[int, int, int]:
    return (
        Portfolio.objects.exclude(external_id="").count(),
        Programme.objects.exclude(external_id="").count(),
        Project.objects.exclude(external_id="").count(),
    )


# -- reading and mapping the US file -------------------------------------------------------


def test_the_us_file_is_read_as_utf8_with_its_header_and_1547_rows() -> None:
    parsed = parse_file(us_bytes())
    assert parsed.encoding == "UTF-8"
    assert parsed.headers[:3] == ["Unique_Investment_Identifier", "Business_Case_ID", "Agency_Code"]
    assert len(parsed.rows) == 1547
    assert parsed.rows[0].number == 2  # the header is row 1, as a spreadsheet shows it


def test_the_us_file_headers_are_guessed_to_the_right_fields_with_costs_in_millions() -> None:
    headers = parse_file(us_bytes()).headers
    assert guess_columns(headers) == US_COLUMNS
    assert guess_cost_unit(headers) == MILLIONS


def test_the_us_file_has_no_row_errors_and_notes_its_oddities_as_warnings() -> None:
    parsed = parse_file(us_bytes())
    rows, errors, warnings = clean_rows(parsed, US_COLUMNS, MILLIONS)
    assert errors == []
    assert len(rows) == 1547
    noted = {(w.field, w.row) for w in warnings}
    zero_durations = {i + 2 for i, r in enumerate(us_rows()) if r["Planned_Duration"] == "0.0"}
    negative_delays = {i + 2 for i, r in enumerate(us_rows()) if r["Project_delay"].startswith("-")}
    assert {row for field, row in noted if field == "Planned duration (days)"} == zero_durations
    assert {row for field, row in noted if field == "Delay (days)"} == negative_delays


# -- the dry run ---------------------------------------------------------------------------


def test_a_dry_run_of_the_us_file_counts_what_will_be_created_and_writes_nothing(
    db: None,
) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    dry_run = import_dry_run(job)
    assert dry_run.plan is not None and dry_run.can_commit
    assert dry_run.plan.counts() == {
        "portfolios": {"created": 26, "updated": 0, "unchanged": 0},
        "programmes": {"created": 437, "updated": 0, "unchanged": 0},
        "projects": {"created": 1547, "updated": 0, "unchanged": 0},
    }
    assert imported_counts() == (0, 0, 0)
    assert not HealthPolicy.objects.exists()


def test_the_preview_page_needs_the_same_few_queries_however_long_the_file(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    client = cast.client_for(cast.pmo)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200


# -- committing ----------------------------------------------------------------------------


@pytest.fixture
def imported_us_file(cast: Cast) -> ImportJob:
    assert cast.pmo.user is not None
    return commit(make_job(us_bytes(), columns=US_COLUMNS, user_id=cast.pmo.user.pk))


def test_importing_the_us_file_creates_26_portfolios_437_programmes_and_1547_projects(
    imported_us_file: ImportJob,
) -> None:
    assert imported_us_file.status == ImportJob.Status.SUCCEEDED, imported_us_file.error
    assert imported_counts() == (26, 437, 1547)
    assert imported_us_file.counts["projects"] == {"created": 1547, "updated": 0, "unchanged": 0}
    assert imported_us_file.progress_done == imported_us_file.progress_total == 1547


def test_imported_budgets_add_up_to_the_planned_costs_in_dollars(
    imported_us_file: ImportJob,
) -> None:
    expected = sum((Decimal(r["PlannedCost"]) for r in us_rows()), Decimal(0)) * 1_000_000
    total = Project.objects.exclude(external_id="").aggregate(total=Sum("budget"))["total"]
    assert total == expected.quantize(Decimal("0.01"))
    assert total == Decimal("19650668072.00")


def test_each_new_portfolio_gets_a_health_policy(imported_us_file: ImportJob) -> None:
    assert HealthPolicy.objects.filter(portfolio__external_id__gt="").count() == 26


def test_agencies_become_portfolios_with_zero_padded_codes(imported_us_file: ImportJob) -> None:
    agriculture = Portfolio.objects.get(external_id="5")
    assert agriculture.code == "005"
    assert agriculture.name == "Department of Agriculture"


def test_investment_titles_are_html_unescaped(imported_us_file: ImportJob) -> None:
    escaped = [r for r in us_rows() if "&amp;" in r["Investment_Title"]]
    assert escaped, "the sample file should hold HTML entities"
    programme = Programme.objects.get(external_id=escaped[0]["Unique_Investment_Identifier"])
    assert "&amp;" not in programme.name
    assert programme.name == escaped[0]["Investment_Title"].replace("&amp;", "&").strip()


def test_a_project_gets_its_dates_budget_and_forecast_cost_from_its_row(
    imported_us_file: ImportJob,
) -> None:
    # 661: 2011-04-01, 182 days, no delay, $1.8205m planned, $0.3641m under
    project = Project.objects.get(external_id="661")
    assert project.code == "661"
    assert project.programme is not None
    assert project.programme.code == "005-000001822"
    assert project.baseline_start == date(2011, 4, 1)
    assert project.baseline_finish == date(2011, 4, 1) + timedelta(days=182)
    assert project.forecast_finish == project.baseline_finish
    assert project.budget == Decimal("1820500.00")
    assert project.forecast_at_completion == Decimal("1456400.00")


def test_a_positive_delay_moves_the_forecast_finish(imported_us_file: ImportJob) -> None:
    # 1740: 2005-01-01, 2646 days, 3106 days late
    project = Project.objects.get(external_id="1740")
    assert project.baseline_finish == date(2005, 1, 1) + timedelta(days=2646)
    assert project.forecast_finish == project.baseline_finish + timedelta(days=3106)


def test_a_zero_duration_project_finishes_on_its_start_day(imported_us_file: ImportJob) -> None:
    project = Project.objects.get(external_id="1292")
    assert project.baseline_finish == project.baseline_start == date(2012, 3, 15)


def test_a_negative_delay_leaves_the_forecast_at_the_finish(imported_us_file: ImportJob) -> None:
    project = Project.objects.get(external_id="2661")
    assert project.forecast_finish == project.baseline_finish


def test_costs_with_float_noise_are_rounded_to_cents(imported_us_file: ImportJob) -> None:
    noisy = next(r for r in us_rows() if r["PlannedCost"] == "1.8111380000000001")
    assert Project.objects.get(external_id=noisy["Project_ID"]).budget == Decimal("1811138.00")


def test_the_import_writes_audit_history_for_every_row_in_the_pmos_name(
    imported_us_file: ImportJob, cast: Cast
) -> None:
    history = Project.history.filter(external_id__gt="")  # type: ignore[attr-defined]
    assert history.count() == 1547
    assert set(history.values_list("history_user", flat=True)) == {cast.pmo.user_id}
    assert Programme.history.filter(external_id__gt="").count() == 437  # type: ignore[attr-defined]
    assert Portfolio.history.filter(external_id__gt="").count() == 26  # type: ignore[attr-defined]


def test_importing_the_us_file_twice_updates_instead_of_duplicating(cast: Cast) -> None:
    assert commit(make_job(us_bytes(), columns=US_COLUMNS)).status == "succeeded"
    rows = us_rows()
    changed = next(r for r in rows if r["Project_ID"] == "657")
    changed["PlannedCost"] = "0.5"  # was 0.179 ($ millions)
    second = commit(make_job(csv_bytes(rows), columns=US_COLUMNS))

    assert second.status == ImportJob.Status.SUCCEEDED, second.error
    assert imported_counts() == (26, 437, 1547)
    assert second.counts["projects"] == {"created": 0, "updated": 1, "unchanged": 1546}
    assert second.counts["portfolios"] == {"created": 0, "updated": 0, "unchanged": 26}
    assert Project.objects.get(external_id="657").budget == Decimal("500000.00")
    assert HealthPolicy.objects.filter(portfolio__external_id__gt="").count() == 26


def test_a_reimport_only_writes_history_for_the_rows_that_changed(cast: Cast) -> None:
    commit(make_job(us_bytes(), columns=US_COLUMNS))
    rows = us_rows()
    next(r for r in rows if r["Project_ID"] == "657")["Project_Name"] = "Virtualisation"
    commit(make_job(csv_bytes(rows), columns=US_COLUMNS))
    history = Project.history.filter(external_id="657").order_by("history_date")  # type: ignore[attr-defined]
    assert [h.history_type for h in history] == ["+", "~"]
    assert Project.history.filter(external_id__gt="").count() == 1548  # type: ignore[attr-defined]


def test_a_failing_row_leaves_nothing_saved(cast: Cast) -> None:
    rows = us_rows()
    rows[-1]["Start_Date"] = "2023-02-30"  # the very last row is wrong
    job = commit(make_job(csv_bytes(rows), columns=US_COLUMNS))

    assert job.status == ImportJob.Status.FAILED
    assert imported_counts() == (0, 0, 0)
    assert not HealthPolicy.objects.exists()
    assert "nothing was saved" in job.error
    assert job.row_errors == [
        {
            "row": 1548,
            "field": "Start date",
            "column": "Start_Date",
            "message": "'2023-02-30' is not a real date (there is no such month or day).",
            "value": "2023-02-30",
        }
    ]


def test_a_database_refusal_rolls_back_every_row_already_written(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio.imports import services

    real = services.bulk_update_with_history

    def create_then_fail(*args: Any, **kwargs: Any) -> Any:
        raise services.DatabaseError("simulated failure after the creates")

    job = make_job(us_bytes(), columns=US_COLUMNS)
    PortfolioFactory(code="005", external_id="")  # adopted, so the update step runs
    monkeypatch.setattr(services, "bulk_update_with_history", create_then_fail)
    job = commit(job)
    monkeypatch.setattr(services, "bulk_update_with_history", real)

    assert job.status == ImportJob.Status.FAILED
    assert "simulated failure" in job.error
    assert imported_counts() == (0, 0, 0)


def test_an_existing_portfolio_without_an_external_id_is_adopted_by_its_code(
    cast: Cast,
) -> None:
    existing = PortfolioFactory(code="005", name="Agriculture (typed by hand)")
    job = commit(make_job(us_bytes(), columns=US_COLUMNS))
    existing.refresh_from_db()
    assert existing.external_id == "5"
    assert existing.name == "Department of Agriculture"
    assert job.counts["portfolios"] == {"created": 25, "updated": 1, "unchanged": 0}


def test_a_portfolio_code_taken_by_another_source_is_a_row_error(cast: Cast) -> None:
    PortfolioFactory(code="005", name="Elsewhere", external_id="XYZ")
    messages = row_messages(make_job(us_bytes(), columns=US_COLUMNS))
    assert messages == [
        "row 2 Portfolio code: Portfolio: the code '005' is already used by 'Elsewhere', "
        "which comes from external id 'XYZ'."
    ]


def test_a_project_code_taken_in_the_same_portfolio_is_a_row_error(cast: Cast) -> None:
    portfolio = PortfolioFactory(code="005", external_id="5")
    ProjectFactory(programme=None, portfolio=portfolio, code="657", external_id="other-657")
    messages = row_messages(make_job(us_bytes(), columns=US_COLUMNS))
    assert len(messages) == 1
    assert messages[0].startswith("row 2 Project code (external id): Project: the code '657'")


def test_a_project_whose_kept_forecast_would_precede_its_new_start_is_a_row_error(
    cast: Cast,
) -> None:
    commit(make_job(us_bytes(), columns=US_COLUMNS))
    without_delay = {k: v for k, v in US_COLUMNS.items() if k != "delay_days"}
    rows = us_rows()
    rows[0]["Start_Date"] = "2030-01-01"
    messages = row_messages(make_job(csv_bytes(rows), columns=without_delay))
    assert messages == [
        "row 2 Start date: the project's forecast finish 2012-03-31 would fall before this "
        "start date."
    ]


def test_unmapped_optional_fields_are_left_alone_on_reimport(cast: Cast) -> None:
    commit(make_job(us_bytes(), columns=US_COLUMNS))
    without_costs = {
        k: v for k, v in US_COLUMNS.items() if k not in {"planned_cost", "cost_variance"}
    }
    job = commit(make_job(us_bytes(), columns=without_costs))
    assert job.counts["projects"]["unchanged"] == 1547
    assert Project.objects.get(external_id="661").budget == Decimal("1820500.00")


def test_a_project_moved_to_a_new_programme_follows_it_on_reimport(cast: Cast) -> None:
    commit(make_job(us_bytes(), columns=US_COLUMNS))
    rows = us_rows()
    moved = next(r for r in rows if r["Project_ID"] == "657")
    moved["Unique_Investment_Identifier"] = "005-NEW"
    moved["Investment_Title"] = "A new investment"
    job = commit(make_job(csv_bytes(rows), columns=US_COLUMNS))
    assert job.counts["programmes"]["created"] == 1
    assert job.counts["projects"] == {"created": 0, "updated": 1, "unchanged": 1546}
    project = Project.objects.select_related("programme").get(external_id="657")
    assert project.programme is not None
    assert project.programme.name == "A new investment"


def test_projects_without_a_programme_code_are_standalone(cast: Cast) -> None:
    rows = us_rows()[:3]
    for row in rows:
        row["Unique_Investment_Identifier"] = row["Investment_Title"] = ""
    job = commit(make_job(csv_bytes(rows), columns=US_COLUMNS))
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert Project.objects.filter(external_id__gt="", programme__isnull=True).count() == 3


def test_commit_uses_a_fixed_number_of_queries_not_one_per_row(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    with django_assert_max_num_queries(40):
        commit(job)
    assert job.status == ImportJob.Status.SUCCEEDED


def test_running_a_finished_job_again_does_nothing(imported_us_file: ImportJob) -> None:
    import_job_run(job_id=imported_us_file.pk)
    imported_us_file.refresh_from_db()
    assert imported_us_file.status == ImportJob.Status.SUCCEEDED
    assert Project.history.filter(external_id__gt="").count() == 1547  # type: ignore[attr-defined]


def test_an_xlsx_workbook_imports_like_the_csv(cast: Cast) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    rows = us_rows()[:20]
    sheet.append(list(rows[0]))
    for row in rows:
        values: list[Any] = list(row.values())
        values[7] = date.fromisoformat(row["Start_Date"])  # a real date cell
        values[9] = float(row["PlannedCost"])  # a real number cell
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)

    job = commit(make_job(out.getvalue(), filename="us.xlsx", columns=US_COLUMNS))
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert job.file_format == ImportJob.Format.XLSX
    project = Project.objects.get(external_id=rows[0]["Project_ID"])
    assert project.baseline_start == date.fromisoformat(rows[0]["Start_Date"])
    assert project.budget == Decimal(rows[0]["PlannedCost"]) * 1_000_000


# -- the pages -----------------------------------------------------------------------------


def _upload(client: Client, data: bytes, name: str = "us.csv", **extra: Any) -> Any:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("imports:new"), {"file": upload, **extra})


def _mapping_post(columns: dict[str, str], **extra: str) -> dict[str, str]:
    return {t.key: columns.get(t.key, "") for t in TARGETS} | {"cost_unit": MILLIONS} | extra


def test_the_pmo_uploads_maps_previews_and_commits_the_us_file(
    cast: Cast, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = cast.client_for(cast.pmo)
    response = _upload(client, us_bytes())
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[job.pk])

    response = client.get(reverse("imports:mapping", args=[job.pk]))
    assert response.context["form"].initial["programme_code"] == "Unique_Investment_Identifier"
    assert response.context["form"].initial["cost_unit"] == MILLIONS

    response = client.post(
        reverse("imports:mapping", args=[job.pk]), _mapping_post(US_COLUMNS, save_as="US ITD")
    )
    assert response["Location"] == reverse("imports:preview", args=[job.pk])

    response = client.get(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 200
    assert response.context["counts"]["projects"]["created"] == 1547
    assert len(response.context["rows"]) == 50
    assert b'data-testid="commit-import"' in response.content
    assert imported_counts() == (0, 0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:preview", args=[job.pk]))
    assert response["Location"] == reverse("imports:job", args=[job.pk])

    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.context["job"].status == ImportJob.Status.SUCCEEDED
    assert imported_counts() == (26, 437, 1547)
    # Finished: the page stops polling (the navigation bell's own trigger starts "load,").
    assert b'hx-trigger="every' not in response.content


def test_a_mapping_saved_by_name_preselects_the_columns_of_the_next_file(cast: Cast) -> None:
    ImportMapping.objects.create(
        name="Renamed columns", columns={**US_COLUMNS, "project_name": "Agency_Name"}
    )
    client = cast.client_for(cast.pmo)
    _upload(client, us_bytes(), mapping=ImportMapping.objects.get().pk)
    job = ImportJob.objects.get()
    response = client.get(reverse("imports:mapping", args=[job.pk]))
    assert response.context["form"].initial["project_name"] == "Agency_Name"
    assert response.context["form"].initial["save_as"] == "Renamed columns"


def test_saving_a_mapping_under_an_existing_name_replaces_it(cast: Cast) -> None:
    ImportMapping.objects.create(name="US ITD", columns={"project_code": "Old"})
    job = make_job(us_bytes(), columns=US_COLUMNS)
    client = cast.client_for(cast.pmo)
    client.post(
        reverse("imports:mapping", args=[job.pk]), _mapping_post(US_COLUMNS, save_as="US ITD")
    )
    assert ImportMapping.objects.get(name="US ITD").columns == US_COLUMNS


def test_committing_twice_queues_the_job_once(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from portfolio.imports.tasks import run_import

    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(run_import, "apply_async", lambda args, **_: sent.append(args))
    job = make_job(us_bytes()[:2000].rsplit(b"\n", 1)[0], columns=US_COLUMNS)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_request(job=job) is True
        assert import_job_request(job=job) is False
    assert sent == [(job.pk,)]


def test_when_the_broker_is_down_the_job_stays_pending_and_the_page_says_so(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from portfolio.imports.tasks import run_import

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Connection refused")

    monkeypatch.setattr(run_import, "apply_async", refuse)
    job = make_job(us_bytes(), columns=US_COLUMNS)
    client = cast.client_for(cast.pmo)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING

    ImportJob.objects.filter(pk=job.pk).update(queued_at=job.queued_at - timedelta(minutes=2))
    response = client.get(reverse("imports:job", args=[job.pk]))
    assert response.status_code == 200
    assert "the task queue may be unavailable" in response.content.decode()
    assert b'hx-trigger="every 5s"' in response.content  # still watching, less often


def test_pending_imports_left_by_a_broker_outage_are_sent_again_by_the_sweep(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from portfolio.imports.tasks import resend_pending_imports, run_import

    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(run_import, "apply_async", lambda args, **_: sent.append(args))
    stale, fresh, _draft = (make_job(us_bytes(), columns=US_COLUMNS) for _ in range(3))
    now = timezone.now()
    ImportJob.objects.filter(pk=stale.pk).update(
        status="pending", queued_at=now - timedelta(minutes=5)
    )
    ImportJob.objects.filter(pk=fresh.pk).update(status="pending", queued_at=now)
    resend_pending_imports()
    assert sent == [(stale.pk,)]


def test_the_upload_still_checks_the_csrf_token(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    assert cast.pmo.user is not None
    client.force_login(cast.pmo.user)
    assert _upload(client, us_bytes()).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_job_page_polls_a_named_partial_while_the_job_runs(cast: Cast) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    record_progress(job.pk, 500, 1547, "Saving projects")
    client = cast.client_for(cast.pmo)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{reverse("imports:job", args=[job.pk])}"' in page

    fragment = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div id="import-progress"')
    assert "Saving projects: 500 of 1,547." in html


def test_the_preview_of_a_file_with_errors_cannot_be_committed(cast: Cast) -> None:
    rows = us_rows()[:5]
    rows[2]["PlannedCost"] = "-3"
    job = make_job(csv_bytes(rows), columns=US_COLUMNS)
    client = cast.client_for(cast.pmo)

    response = client.get(reverse("imports:preview", args=[job.pk]))
    assert "cannot be imported until it is fixed" in response.content.decode()
    assert b'data-testid="commit-import"' not in response.content

    response = client.post(reverse("imports:preview", args=[job.pk]))
    assert response.status_code == 409
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRAFT
    assert imported_counts() == (0, 0, 0)


IMPORT_URLS = [
    "imports:list",
    "imports:new",
    "imports:mapping",
    "imports:read-as",
    "imports:preview",
    "imports:job",
]


@pytest.mark.parametrize(
    "role", ["executive", "programme_manager", "project_manager", "other_project_manager"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_only_the_pmo_may_use_any_import_page(cast: Cast, role: str, method: str) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    client = cast.client_for(getattr(cast, role))
    for name in IMPORT_URLS:
        args = [] if name in {"imports:list", "imports:new"} else [job.pk]
        response = getattr(client, method)(reverse(name, args=args))
        assert response.status_code == 403, name
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DRAFT


def test_an_outsider_gets_403_and_an_anonymous_visitor_is_sent_to_log_in(cast: Cast) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    outsider = cast.client_for(cast.outsider)
    anonymous = Client()
    for name in IMPORT_URLS:
        url = reverse(name, args=[] if name in {"imports:list", "imports:new"} else [job.pk])
        assert outsider.get(url).status_code == 403
        assert anonymous.get(url)["Location"].startswith(reverse("login"))


def test_the_list_shows_earlier_imports(cast: Cast) -> None:
    make_job(us_bytes(), filename="first.csv", columns=US_COLUMNS)
    response = cast.client_for(cast.pmo).get(reverse("imports:list"))
    assert "first.csv" in response.content.decode()


# -- through a real worker -----------------------------------------------------------------


@pytest.mark.worker
def test_a_real_worker_imports_the_us_file_after_commit(celery_worker: Any) -> None:
    job = make_job(us_bytes(), columns=US_COLUMNS)
    with transaction.atomic():
        import_job_request(job=job)

    def finished() -> ImportJob | None:
        job.refresh_from_db()
        return job if job.is_finished else None

    _wait_for(finished, timeout=90)
    assert job.status == ImportJob.Status.SUCCEEDED, job.error
    assert imported_counts() == (26, 437, 1547)
