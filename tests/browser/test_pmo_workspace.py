"""A PMO user builds a programme from nothing in a real browser: portfolio, people,
programme, projects, milestone, dependency, booking, risk, benefit and stakeholder."""

import pytest
from playwright.sync_api import Page, expect

from programmes.models import Person
from projects.models import Allocation, Dependency, Milestone, Project, Risk
from tests.browser.conftest import log_in
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _save(page: Page) -> None:
    page.locator("main").get_by_role("button", name="Save").click()


def _fill(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        page.fill(f"#id_{name}", value)


def test_pmo_builds_a_programme_from_nothing(page: Page, live_server) -> None:
    PersonFactory(name="Pia PMO", access=Person.Access.PMO, user__username="pmo")
    base = live_server.url
    log_in(page, base, "pmo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolios")

    page.get_by_role("link", name="New portfolio").click()
    _fill(page, code="TRN", name="Transport")
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Transport")

    for name in ("Grace Okafor", "Peter Novak", "Ada Lovelace"):
        page.goto(f"{base}/programmes/people/new/")
        _fill(page, name=name, weekly_capacity_hours="37.5")
        _save(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    page.goto(f"{base}/programmes/portfolios/")
    page.get_by_role("link", name="Transport", exact=True).click()
    page.get_by_role("link", name="Add programme").click()
    _fill(page, code="RAIL", name="Rail Modernisation", budget="12000000")
    page.fill("#id_manager", "Grace Okafor")  # searchable: type the name
    _save(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rail Modernisation")
    programme_url = page.url

    for code, name in (("RAIL-1", "Signalling Upgrade"), ("RAIL-2", "Timetable Replan")):
        page.goto(programme_url)
        page.get_by_role("link", name="Add project").click()
        _fill(
            page,
            code=code,
            name=name,
            baseline_start="2026-01-05",
            baseline_finish="2026-12-18",
            budget="2500000",
        )
        page.fill("#id_manager", "Peter Novak")
        _save(page)
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    # The second project is open: give it a milestone, a dependency, a booking and a risk.
    page.get_by_role("link", name="Add milestone").click()
    _fill(page, name="Timetable approved", baseline_date="2026-09-01")
    _save(page)
    expect(page.get_by_role("cell", name="Timetable approved")).to_be_visible()

    page.get_by_role("tab", name="Dependencies & people").click()
    page.get_by_role("link", name="Add dependency").click()
    page.select_option("#id_upstream", label="Signalling Upgrade")
    _save(page)
    page.get_by_role("tab", name="Dependencies & people").click()
    page.get_by_role("link", name="Book someone").click()
    page.fill("#id_person", "Ada Lovelace")
    _fill(page, start_date="2026-02-01", finish_date="2026-06-30", percent="50")
    _save(page)
    page.get_by_role("tab", name="Risks & issues (0/0)").click()
    page.get_by_role("link", name="Raise a risk").click()
    _fill(page, title="Rolling stock arrives late", probability="4", impact="5")
    _save(page)

    page.goto(programme_url)
    page.get_by_role("tab", name="Benefits & stakeholders").click()
    page.get_by_role("link", name="Add benefit").click()
    _fill(
        page,
        name="Fewer delays",
        measure="Trains on time",
        unit="%",
        baseline="81",
        target="92",
        target_date="2027-12-31",
    )
    _save(page)
    page.get_by_role("tab", name="Benefits & stakeholders").click()
    page.get_by_role("link", name="Add stakeholder").click()
    _fill(page, name="Passenger watchdog", influence="4", interest="5")
    _save(page)
    page.get_by_role("tab", name="Benefits & stakeholders").click()
    expect(page.get_by_role("cell", name="Fewer delays")).to_be_visible()
    expect(page.get_by_role("cell", name="Passenger watchdog")).to_be_visible()
    page.get_by_role("tab", name="Dependencies").click()
    expect(page.locator("#dependencies")).to_contain_text("Signalling Upgrade")

    timetable = Project.objects.get(code="RAIL-2")
    assert Project.objects.filter(programme__code="RAIL").count() == 2
    assert Milestone.objects.get(project=timetable).name == "Timetable approved"
    assert Dependency.objects.get(downstream=timetable).upstream.code == "RAIL-1"
    assert Allocation.objects.get(project=timetable).person.name == "Ada Lovelace"
    assert Risk.objects.get(project=timetable).score == 20
