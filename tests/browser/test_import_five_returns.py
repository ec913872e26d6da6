"""Issue 13's done-when, in a real browser with a real Celery worker: a PMO loads five yearly
returns of a synthetic portfolio, each written its own way (encodings, delimiters, line
endings, date and money forms, rating spellings, a rating column that moved, a year without
codes, a project that changes department, a budget withheld), maps the first, saves the
mapping, reuses it for the other four without touching the files, and the project's page
shows five rating points in its status history."""

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portfolio.health.models import HealthRequest, ProjectHealth
from programmes.models import Person
from projects.models import Project
from tests.browser.conftest import log_in
from tests.conftest import wait_for
from tests.factories import PersonFactory
from tests.imports.returns import MESSY_COLUMNS, MESSY_EXTRA, YEARS, messy_return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
LABELS = {
    "portfolio_code": "Portfolio code",
    "portfolio_name": "Portfolio name",
    "project_code": "Project code (external id)",
    "project_name": "Project name",
    "start_date": "Start date",
    "finish_date": "Finish date",
    "planned_cost": "Planned cost",
    "rating_overall": "Overall rating",
}


def _map_the_first_return(page: Page) -> None:
    for key, label in LABELS.items():
        page.get_by_label(label).select_option(MESSY_COLUMNS[key])
    # The overall rating moved to another column in 2022: read it from there when empty.
    page.locator('details:has(select[name="rating_overall__also"]) > summary').click()
    page.locator('select[name="rating_overall__also"]').select_option(MESSY_EXTRA["rating_overall"])
    page.get_by_label("Dates in the file are written").select_option("dmy")
    page.get_by_label("Costs in the file are in").select_option("units")
    page.get_by_label("Rating scale of new portfolios").select_option("dca5")
    page.get_by_label("Match project codes across portfolios").check()
    page.get_by_label("Save this mapping as").fill("Yearly returns")


def _import(page: Page, base: str, path: Path, year: int) -> None:
    first = year == YEARS[0]
    page.goto(f"{base}/imports/new/")
    if not first:
        page.get_by_label("Saved column mapping").select_option(label="Yearly returns")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map columns")
    if first:
        _map_the_first_return(page)
    else:  # the saved mapping brings every choice back; nothing is edited
        expect(page.get_by_label("Portfolio code")).to_have_value("Dept code")
        expect(page.get_by_label("Dates in the file are written")).to_have_value("dmy")
        expect(page.get_by_label("Match project codes across portfolios")).to_be_checked()
    page.get_by_label("Reporting date of this file").fill(f"{year}-03-31")
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    expect(page.get_by_test_id("cannot-commit")).to_have_count(0)
    page.get_by_role("button", name="Import 3 projects").click()
    # The worker is a process of its own, slow to start on a busy machine.
    expect(page.get_by_test_id("job-status")).to_contain_text("Succeeded", timeout=120_000)


@pytest.mark.worker
def test_five_messy_returns_with_one_saved_mapping_give_a_project_five_rating_points(
    page: Page, live_server: Any, celery_worker: Any, tmp_path: Path
) -> None:
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, live_server.url, "pmo")
    for year in YEARS:
        path = tmp_path / f"return-{year}.csv"
        path.write_bytes(messy_return(year))
        _import(page, live_server.url, path, year)

    assert Project.objects.count() == 3  # matched by name, case and department, not doubled
    project = Project.objects.get(external_id__iexact="HS-001")
    wait_for(lambda: not HealthRequest.objects.exists(), timeout=60)
    # Health is back-filled at each return's date, not only computed for today.
    taken = ProjectHealth.objects.filter(project=project).values_list("taken_at", flat=True)
    assert {moment.year for moment in taken} >= set(YEARS)

    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("tab", name="Status history").click()
    grid = page.get_by_role("table", name="Ratings week by week, oldest first")
    expect(grid.locator("thead th")).to_have_count(1 + len(YEARS))
    # Yearly returns are told apart by the year under each column's day and month.
    expect(grid.locator("thead th a")).to_contain_text([str(year) for year in YEARS])
    overall = grid.locator("tbody tr").filter(has_text="Overall")
    expect(overall.locator("td")).to_have_text(["G", "A/G", "A", "A/R", "R"])
    expect(page.locator("#status")).to_have_class(re.compile(r"\bshow\b"))  # faded in
    grid.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "import-five-returns-history.png"), full_page=True)

    # The project whose budget was withheld ("Exempt under Section 43") shows it unknown.
    withheld = Project.objects.get(external_id="HS-003")
    assert withheld.budget is None
    page.goto(f"{live_server.url}{withheld.get_absolute_url()}")
    expect(page.get_by_test_id("project-budget")).to_contain_text("Unknown")
    assert date(2015, 4, 1) == withheld.baseline_start
