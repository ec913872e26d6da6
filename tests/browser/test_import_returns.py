"""A PMO loads two yearly returns with one saved mapping, through a real browser and a real
Celery worker, and sees two rating points in the project's status history."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from portfolio.health.models import HealthRequest
from programmes.models import Person
from projects.models import Project
from tests.browser.conftest import log_in
from tests.conftest import wait_for
from tests.factories import PersonFactory
from tests.imports.returns import return_file, row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _import(page: Page, base: str, path: Path, period: str, *, first: bool) -> None:
    page.goto(f"{base}/imports/new/")
    if not first:
        page.get_by_label("Saved column mapping").select_option(label="Yearly returns")
    page.get_by_label("CSV or Excel (.xlsx) file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map columns")
    if first:
        page.get_by_label("Portfolio code").select_option("Department")
        page.get_by_label("Schedule rating").select_option("Schedule")
        page.get_by_label("Rating scale of new portfolios").select_option("dca5")
        page.get_by_label("Save this mapping as").fill("Yearly returns")
    else:  # the saved mapping brings every choice back
        expect(page.get_by_label("Portfolio code")).to_have_value("Department")
        expect(page.get_by_label("Rating scale of new portfolios")).to_have_value("dca5")
    page.get_by_label("Reporting date of this file").fill(period)
    page.get_by_role("button", name="Preview the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview of the import")
    page.get_by_role("button", name="Import 1 project").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("Succeeded", timeout=60_000)


@pytest.mark.worker
def test_two_returns_with_one_saved_mapping_give_two_rating_points(
    page: Page, live_server: Any, celery_worker: Any, tmp_path: Path
) -> None:
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    log_in(page, live_server.url, "pmo")
    for year, rating in ((2021, "Amber/Green"), (2022, "Amber / red")):
        path = tmp_path / f"return-{year}.csv"
        path.write_bytes(return_file([row(rating_overall=rating, rating_schedule="G")]))
        _import(page, live_server.url, path, f"{year}-03-31", first=year == 2021)

    project = Project.objects.get()
    wait_for(lambda: not HealthRequest.objects.exists(), timeout=60)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("tab", name="Status history").click()
    grid = page.get_by_role("table", name="Ratings week by week, oldest first")
    expect(grid.locator("thead th")).to_have_count(3)  # the dimension and two returns
    overall = grid.locator("tbody tr").filter(has_text="Overall")
    expect(overall.locator("td")).to_have_text(["A/G", "A/R"])  # the returns' ratings, in order
