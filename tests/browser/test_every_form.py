"""Every form each role is shown, on the demo organisation, filled as a person would fill it:
just the fields the page renders, with valid values, then submitted. Each must succeed (no
4xx or 5xx, no error summary, still the full page), and one invalid submit per form must
show its error beside the field that caused it.

Left out, on purpose: buttons that destroy or revoke (archive, delete, revoke, unlock), which
would change the pages the walk visits next and have tests of their own; file uploads (the
importer's tests upload real files); and the authenticator-app code (a person reads it from
an app: tests/browser/test_mfa.py computes it).

A choice is an entry the organisation already had, not one this walk made ("Browser test
…"), as a person picks a real portfolio for a real programme."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Error, Locator, Page, Response, TimeoutError, expect

from portfolio.demo.organisation import DEMO_PASSWORD, load_demo
from tests.browser.conftest import log_in
from tests.browser.pages import reachable_pages, settle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("pmo", "executive", "progman", "pm")
DESTRUCTIVE = re.compile(r"archive|delete|revoke|remove|unlock|log out|remind", re.IGNORECASE)
FIELDS = "input:visible, select:visible, textarea:visible"
# A booking takes a percentage or hours a week, not both: a person fills the first.
LEFT_EMPTY = {"hours_per_week"}
# An error summary or a field's message; beside a field, text-danger too (milestone rows).
ERRORS = ".invalid-feedback, .errorlist, .alert-danger"
BESIDE = f"{ERRORS}, .text-danger"


def _forms(page: Page) -> list[int]:
    """Indexes (among `main form`) of the forms worth submitting on this page."""
    forms = page.locator("main form")
    wanted = []
    for index in range(forms.count()):
        form = forms.nth(index)
        button = form.locator("button[type=submit], button:not([type]), input[type=submit]")
        if not form.is_visible() or button.count() == 0:
            continue
        uploads = form.locator("input[type=file]").count()
        codes = form.locator("input[autocomplete=one-time-code], input[name=code]").count()
        if uploads or codes or DESTRUCTIVE.search(button.first.inner_text()):
            continue
        wanted.append(index)
    return wanted


def _fill(field: Locator, serial: int) -> None:
    """A valid value for an empty field, by its kind; filled fields keep what the page gave."""
    tag = field.evaluate("e => e.tagName.toLowerCase()")
    kind = (field.get_attribute("type") or "text").lower()
    if tag == "select" or field.get_attribute("list"):
        if not field.input_value():
            _choose(field, tag)
        return
    if kind in ("hidden", "submit", "button", "checkbox", "file"):
        return
    if kind == "radio":
        name = field.get_attribute("name")
        group = field.page.locator(f"input[type=radio][name='{name}']")
        if not any(group.nth(i).is_checked() for i in range(group.count())):
            field.check()
        return
    if field.input_value() or field.get_attribute("name") in LEFT_EMPTY:
        return
    field.fill(_value(field, kind, serial))


def _choose(field: Locator, tag: str) -> None:
    """The first real option of a select, or the first real name of a searchable choice."""
    if tag == "select":
        pairs = "os => os.map(o => [o.value, o.textContent])"
        options = field.locator("option").evaluate_all(pairs)
        values = _real([(value, label) for value, label in options if value])
        if values:
            field.select_option(values[0])
        return
    names = field.page.locator(f"datalist#{field.get_attribute('list')} option")
    if field.get_attribute("hx-get"):
        # Searched on the server: focusing the field asks for the first names.
        with field.page.expect_response(lambda r: "/choices/" in r.url):
            field.focus()
    labels = names.evaluate_all("os => os.map(o => o.value)")
    real = _real([(label, label) for label in labels])
    if real:
        field.fill(real[0])


def _real(options: list[tuple[str, str]]) -> list[str]:
    """The values of the options the organisation had before this walk (made ones last)."""
    made = [value for value, label in options if label.strip().startswith("Browser test")]
    return [value for value, _ in options if value not in made] + made


def _value(field: Locator, kind: str, serial: int) -> str:
    name = field.get_attribute("name") or ""
    placeholder = field.get_attribute("placeholder") or ""
    if name == "as_of":  # the dashboard as it stood: a day in the past
        return (date.today() - timedelta(days=7)).isoformat()
    if kind == "date" or "YYYY" in placeholder or "date" in name or name.endswith("_on"):
        return (date(2027, 1, 4) + timedelta(days=30 * serial)).isoformat()
    if kind == "number":  # the smallest whole value allowed, and at least 1
        return str(max(1, int(float(field.get_attribute("min") or 1))))
    if kind == "password":
        return DEMO_PASSWORD if name == "old_password" else "Harbour-lantern-9417"
    if kind == "email":
        return f"browser{serial}@example.org"
    limit = int(field.get_attribute("maxlength") or 40)
    return f"Browser test {serial}"[:limit]


def _fill_form(form: Locator) -> None:
    fields = form.locator(FIELDS)
    for serial in range(fields.count()):
        _fill(fields.nth(serial), serial)


# A form the browser submits itself (no htmx request attribute, not inside a boosted part).
NAVIGATES = (
    "f => !f.matches('[hx-post],[hx-get],[hx-put],[hx-patch],[hx-delete]')"
    " && !f.closest('[hx-boost=true]')"
)


def _submit(page: Page, form: Locator) -> list[str]:
    """Submits and returns the failed answers (4xx and 5xx) the site gave meanwhile."""
    failed: list[str] = []

    def record(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.request.method} {response.url}")

    settle(page)  # requests the filling triggered (htmx on change) land first
    page.on("response", record)
    button = form.locator("button[type=submit], button:not([type]), input[type=submit]").first
    if form.evaluate(NAVIGATES):
        # Wait for the answer's document: on a slow server it could otherwise land after
        # the next page.goto and interrupt it.
        try:
            with page.expect_navigation(timeout=15_000):
                button.click()
        except TimeoutError:  # a script of the page kept the document after all
            pass
    else:
        button.click()
    page.wait_for_load_state()
    settle(page)
    page.remove_listener("response", record)
    return failed


def _problems_after_valid_submit(page: Page, path: str, index: int) -> list[str]:
    if page.locator("main form").count() <= index:  # an earlier submit changed the page
        return []
    form = page.locator("main form").nth(index)
    target = form.get_attribute("hx-post") or form.get_attribute("action") or "here"
    label = f"{path} form {index} ({target})"
    _fill_form(form)
    problems = [f"{label}: {failure}" for failure in _submit(page, form)]
    try:  # a native submit may still be replacing the document: give it time
        expect(page.locator("nav[aria-label=Main]")).to_have_count(1)
    except AssertionError:
        problems.append(f"{label}: the answer replaced the page with a bare fragment")
    shown = [e.inner_text().strip() for e in page.locator(ERRORS).all() if e.is_visible()]
    problems += [f"{label}: error shown: {text[:120]}" for text in shown if text]
    return problems


def _problems_after_invalid_submit(page: Page, path: str, index: int) -> list[str]:
    """Empties the form's first required field, submits, and expects the error beside it."""
    if page.locator("main form").count() <= index:  # an earlier submit changed the page
        return []
    form = page.locator("main form").nth(index)
    posts = (form.get_attribute("method") or "").lower() == "post" or form.get_attribute("hx-post")
    if not posts:
        return []
    required = form.locator("input[required]:visible, textarea[required]:visible")
    if required.count() == 0:
        return []
    _fill_form(form)
    name = required.first.get_attribute("name")
    required.first.fill("")
    form.evaluate("f => { f.noValidate = true; }")
    _submit(page, form)
    field = page.locator(f"main [name='{name}']").first
    wrapper = field.locator("xpath=ancestor::*[self::div or self::td or self::p][1]/..")
    beside = wrapper.locator(BESIDE).first
    if field.get_attribute("aria-invalid") != "true" or not beside.is_visible():
        return [f"{path} form {index}: emptying {name} showed no error beside it"]
    return []


