"""The browser suite's CSP watch sees a violation when there is one (so a clean run means
something), and htmx runs with eval off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import CspWatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inline_script_on_a_page_is_refused_and_reported(browser: Browser, live_server) -> None:
    context = browser.new_context()
    watch = CspWatch()
    watch.attach(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any("script-src" in violation for violation in watch.violations), watch.violations
    context.close()


def test_htmx_is_configured_to_evaluate_nothing(browser: Browser, live_server) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    config = page.evaluate(
        "() => ({eval: htmx.config.allowEval, self: htmx.config.selfRequestsOnly,"
        " styles: htmx.config.includeIndicatorStyles})"
    )
    assert config == {"eval": False, "self": True, "styles": False}
    page.close()
