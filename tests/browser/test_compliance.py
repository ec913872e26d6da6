"""The PMO chases a missing report from the Reporting page in a real browser: the button
posts through htmx and only its row changes."""

from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from programmes.models import Person
from tests.browser.conftest import log_in
from tests.factories import PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.get_default_timezone())


def test_the_pmo_reminds_a_manager_and_the_row_says_reminder_sent(
    page: Page, live_server: Any
) -> None:
    PersonFactory(name="Priya PMO", access=Person.Access.PMO, user__username="pmo")
    manager = PersonFactory(name="Marcus Lee", email="marcus@example.org", user=None)
    project = ProjectFactory(name="Email Migration", manager=manager)
    ProjectFactory(name="Laptop Refresh", manager=manager)

    with time_machine.travel(MONDAY, tick=False):
        log_in(page, live_server.url, "pmo")
        page.goto(f"{live_server.url}/projects/reporting/?period=2026-W47")
        expect(page.get_by_test_id("compliance-summary")).to_contain_text("2 overdue")

        row = page.locator(f"#reporting-{project.pk}")
        row.get_by_role("button", name="Remind").click()
        expect(row.get_by_role("status")).to_have_text("Reminder sent Mon 23 Nov 10:00")
        expect(row.get_by_role("button", name="Remind again")).to_be_visible()
        # Swapped in place by htmx: no page load, so no flash message from the redirect.
        expect(page.get_by_text("Reminder sent to Marcus Lee")).to_have_count(0)

    other = page.get_by_test_id("compliance-row").filter(has_text="Laptop Refresh")
    expect(other.get_by_role("button", name="Remind", exact=True)).to_be_visible()
    assert [m.to for m in mail.outbox] == [["marcus@example.org"]]
