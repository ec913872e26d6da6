"""The screenshot tour: every page each role reaches, at 1400 px and at 390 px, saved as PNGs
in test-results/tour/<role>/ for a person to look through. Not part of a normal run (it
checks nothing a machine can judge): `TOUR=1 scripts/test tests/browser/test_tour.py`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from tests.browser.conftest import log_in
from tests.browser.pages import reachable_pages, settle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("TOUR"), reason="the tour runs with TOUR=1"),
]

TOUR = Path(__file__).resolve().parents[2] / "test-results" / "tour"
WIDTHS = (1400, 390)


@pytest.mark.parametrize("username", ("pmo", "executive", "progman", "pm"))
def test_tour_saves_a_screenshot_of_every_page_at_both_widths(
    page: Page, live_server, username: str
) -> None:
    load_demo()
    log_in(page, live_server.url, username, DEMO_PASSWORD)
    folder = TOUR / username
    folder.mkdir(parents=True, exist_ok=True)
    paths = reachable_pages(page, live_server.url)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            settle(page)
            name = path.strip("/").replace("/", "_") or "home"
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    assert len(list(folder.glob("*.png"))) == len(paths) * len(WIDTHS)
