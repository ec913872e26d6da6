"""The dependency editor in a real browser: each milestone dropdown follows the project
chosen on its side, sorted by date, and the form saves as rendered."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from programmes.models import Person
from projects.models import Dependency
from tests.browser.conftest import log_in
from tests.factories import MilestoneFactory, PersonFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _options(page: Page, select: str) -> list[str]:
    return [
        text.strip() for text in page.locator(f"{select} option").all_inner_texts() if text.strip()
    ]


def test_the_milestone_dropdowns_follow_the_chosen_projects(page: Page, live_server) -> None:
    PersonFactory(name="Pia PMO", access=Person.Access.PMO, user__username="pmo")
    programme = ProgrammeFactory(name="Rail")
    signalling = ProjectFactory(programme=programme, name="Signalling")
    timetable = ProjectFactory(programme=programme, name="Timetable")
    MilestoneFactory(project=signalling, name="Go live", baseline_date=date(2027, 3, 1))
    MilestoneFactory(project=signalling, name="Design", baseline_date=date(2026, 9, 1))
    MilestoneFactory(project=timetable, name="Approved", baseline_date=date(2026, 10, 5))
    log_in(page, live_server.url, "pmo")
    page.goto(f"{live_server.url}/projects/dependencies/new/?downstream={timetable.pk}")

    expect(page.locator("#id_downstream_milestone")).to_contain_text("Approved")
    assert _options(page, "#id_upstream_milestone") == ["---------"]

    page.select_option("#id_upstream", label=str(signalling))
    expect(page.locator("#id_upstream_milestone")).to_contain_text("Design")
    assert _options(page, "#id_upstream_milestone") == [
        "---------",
        "Design (1 Sep 2026)",
        "Go live (1 Mar 2027)",
    ]
    page.select_option("#id_upstream_milestone", label="Design (1 Sep 2026)")
    page.select_option("#id_downstream_milestone", label="Approved (5 Oct 2026)")
    page.locator("main").get_by_role("button", name="Save").click()
    page.wait_for_url(lambda url: "/dependencies/new/" not in url)

    dependency = Dependency.objects.get()
    assert (dependency.upstream, dependency.downstream) == (signalling, timetable)
    assert dependency.upstream_milestone is not None
    assert dependency.upstream_milestone.name == "Design"
    assert dependency.downstream_milestone is not None
    assert dependency.downstream_milestone.name == "Approved"
