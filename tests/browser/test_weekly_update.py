"""A project manager's weekly update in a real browser: from login, through a refused
submission, to a submitted report and a corrected second revision."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from portfolio.core.periods import Period
from projects.models import StatusReport
from tests.browser.conftest import log_in
from tests.factories import GREEN, PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_project_manager_submits_a_weekly_update_and_corrects_it(page: Page, live_server) -> None:
    manager = PersonFactory(name="Peter Novak", user__username="pm")
    project = ProjectFactory(name="Online Payments", manager=manager)
    this_week = Period.containing(timezone.localdate())
    for weeks_back in (3, 2, 1):
        StatusReport.objects.create(
            project=project,
            period_start=this_week.previous(weeks_back).start,
            state="submitted",
            submitted_at=timezone.now(),
            percent_complete=20 * weeks_back,
            next_steps="Integration testing",
            **{
                **GREEN,
                "schedule": "amber",
                "schedule_reason": "Supplier late",
                "overall": "amber",
                "overall_reason": "Watch",
            },
        )

    log_in(page, live_server.url, "pm")
    expect(page.get_by_role("heading", level=1)).to_have_text("My projects")
    expect(page.get_by_test_id("period-status")).to_have_text("Not started")
    page.get_by_role("link", name="Update").click()

    # Pre-filled from last week.
    expect(page.locator("input[name=schedule][value=amber]")).to_be_checked()
    expect(page.locator("#id_schedule_reason")).to_have_value("Supplier late")
    expect(page.locator("#id_next_steps")).to_have_value("Integration testing")

    page.locator("input[name=cost][value=red]").check()
    expect(page.locator("#save-status")).to_contain_text("Draft saved")
    page.fill("#id_percent_complete", "65")
    page.fill("#id_accomplishments", "Payments API live in staging")
    page.get_by_role("button", name="Submit report").click()
    expect(page.locator("#save-status")).to_contain_text("not submitted")
    expect(page.get_by_text("Say in one line why cost is not green.", exact=True)).to_be_visible()
    expect(page.locator("#id_accomplishments")).to_have_value("Payments API live in staging")

    page.fill("#id_cost_reason", "Extra licences needed")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_test_id("report-meta")).to_contain_text("Revision 1 · Submitted")
    expect(page.locator("main")).to_contain_text("Extra licences needed")

    page.get_by_role("link", name="Correct this report").click()
    expect(page.locator("#id_cost_reason")).to_have_value("Extra licences needed")
    page.locator("input[name=cost][value=amber]").check()
    page.fill("#id_cost_reason", "Licences negotiated down")
    page.get_by_role("button", name="Submit report").click()
    expect(page.get_by_test_id("report-meta")).to_contain_text("Revision 2 · Submitted")
    differences = page.get_by_test_id("revision-differences")
    expect(differences).to_contain_text("Red")
    expect(differences).to_contain_text("Licences negotiated down")

    first, second = StatusReport.objects.filter(period_start=this_week.start).order_by("revision")
    assert (first.cost, second.cost) == ("red", "amber")
    assert first.percent_complete == second.percent_complete == 65
