"""The Reporting page is served from the page cache until something it shows has changed:
a report submitted or started, a reminder, a project, programme or policy saved all show at
once (the cached body equals a fresh render), while the health roll-up, a register write
and a draft's autosave leave it cached."""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portfolio.core.periods import Period
from portfolio.health import rollup
from programmes.models import HealthPolicy
from projects.models import ReminderLog, StatusReport
from projects.reporting import status_report_open, status_report_save, status_report_submit
from tests.conftest import Cast
from tests.factories import GREEN, RiskFactory

TZ = timezone.get_default_timezone()
WEEK = Period.parse("2026-W47")  # due Fri 20 Nov, chased Mon 23
# Before the due day, so a draft started shows as "draft" (overdue hides it after the chase).
THURSDAY = datetime(2026, 11, 19, 10, 0, tzinfo=TZ)
URL = reverse("projects:reporting") + f"?period={WEEK.label}"

pytestmark = pytest.mark.usefixtures("_thursday")


@pytest.fixture
def _thursday() -> Any:
    with time_machine.travel(THURSDAY, tick=False):
        yield


def _main(client: Client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _fresh(client: Client) -> str:
    cache.clear()
    return _main(client)


def _open_draft(cast: Cast) -> Any:
    return status_report_open(project=cast.project_a1, period=WEEK, author=None)[0]


def _submit(cast: Cast) -> None:
    report = _open_draft(cast)
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40},
        author=None,
    )


def _remind(cast: Cast) -> None:
    ReminderLog.objects.create(
        project=cast.project_a2, period_start=WEEK.start, kind="manual", recipient="a@b.c"
    )


def _rename_project(cast: Cast) -> None:
    cast.project_a1.name = "Renamed project"
    cast.project_a1.save()


def _close_project(cast: Cast) -> None:
    cast.project_a2.stage = "closed"
    cast.project_a2.save()


def _rename_programme(cast: Cast) -> None:
    cast.programme_b1.name = "Renamed programme"
    cast.programme_b1.save()


def _rename_manager(cast: Cast) -> None:
    cast.project_manager.name = "Renamed manager"
    cast.project_manager.save()


def _earlier_due_day(cast: Cast) -> None:
    policy, _ = HealthPolicy.objects.get_or_create(portfolio=cast.portfolio_b)
    policy.report_due_weekday = 2  # Wednesday: Project B1's row says "due Wed 18 Nov"
    policy.save()


def _drop_draft(cast: Cast) -> None:
    StatusReport.objects.filter(project=cast.project_a1, period_start=WEEK.start).delete()


WRITES = [
    _open_draft,
    _submit,
    _remind,
    _rename_project,
    _close_project,
    _rename_programme,
    _rename_manager,
    _earlier_due_day,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__.strip("_"))
def test_after_a_write_the_cached_page_equals_a_fresh_render(
    cast: Cast, write: Callable[[Cast], Any]
) -> None:
    client = cast.client_for(cast.pmo)
    before = _main(client)
    write(cast)
    shown = _main(client)
    assert shown != before
    assert shown == _fresh(client)


def test_a_dropped_draft_shows_at_once(cast: Cast) -> None:
    client = cast.client_for(cast.pmo)
    _open_draft(cast)
    with_draft = _main(client)
    _drop_draft(cast)
    shown = _main(client)
    assert shown != with_draft and shown == _fresh(client)


def test_a_submitted_report_shows_at_once_for_every_viewer_of_its_portfolio(cast: Cast) -> None:
    pmo, executive = cast.client_for(cast.pmo), cast.client_for(cast.executive)
    _main(pmo), _main(executive)
    _submit(cast)
    for client in (pmo, executive):
        row = re.search(rf'id="reporting-{cast.project_a1.pk}".*?</tr>', _main(client), re.S)
        assert row is not None and 'data-testid="period-status">Submitted<' in row.group(0)


def test_a_draft_autosave_leaves_the_page_cached(cast: Cast, renders: list[str]) -> None:
    client = cast.client_for(cast.pmo)
    report = _open_draft(cast)
    _main(client)
    renders.clear()
    status_report_save(
        report=report, version=report.version, changes={"next_steps": "…"}, author=None
    )
    _main(client)
    assert renders == []


def test_the_health_roll_up_and_a_register_write_leave_the_page_cached(
    cast: Cast, renders: list[str]
) -> None:
    client = cast.client_for(cast.pmo)
    _main(client)
    renders.clear()
    RiskFactory(project=cast.project_a1, probability=5, impact=5)
    rollup.recompute_pending()
    _main(client)
    assert renders == []


def test_a_submit_in_one_portfolio_leaves_a_viewer_of_another_cached(
    cast: Cast, renders: list[str]
) -> None:
    executive = cast.client_for(cast.executive)  # reads portfolio A only
    _main(executive)
    renders.clear()
    report = status_report_open(project=cast.project_b1, period=WEEK, author=None)[0]
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40},
        author=None,
    )
    _main(executive)
    assert renders == []
