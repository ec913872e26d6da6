"""Every page each role reaches from the navigation, on the demo organisation: axe-core finds
no critical or serious violation at 1400 px, and nothing is wider than a 390 px phone.

CSP violations fail these tests too (the conftest watches every context)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from tests.browser.conftest import axe_violations, log_in, overflow
from tests.browser.pages import reachable_pages, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("pmo", "executive", "progman", "pm")
# Swagger UI is drf-spectacular's page, drawn by a library whose colours and nested controls
# we do not own; it is still checked for CSP and width.
NOT_OURS = ("/api/docs/",)


@pytest.mark.parametrize("username", ROLES)
def test_no_page_a_role_reaches_has_a_serious_accessibility_violation(
    page: Page, live_server, username: str
) -> None:
    load_demo()
    page.set_viewport_size({"width": 1400, "height": 900})
    log_in(page, live_server.url, username, DEMO_PASSWORD)
    paths = reachable_pages(page, live_server.url)
    assert len(paths) > 5, paths

    found = []
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        settle(page)
        if path not in NOT_OURS:
            found += axe_violations(page)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("username", ROLES)
def test_no_page_a_role_reaches_is_wider_than_a_390_px_phone(
    page: Page, live_server, username: str
) -> None:
    load_demo()
    log_in(page, live_server.url, username, DEMO_PASSWORD)
    paths = reachable_pages(page, live_server.url)
    page.set_viewport_size({"width": 390, "height": 844})

    too_wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        settle(page)
        if overflow(page) > 0:
            too_wide[path] = overflow(page)
    assert not too_wide, too_wide