def _each_form(page: Page, base: str, username: str) -> Iterator[tuple[str, int]]:
    """Logged in as the role on the demo, each form of each page it reaches, the page
    freshly loaded for each (an earlier submit may have changed it)."""
    load_demo()
    log_in(page, base, username, DEMO_PASSWORD)
    for path in reachable_pages(page, base):
        _goto(page, f"{base}{path}")
        settle(page)
        for index in _forms(page):
            _goto(page, f"{base}{path}")
            settle(page)
            yield path, index


def _goto(page: Page, url: str, attempts: int = 3) -> None:
    """Go to the page; again should a document the last submit started (a native submit
    the test took for htmx, a slow answer, a script of the page) still be arriving and
    interrupt it."""
    for attempt in range(attempts):
        try:
            page.goto(url)
            return
        except Error as error:
            if "interrupted by another navigation" not in str(error) or attempt == attempts - 1:
                raise
            settle(page)


@pytest.mark.parametrize("username", ROLES)
def test_every_form_a_role_is_shown_succeeds_filled_as_rendered(
    page: Page, live_server, username: str
) -> None:
    problems: list[str] = []
    submitted = 0
    for path, index in _each_form(page, live_server.url, username):
        problems += _problems_after_valid_submit(page, path, index)
        submitted += 1
    assert submitted > 0
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("username", ROLES)
def test_an_invalid_submit_of_each_form_shows_the_error_beside_its_field(
    page: Page, live_server, username: str
) -> None:
    problems: list[str] = []
    for path, index in _each_form(page, live_server.url, username):
        problems += _problems_after_invalid_submit(page, path, index)
    assert not problems, "\n".join(problems)
