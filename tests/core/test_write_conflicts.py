"""A write that PostgreSQL cancels for another's sake (a deadlock) is told so, on the page
and in the API, with nothing stored and an invitation to send it again: never a 500.

The deadlock is raised where the real one was (inside the service, through Django's own
error wrapping); tests/health/test_lock_order.py shows the health marks no longer cause
one."""

from typing import Any

import psycopg.errors
import pytest
from django.db import connection
from django.urls import reverse

from projects.models import Risk, StatusReport
from tests.api_world import make_world
from tests.conftest import Cast
from tests.factories import GREEN

pytestmark = pytest.mark.django_db


def _deadlock(*_: Any, **__: Any) -> None:
    with connection.wrap_database_errors:
        raise psycopg.errors.DeadlockDetected("deadlock detected")


def test_a_submit_cancelled_by_a_deadlock_says_it_was_not_saved(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("projects.report_views.status_report_submit", _deadlock)
    client = cast.client_for(cast.project_manager)
    url = reverse("projects:report-edit", args=[cast.project_a1.pk])
    payload = {"version": 0, **GREEN, "percent_complete": 40, "action": "submit"}
    response = client.post(url, payload)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    page = response.content.decode()
    assert "Your change was not saved" in page and "send it again" in page
    assert not StatusReport.objects.submitted().exists()


def test_an_api_write_cancelled_by_a_deadlock_is_a_503_naming_it(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(cast)
    monkeypatch.setattr("projects.services.risk_escalate", _deadlock)
    response = world.client("project_manager").post(
        reverse("api:risk-escalate", args=[world.risk.pk])
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["detail"].endswith("Send it again.")
    assert Risk.objects.get(pk=world.risk.pk).programme_id is None
