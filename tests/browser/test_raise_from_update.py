"""Raising a risk and an issue from the weekly update in a real browser, filling only the
fields the page shows: the forms ask for what the server needs, and a refusal is explained
beside the field inside the register, never by replacing the page."""

import pytest
from playwright.sync_api import Page, expect

from projects.models import Issue, Risk
from tests.browser.conftest import log_in
from tests.factories import PersonFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def update_page(page: Page, live_server) -> Page:
    manager = PersonFactory(name="Peter Novak", user__username="pm")
    project = ProjectFactory(name="Online Payments", manager=manager)
    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/update/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly update")
    return page


def test_a_risk_and_an_issue_are_raised_with_only_the_fields_the_page_shows(
    update_page: Page,
) -> None:
    page = update_page
    risks = page.locator("#risk-register")
    risks.get_by_text("Raise a risk").click()
    risks.get_by_label("Title").fill("Vendor insolvent")
    risks.get_by_label("Probability").fill("2")
    risks.get_by_label("Impact").fill("5")
    risks.get_by_role("button", name="Raise").click()
    expect(page.locator("#risk-register .list-group")).to_contain_text("Vendor insolvent")

    issues = page.locator("#issue-register")
    issues.get_by_text("Raise an issue").click()
    issues.get_by_label("Title").fill("Test environment down")
    issues.get_by_label("Due date").fill("2027-02-22")
    issues.get_by_role("button", name="Raise").click()
    expect(page.locator("#issue-register .list-group")).to_contain_text("Test environment down")

    # Still the styled update page, not a fragment in its place.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly update")
    assert Risk.objects.get().score == 10
    assert str(Issue.objects.get().due_date) == "2027-02-22"


def test_a_bad_value_is_explained_beside_its_field_inside_the_page(update_page: Page) -> None:
    page = update_page
    risks = page.locator("#risk-register")
    risks.get_by_text("Raise a risk").click()
    risks.get_by_label("Title").fill("Vendor insolvent")
    risks.get_by_label("Probability").fill("9")
    risks.get_by_label("Impact").fill("5")
    risks.get_by_role("button", name="Raise").click()

    probability = page.locator("#risk-register #id_risk-probability")
    expect(probability).to_have_class("numberinput form-control is-invalid")
    error = page.locator("#risk-register").get_by_text("less than or equal to 5")
    expect(error).to_be_visible()
    expect(risks.get_by_label("Title")).to_have_value("Vendor insolvent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Weekly update")
    assert not Risk.objects.exists()
