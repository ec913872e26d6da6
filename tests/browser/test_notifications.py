"""An escalation reaches the programme manager: the project manager escalates an issue on
the weekly update page; through a real Celery worker the programme manager's bell counts
it, the notices page lists it, and one email is written."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portfolio.health.models import HealthRequest
from portfolio.notifications.models import Notification
from tests.browser.conftest import axe_violations, log_in
from tests.conftest import wait_for
from tests.factories import IssueFactory, PersonFactory, ProgrammeFactory, ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def test_an_escalated_issue_rings_the_programme_managers_bell_and_emails_once(
    file_mail: Path, celery_worker: object, page: Page, new_context, live_server
) -> None:  # type: ignore[no-untyped-def]
    progman = PersonFactory(name="Grace Okafor", user__username="progman")
    pm = PersonFactory(name="Peter Novak", user__username="pm")
    programme = ProgrammeFactory(name="Customer Digital Services", manager=progman)
    project = ProjectFactory(programme=programme, name="Online Payments", manager=pm)
    IssueFactory(project=project, title="Card processor outage")
    wait_for(lambda: not HealthRequest.objects.exists())

    log_in(page, live_server.url, "pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/update/")
    issues = page.locator("#issue-register")
    issues.get_by_role("button", name="Escalate").click()
    expect(issues.get_by_text("Escalated")).to_be_visible()

    wait_for(lambda: Notification.objects.filter(emailed_at__isnull=False).exists())
    manager = new_context().new_page()
    log_in(manager, live_server.url, "progman")
    bell = manager.get_by_test_id("notice-bell")
    expect(bell).to_have_attribute("aria-label", "Notifications: 1 unread")
    expect(manager.get_by_test_id("notice-count")).to_have_text("1")
    bell.click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Notifications")
    notice = manager.get_by_test_id("notice")
    expect(notice).to_contain_text(
        "Issue escalated to Customer Digital Services: Card processor outage"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    manager.screenshot(path=str(SHOTS / "notifications-list.png"), full_page=True)
    assert axe_violations(manager) == []

    notice.get_by_role("button", name="Mark read").click()
    expect(manager.get_by_test_id("notice-count")).to_have_count(0)
    expect(bell).to_have_attribute("aria-label", "Notifications")

    manager.get_by_role("link", name="Preferences").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Notification preferences")
    manager.screenshot(path=str(SHOTS / "notification-preferences.png"), full_page=True)
    assert axe_violations(manager) == []

    emails = [path.read_text() for path in file_mail.iterdir()]
    assert len(emails) == 1
    assert "Card processor outage" in emails[0]
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_bell_asks_for_its_count_once_per_page_not_again_after_each_answer(
    page: Page, live_server
) -> None:  # type: ignore[no-untyped-def]
    # The answer replaces the bell: were it to carry the "load" trigger too, it would ask
    # again at once, for ever, and no page would ever be idle.
    PersonFactory(name="Grace Okafor", user__username="progman")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    log_in(page, live_server.url, "progman")
    expect(page.get_by_test_id("notice-bell")).to_have_attribute("aria-label", "Notifications")
    asked.clear()
    page.reload()
    page.wait_for_load_state("networkidle", timeout=5_000)  # raises if it never is
    page.wait_for_timeout(1_500)
    assert [url for url in asked if "/notifications/bell/" in url] == [
        f"{live_server.url}/notifications/bell/"
    ]
