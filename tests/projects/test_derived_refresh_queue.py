"""When the derived forecasts are refreshed: after a write that can move a slip has
committed, one refresh queued at a time, and a weekly report that moves no date asks for
none (each refresh reads the whole plan)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from portfolio.core.periods import Period
from projects import impact
from projects.impact import REFRESH_DERIVED_FORECASTS, derived_forecasts_refresh
from projects.models import Milestone, StatusReport
from tests.conftest import Cast
from tests.factories import GREEN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The refreshes sent to the broker from now on (none is waiting to start)."""
    sent: list[str] = []
    monkeypatch.setattr(impact, "publish", lambda task, *args: sent.append(task) or True)
    derived_forecasts_refresh()  # the cast's own writes queued one: it starts here
    return sent


def _report(cast: Cast, finish: date, weeks_ago: int = 0) -> None:
    StatusReport.objects.create(
        project=cast.project_a1,
        period_start=Period.containing(timezone.localdate()).previous(weeks_ago).start,
        state=StatusReport.State.SUBMITTED,
        submitted_at=timezone.now(),
        forecast_finish=finish,
        **GREEN,
    )


def _move(milestone: Milestone, day: date) -> None:
    milestone.forecast_date = day
    milestone.save()


def test_a_weekly_report_asks_for_a_refresh_only_when_it_moves_the_forecast_finish(
    cast: Cast, published: list[str]
) -> None:
    project = cast.project_a1
    project.forecast_finish = date(2027, 1, 15)
    project.save()
    derived_forecasts_refresh()
    published.clear()
    _report(cast, date(2027, 1, 15), weeks_ago=1)
    assert published == []
    _report(cast, date(2027, 2, 26))
    assert published == [REFRESH_DERIVED_FORECASTS]


def test_writes_before_the_queued_refresh_starts_share_it(cast: Cast, published: list[str]) -> None:
    milestone = Milestone.objects.create(
        project=cast.project_a1, name="Design signed off", baseline_date=date(2027, 1, 4)
    )
    derived_forecasts_refresh()
    published.clear()
    with transaction.atomic():  # many rows, one transaction: one refresh
        _move(milestone, date(2027, 1, 11))
        _move(milestone, date(2027, 1, 12))
    _move(milestone, date(2027, 1, 13))  # committed before the refresh started
    assert published == [REFRESH_DERIVED_FORECASTS]
    derived_forecasts_refresh()  # the worker starts it: later writes queue the next one
    _move(milestone, date(2027, 1, 14))
    assert published == [REFRESH_DERIVED_FORECASTS] * 2


def test_a_rolled_back_write_leaves_later_writes_their_refresh(
    cast: Cast, published: list[str]
) -> None:
    milestone = Milestone.objects.create(
        project=cast.project_a1, name="Design signed off", baseline_date=date(2027, 1, 4)
    )
    derived_forecasts_refresh()
    published.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        _move(milestone, date(2027, 1, 11))
        raise RuntimeError("the user's write failed after the milestone was saved")
    assert published == []
    _move(milestone, date(2027, 1, 18))
    assert published == [REFRESH_DERIVED_FORECASTS]
