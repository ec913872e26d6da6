"""Over-booking in a real browser: the PMO books a busy person through the booking form as
rendered and is told which weeks go over; under a refusing policy (set on the policy page
as rendered) the form keeps the input and says why next to the percentage."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from programmes.models import Person
from projects.models import Allocation
from tests.browser.conftest import log_in
from tests.factories import AllocationFactory, PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _book_tara(page: Page, project_url: str) -> None:
    page.goto(project_url)
    page.get_by_role("tab", name="Dependencies & people").click()
    page.get_by_role("link", name="Book someone").click()
    page.fill("#id_person", "Tara Singh")  # searchable: type the name
    page.fill("#id_start_date", "2027-03-22")
    page.fill("#id_finish_date", "2027-04-16")
    page.fill("#id_percent", "50")
    page.locator("main").get_by_role("button", name="Save").click()


def test_pmo_is_warned_of_an_over_booking_and_a_refusing_policy_keeps_the_form(
    page: Page, live_server
) -> None:
    PersonFactory(name="Pia PMO", access=Person.Access.PMO, user__username="pmo")
    tara = PersonFactory(name="Tara Singh", user=None, weekly_capacity_hours=Decimal("37.5"))
    signalling = ProjectFactory(name="Signalling")
    AllocationFactory(
        person=tara,
        project=signalling,
        start_date=date(2027, 3, 22),
        finish_date=date(2027, 4, 16),
        percent=80,
        hours_per_week=None,
    )
    timetables = ProjectFactory(name="Timetables", programme=signalling.programme)
    base = live_server.url
    log_in(page, base, "pmo")

    _book_tara(page, f"{base}{timetables.get_absolute_url()}")
    expect(page.get_by_role("status").filter(has_text="This takes Tara Singh")).to_have_text(
        "This takes Tara Singh to 130 % in weeks 12–15 of 2027."
    )
    assert Allocation.objects.filter(project=timetables).count() == 1

    page.goto(f"{base}/programmes/portfolios/{timetables.portfolio_id}/health-policy/")
    page.get_by_label("Over-booking a person").select_option(label="Refuse it")
    page.locator("main").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()

    third = ProjectFactory(name="Depots", programme=signalling.programme)
    _book_tara(page, f"{base}{third.get_absolute_url()}")
    percent = page.locator("#id_percent")
    expect(percent).to_have_value("50")
    expect(page.locator("main")).to_contain_text("policy refuses over-bookings")
    expect(percent).to_have_attribute("aria-invalid", "true")
    assert not Allocation.objects.filter(project=third).exists()
