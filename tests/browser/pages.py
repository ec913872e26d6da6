"""The pages each role reaches by walking the navigation, for the tests that visit them all.

The walk starts at the role's landing page and follows same-site links in the navigation and
the main content, keeping the first URL of each route (one project page stands for all), so
the list grows with the routes the site has, not with the rows in the demo.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from playwright.sync_api import Error, Page

# Not pages of the site: sign-out, Django's admin (a library's own pages), downloads, and the
# bench routes that exist only for the load tests.
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/bench/", "/api/v1/", "/api/schema")
SKIPPED_SUFFIXES = (".csv", ".xlsx", "/export/")
LIMIT = 60


def settle(page: Page) -> None:
    """Waits until the page and the fragments it loads on reveal have arrived."""
    # A page that polls may never be idle for long; what it has shown by then will do.
    with suppress(Error):
        page.wait_for_load_state("networkidle", timeout=5_000)


def _route(path: str) -> str | None:
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES):
        return None
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(page: Page, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "nav a[href], main a[href]", "links => links.map((a) => a.href)"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if href.startswith(base) and not parts.query and not parts.fragment:
            paths.append(parts.path)
    return paths


def reachable_pages(page: Page, base: str) -> list[str]:
    """The paths of one page per route reachable from where the signed-in user landed."""
    start = urlsplit(page.url).path
    seen_routes = {_route(start)}
    queue = [start]
    for path in queue:
        if len(queue) >= LIMIT:
            break
        page.goto(f"{base}{path}")
        for link in _links(page, base):
            route = _route(link)
            if route is not None and route not in seen_routes:
                seen_routes.add(route)
                queue.append(link)
    return queue[:LIMIT]
