"""MFA in a real browser: a PMO sets up an authenticator app (the test computes its codes
from the key the page shows), signs out, signs in with the app's code, then with a recovery
code, which a second time is refused."""

import pytest
from playwright.sync_api import Page, expect

from programmes.models import Person
from tests.accounts.mfa_helpers import app_code_from_secret
from tests.browser.conftest import go_to, log_in, log_out
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page: Page) -> None:
    log_out(page)
    page.wait_for_url(lambda url: "/accounts/login/" in url)


def _code_step(page: Page, base: str, code: str) -> None:
    log_in(page, base, "pmo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authentication code")
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Verify").click()


def test_a_pmo_sets_up_mfa_and_signs_in_with_the_app_then_a_recovery_code_once(
    page: Page, live_server
) -> None:
    PersonFactory(name="Pia PMO", access=Person.Access.PMO, user__username="pmo")
    base = live_server.url
    log_in(page, base, "pmo")
    go_to(page, "MFA", menu="account")
    expect(page.get_by_test_id("mfa-state")).to_contain_text("off")
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()
    secret = page.get_by_test_id("mfa-secret").inner_text()
    page.get_by_label("Authentication code").fill(app_code_from_secret(secret))
    page.get_by_role("button", name="Turn MFA on").click()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10

    _log_out(page)
    # The code just used is spent: the app's next one, within the one-step tolerance.
    _code_step(page, base, app_code_from_secret(secret, steps_ahead=1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolios")

    _log_out(page)
    _code_step(page, base, codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolios")

    _log_out(page)
    _code_step(page, base, codes[0])
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.goto(f"{base}/programmes/portfolios/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authentication code")
