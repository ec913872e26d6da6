"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live_server.

A failing test leaves a screenshot in test-results/, and the failure report names it.
Every browser context a test opens (through `page`, `context` or `new_context`) watches for
Content-Security-Policy violations, and the test fails if the browser reported any.
"""

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
AXE = ROOT / "static" / "vendor" / "axe-core" / "axe.min.js"

# Runs in every document before its own scripts: each violation the browser reports (inline
# script or style, eval, a foreign source) is handed to the test through an exposed binding,
# which survives navigations where anything stored in the page would not.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} ` +
    `in ${event.documentURI} (${event.sourceFile || ""}:${event.lineNumber}) ` +
    `${event.sample || ""}`);
});
"""


class CspWatch:
    """Collects the CSP violations of every context attached to it."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def attach(self, context: BrowserContext) -> None:
        context.expose_binding("__cspViolation", lambda _source, text: self.violations.append(text))
        context.add_init_script(_REPORT_VIOLATIONS)
        # Chromium also logs each refusal to the console, including ones (a refused eval in a
        # worker, say) that raise no event in the document.
        context.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url')}: {message.text}")


@pytest.fixture
def new_context(
    new_context: Callable[..., BrowserContext],
) -> Generator[Callable[..., BrowserContext], None, None]:
    watch = CspWatch()

    def watched(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        watch.attach(context)
        return context

    yield watched
    distinct = list(dict.fromkeys(watch.violations))
    assert not distinct, "Content-Security-Policy violations:\n" + "\n".join(distinct)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and page is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{item.name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", f"saved to {path}"))
        except Exception as exc:  # the page may be gone; the failure itself matters more
            report.sections.append(("screenshot", f"could not be taken: {exc}"))
    return report


def log_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form, and wait until the site has let the user in."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def go_to(page: Page, label: str, menu: str | None = None) -> None:
    """Follows a link of the main navigation as a person does: opening its menu first
    ("Resources", "Portfolio", "Delivery", or the account menu: menu="account")."""
    if menu == "account":
        page.get_by_test_id("account-menu").click()
        scope = page.get_by_role("navigation", name="Main")
    else:
        scope = page.get_by_role("navigation", name="Main")
        if menu:
            scope.get_by_role("button", name=menu).click()
    scope.get_by_role("link", name=label, exact=True).click()


def log_out(page: Page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_role("button", name="Log out").click()


def axe_violations(page: Page, impacts: tuple[str, ...] = ("critical", "serious")) -> list[str]:
    """Runs axe-core (vendored, test-only) on the page as it stands, and names each violation
    of the given impacts with the elements it found. Injected by URL from the site's own
    static files: the Content-Security-Policy refuses the inline copy `path=` would add."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        origin = page.evaluate("location.origin")
        page.add_script_tag(url=f"{origin}/static/{AXE.relative_to(ROOT / 'static')}")
    results = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ") + " " + n.failureSummary.split("\\n")[1])
          }));
        }"""
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} on {page.url}\n    " + "\n    ".join(v["nodes"][:8])
        for v in results
        if v["impact"] in impacts
    ]


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )
