"""Each demo role logs in through a real browser and lands on its own page."""

import pytest
from playwright.sync_api import Page, expect

from portfolio.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# username -> (landing path, heading, (its menu or None, a nav link only this kind of role sees))
LANDINGS = {
    "pmo": ("/programmes/portfolios/", "Portfolios", ("Delivery", "Reporting")),
    "executive": ("/dashboard/", "Portfolio dashboard", (None, "Dashboard")),
    "progman": ("/programmes/mine/", "My programmes", (None, "My programmes")),
    "pm": ("/projects/mine/", "My projects", (None, "My projects")),
    "pm2": ("/projects/mine/", "My projects", (None, "My projects")),
}


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=[login.username for login in DEMO_LOGINS])
def test_each_demo_role_logs_in_and_lands_on_its_page(page: Page, live_server, login) -> None:
    load_demo()
    path, heading, (menu, nav_link) = LANDINGS[login.username]
    log_in(page, live_server.url, login.username, DEMO_PASSWORD)

    expect(page).to_have_url(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    nav = page.get_by_role("navigation", name="Main")
    if menu:
        nav.get_by_role("button", name=menu).click()
    expect(nav.get_by_role("link", name=nav_link)).to_be_visible()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text(login.name)
    assert page.locator("tbody tr, .card").count() > 0


def test_a_project_manager_does_not_see_the_pmo_sections(page: Page, live_server) -> None:
    load_demo()
    log_in(page, live_server.url, "pm", DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My projects")).to_be_visible()
    expect(nav.get_by_role("link", name="People")).to_have_count(0)
    expect(nav.get_by_role("link", name="Portfolios")).to_have_count(0)
