"""The capacity page in a real browser: a programme manager finds it in the navigation,
opens a team to see its people, and narrows the page to those over capacity."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from portfolio.core.periods import Period
from programmes.models import Team
from projects.models import Project
from tests.browser.conftest import go_to, log_in
from tests.factories import AllocationFactory, PersonFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_manager_finds_who_is_over_capacity_by_team(page: Page, live_server) -> None:
    manager = PersonFactory(name="Gus Programme", user__username="progman")
    programme = ProgrammeFactory(manager=manager)
    team = Team.objects.create(name="Signals")
    tara = PersonFactory(name="Tara Singh", user=None, team=team, weekly_capacity_hours=40)
    PersonFactory(name="Ian Idle", user=None, team=team, weekly_capacity_hours=40)
    monday = Period.containing(date.today()).start
    for percent, stage in ((80, Project.Stage.DELIVERY), (50, Project.Stage.DELIVERY)):
        AllocationFactory(
            person=tara,
            project=ProjectFactory(programme=programme, stage=stage),
            start_date=monday,
            finish_date=monday + timedelta(weeks=4, days=-3),
            percent=percent,
            hours_per_week=None,
        )
    assert tara.weekly_capacity_hours == Decimal(40)
    log_in(page, live_server.url, "progman")

    go_to(page, "Capacity", menu="Resources")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Capacity")
    grid = page.get_by_test_id("capacity-grid")
    expect(grid.get_by_role("rowheader").filter(has_text="Signals")).to_contain_text("2 people")
    expect(grid).not_to_contain_text("Tara Singh")

    page.get_by_role("button", name="Show people of Signals").click()
    tara_row = grid.get_by_role("row").filter(has_text="Tara Singh")
    expect(tara_row.locator("td").first).to_have_text("130%")
    expect(tara_row.locator("td").first).to_have_attribute("data-level", "over")
    page.screenshot(path="test-results/capacity.png", full_page=True)

    page.get_by_label("Only people over capacity").check()
    page.get_by_role("button", name="Show", exact=True).click()
    expect(grid.get_by_role("row").filter(has_text="Tara Singh")).to_be_visible()
    expect(grid).not_to_contain_text("Ian Idle")
