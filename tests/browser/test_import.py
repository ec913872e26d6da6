"""A PMO imports the US IT Dashboard file through a real browser and a real Celery worker:
upload, map columns, preview, commit, and watch the job page poll until it is done."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portfolio.health.models import PortfolioHealth, ProjectHealth
from portfolio.imports.models import ImportJob, ImportMapping
from programmes.models import Person
from projects.models import Project
from tests.browser.conftest import log_in
from tests.conftest import wait_for
from tests.factories import PersonFactory
from tests.imports.messy_files import windows_1252_semicolon_day_first
from tests.imports.test_import import US_FILE, imported_counts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def _counts(page: Page, level: str) -> Any:
    return page.get_by_test_id("import-counts").locator(f'tr[data-level="{level}"]')


@pytest.mark.worker
def test_a_pmo_imports_the_us_file_and_sees_what_was_created(
    page: Page,
    live_server: Any,
    celery_worker: Any,
) -> None:
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, "pmo")

    page.goto(f"{live_server.url}/imports/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a portfolio")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(US_FILE))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Map columns")
    expect(page.get_by_label("Programme code")).to_have_value("Unique_Investment_Identifier")
    expect(page.get_by_label("Project code (external id)")).to_have_value("Project_ID")
    expect(page.get_by_label("Costs in the file are in")).to_have_value("millions")
    page.get_by_label("Portfolio name").select_option("Agency_Name")
    page.get_by_label("Save this mapping as").fill("US IT Dashboard")
    page.screenshot(path=str(SCREENSHOTS / "import-mapping.png"), full_page=True)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    expect(_counts(page, "portfolios").locator('[data-outcome="created"]')).to_have_text("26")
    expect(_counts(page, "programmes").locator('[data-outcome="created"]')).to_have_text("437")
    expect(_counts(page, "projects").locator('[data-outcome="created"]')).to_have_text("1,547")
    expect(page.get_by_test_id("preview-rows").locator("tbody tr")).to_have_count(50)
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    assert imported_counts() == (0, 0, 0)  # the preview is a dry run

    page.get_by_role("button", name="Import 1,547 projects").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Import #\d+$"))
    # The worker runs in its own process; the page polls until it reports the result.
    expect(page.get_by_test_id("job-status")).to_contain_text("Succeeded", timeout=60_000)
    expect(_counts(page, "portfolios").locator('[data-outcome="created"]')).to_have_text("26")
    expect(_counts(page, "programmes").locator('[data-outcome="created"]')).to_have_text("437")
    expect(_counts(page, "projects").locator('[data-outcome="created"]')).to_have_text("1,547")
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    page.screenshot(path=str(SCREENSHOTS / "import-job.png"), full_page=True)

    assert imported_counts() == (26, 437, 1547)
    assert ImportJob.objects.get().status == ImportJob.Status.SUCCEEDED
    assert ImportMapping.objects.get().name == "US IT Dashboard"

    # Health is computed as the import ends, not at the nightly run: a project's page shows
    # it, and within a minute every imported project, programme and portfolio has one.
    wait_for(
        lambda: (
            ProjectHealth.objects.filter(is_current=True).count() == 1547
            and PortfolioHealth.objects.filter(is_current=True).count() == 26
        ),
        timeout=60,
    )
    project = Project.objects.order_by("pk").first()
    assert project is not None
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    expect(page.get_by_test_id("health-panel")).not_to_have_attribute("data-health", "none")
    expect(page.get_by_test_id("health-freshness")).to_contain_text("As of")


def test_a_pmo_sees_row_errors_and_cannot_commit_a_bad_file(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    lines = US_FILE.read_text(encoding="utf-8").splitlines()
    assert "2010-12-31" in lines[4]  # row 5 as a spreadsheet numbers it
    lines[4] = lines[4].replace("2010-12-31", "2010-12-32")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:10]) + "\n", encoding="utf-8")
    log_in(page, live_server.url, "pmo")

    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and map columns").click()
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_test_id("cannot-commit")).to_contain_text("cannot be imported")
    expect(page.get_by_test_id("row-errors")).to_contain_text("'2010-12-32' is not a real date")
    expect(page.get_by_test_id("row-errors").locator("tbody td").first).to_have_text("5")
    # Only the partial import is offered, never the whole file.
    expect(page.get_by_test_id("commit-import")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "import-preview-errors.png"), full_page=True)


@pytest.mark.worker
def test_a_pmo_imports_a_windows_1252_semicolon_day_first_return(
    page: Page, live_server: Any, celery_worker: Any
) -> None:
    """Excel's CSV from a continental Windows: the page says how it read the file, the PMO
    says the dates are day first and the amounts 1.234,56, and the return goes in."""
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    log_in(page, live_server.url, "pmo")

    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(
        {"name": "return.csv", "mimeType": "text/csv", "buffer": windows_1252_semicolon_day_first()}
    )
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Map columns")
    notes = page.get_by_test_id("reading-notes")
    expect(notes).to_contain_text("The file is not UTF-8: read it as Windows-1252.")
    expect(notes).to_contain_text("Columns are separated by: semicolon (;).")
    expect(notes).to_contain_text("The header “Rating” appears more than once")
    expect(page.get_by_label("Project code (external id)")).to_have_value("Project code")
    expect(page.get_by_text("Two-digit years: 00–68 are read as 2000–2068")).to_be_visible()
    page.get_by_label("Dates in the file are written").select_option("dmy")
    page.get_by_label("Amounts in the file are written").select_option("comma")
    page.get_by_label("Costs in the file are in").select_option("units")
    # The rating is in the first "Rating" column early in the year, the second later: a
    # return, so it needs its reporting date.
    expect(page.get_by_label("Overall rating", exact=True)).to_have_value("Rating")
    also = page.locator('select[name="rating_overall__also"]')
    also.locator("xpath=ancestor::details/summary").click()
    also.select_option("Rating (2)")
    page.get_by_label("Reporting date of this file").fill("2024-03-31")
    page.screenshot(path=str(SCREENSHOTS / "import-mapping-day-first.png"), full_page=True)
    page.get_by_role("button", name="Preview the import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    expect(_counts(page, "projects").locator('[data-outcome="created"]')).to_have_text("3")
    page.get_by_role("button", name="Import 3 projects").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("Succeeded", timeout=60_000)

    projects = {p.external_id: p for p in Project.objects.all()}
    assert projects["HS-001"].name == "Café link – phase 1"
    assert projects["HS-001"].baseline_start == date(2008, 6, 30)
    assert projects["HS-001"].budget == Decimal("1234567.89")
    assert projects["HS-002"].baseline_start == date(1997, 4, 1)
    assert projects["HS-003"].baseline_finish == date(2026, 12, 31)
    ratings = {code: p.status_reports.get().overall for code, p in projects.items()}
    assert ratings == {"HS-001": "amber", "HS-002": "green", "HS-003": "red"}
