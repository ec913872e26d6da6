"""A small plan in programme A1 where a six-week delay shows on every panel.

- `upstream` (Project A1 sibling) starts in two weeks and finishes in about four months;
  `downstream` (Project A1) starts the working day after it finishes (no slack), so a
  delay of the upstream moves the downstream's start and finish.
- `tara` works 37.5 h: 60 % on the upstream throughout,
  and 18.75 h a week (half her week) on another project from
  a week after the upstream's finish, so a six-week delay puts her at 110 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portfolio.core.impact import add_working_days
from portfolio.scenarios.models import Scenario
from portfolio.scenarios.services import scenario_create
from programmes.models import Person
from projects.models import Allocation, Milestone, Project
from tests.conftest import Cast
from tests.factories import AllocationFactory, DependencyFactory, MilestoneFactory, PersonFactory


@dataclass
class Plan:
    cast: Cast
    today: date
    upstream: Project
    downstream: Project
    milestone: Milestone
    tara: Person
    booking: Allocation
    scenario: Scenario


@pytest.fixture
def plan(cast: Cast) -> Plan:
    today = timezone.localdate()
    upstream = cast.project_a1_sibling
    upstream.baseline_start = today + timedelta(days=14)
    upstream.baseline_finish = today + timedelta(days=120)
    upstream.forecast_finish = None
    upstream.save()
    downstream = cast.project_a1
    downstream.baseline_start = add_working_days(upstream.baseline_finish, 1)
    downstream.baseline_finish = downstream.baseline_start + timedelta(days=90)
    downstream.forecast_finish = None
    downstream.save()
    DependencyFactory(upstream=upstream, downstream=downstream, lag_days=1)
    milestone = MilestoneFactory(project=upstream, baseline_date=today + timedelta(days=60))
    tara = PersonFactory(name="Tara Singh", user=None)
    booking = AllocationFactory(
        person=tara,
        project=upstream,
        start_date=upstream.baseline_start,
        finish_date=upstream.baseline_finish,
        percent=60,
    )
    AllocationFactory(
        person=tara,
        project=cast.project_a2,
        start_date=upstream.baseline_finish + timedelta(days=7),
        finish_date=upstream.baseline_finish + timedelta(days=100),
        percent=None,
        hours_per_week=Decimal("18.75"),
    )
    assert cast.programme_manager.user is not None
    scenario = scenario_create(
        owner=cast.programme_manager.user, name="Delay", scope=cast.programme_a1
    )
    return Plan(cast, today, upstream, downstream, milestone, tara, booking, scenario)
