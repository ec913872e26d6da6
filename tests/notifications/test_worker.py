"""Notices through a real Celery worker (another process, real Redis and PostgreSQL), whose
emails land as files (Django's file-based backend through EMAIL_URL): an escalation makes
one notice and one email, even when its email job runs twice."""

from pathlib import Path

import pytest

from portfolio.core.queue import publish
from portfolio.notifications.models import Kind, Notification
from portfolio.notifications.services import SEND_EMAIL_TASK
from projects.services import risk_escalate
from tests.conftest import WORKER_LOG, Cast, wait_for
from tests.factories import RiskFactory

pytestmark = pytest.mark.worker
SENT = "Task notifications.send_email["


def _emails(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.iterdir())]


def _jobs_done() -> int:
    return sum(
        1 for line in WORKER_LOG.read_text().splitlines() if SENT in line and "succeeded" in line
    )


def test_an_escalation_makes_one_notice_and_one_email_even_if_the_job_runs_twice(
    file_mail: Path, celery_worker: object, cast: Cast
) -> None:
    risk = RiskFactory(project=cast.project_a1, title="Vendor exits")
    risk_escalate(risk=risk)
    notice = Notification.objects.get(kind=Kind.ESCALATION)
    assert notice.recipient == cast.programme_manager.user
    wait_for(lambda: Notification.objects.filter(pk=notice.pk, emailed_at__isnull=False).first())
    wait_for(lambda: _emails(file_mail))
    before = _jobs_done()
    publish(SEND_EMAIL_TASK, notice.pk)  # the same job again, as a redelivery would
    wait_for(lambda: _jobs_done() > before)
    (email,) = _emails(file_mail)
    assert f"To: {cast.programme_manager.user.email}" in email
    assert "Subject: Risk escalated to Programme A1: Vendor exits" in email
    assert risk.get_absolute_url() in email
    assert Notification.objects.count() == 1
