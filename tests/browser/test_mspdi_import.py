"""Importing a Microsoft Project plan in a real browser: from the project page, upload the
XML, read the preview, import, and find the milestones and the cross-project dependency on
the project page.

The project's manager imports: the milestones are theirs, and so are the links their plan
waits for (projects.access.may_link)."""

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from projects.models import Dependency
from tests.browser.conftest import axe_violations, log_in
from tests.factories import MilestoneFactory, PersonFactory, ProgrammeFactory, ProjectFactory
from tests.imports.mspdi_files import FILES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_plan_is_previewed_then_imported_with_its_milestones_and_links(
    page: Page, live_server
) -> None:
    manager = PersonFactory(name="Pam Project", user__username="pm")
    programme = ProgrammeFactory(name="Rail")
    project = ProjectFactory(programme=programme, name="Project A1", code="A1", manager=manager)
    upstream = ProjectFactory(programme=programme, name="Project B1", code="B1")
    MilestoneFactory(project=upstream, name="API delivered", baseline_date=date(2027, 5, 20))
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")

    page.get_by_role("link", name="Import from Microsoft Project").click()
    assert not axe_violations(page)
    page.get_by_label("Project XML file").set_input_files(FILES / "project-2010.xml")
    page.get_by_role("button", name="Preview the import").click()

    preview = page.get_by_test_id("mspdi-preview")
    expect(preview).to_contain_text("4 to create")
    expect(page.get_by_test_id("mspdi-milestones")).to_contain_text("Build › Integration")
    expect(page.get_by_test_id("mspdi-dependencies")).to_contain_text(
        "Project A1 (“Integration start”) needs Project B1 (“API delivered”)"
    )
    expect(page.get_by_test_id("mspdi-skipped")).to_contain_text("Nowhere")
    page.screenshot(path=str(SHOTS / "mspdi-preview.png"), full_page=True)
    assert not axe_violations(page)
    assert not project.milestones.exists()

    page.get_by_role("button", name="Import into Project A1").click()
    page.wait_for_url(f"{live_server.url}{project.get_absolute_url()}")
    expect(page.get_by_role("status")).to_contain_text("4 milestones created")
    milestones = page.locator("#overview table").first
    expect(milestones).to_contain_text("Integration start")
    expect(milestones).to_contain_text("Build › Integration")
    page.screenshot(path=str(SHOTS / "mspdi-project.png"))
    page.get_by_role("tab", name="Dependencies & people").click()
    expect(page.locator("#links")).to_have_class(re.compile(r"\bshow\b"))  # faded in
    links = page.locator("#links table").first
    expect(links).to_contain_text("Project B1")
    expect(links).to_contain_text("API delivered")
    page.screenshot(path=str(SHOTS / "mspdi-project-links.png"))
    assert Dependency.objects.filter(upstream=upstream, downstream=project).exists()
