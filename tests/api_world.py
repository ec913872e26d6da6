"""The API's world: the cast, the records around project A1 and an API token for each role,
shared by the API's access matrix, its behaviour tests, its token tests and its schema fuzzer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.accounts.models import ApiToken
from portfolio.core.periods import Period
from portfolio.health import rollup
from programmes.models import Benefit, BenefitMeasurement, Person, Stakeholder, Team
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk, StatusReport
from tests.conftest import ROLES, Cast
from tests.factories import (
    GREEN,
    AllocationFactory,
    DependencyFactory,
    IssueFactory,
    MilestoneFactory,
    PersonFactory,
    ProjectFactory,
    RiskFactory,
    TeamFactory,
)


@dataclass
class World:
    """The cast, the records around project A1 (programme A1, portfolio A) and a token each."""

    cast: Cast
    project_a1_third: Project
    pool_person: Person
    team: Team
    milestone: Milestone
    dependency: Dependency
    allocation: Allocation
    draft: StatusReport
    submitted: StatusReport
    risk: Risk
    issue: Issue
    benefit: Benefit
    measurement: BenefitMeasurement
    stakeholder: Stakeholder
    tokens: dict[str, str]

    def client(self, role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens[role]}")
        return client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cast, name)


def make_world(cast: Cast) -> World:
    this_week = Period.containing(timezone.localdate())
    benefit = Benefit.objects.create(
        programme=cast.programme_a1,
        name="Faster claims",
        measure="days to settle",
        target=Decimal(10),
        target_date=date(2027, 6, 30),
    )
    tokens = {
        role: ApiToken.objects.issue(user=getattr(cast, role).user, name="tests")[1]
        for role in ROLES
    }
    world = World(
        cast=cast,
        project_a1_third=ProjectFactory(programme=cast.programme_a1, name="Project A1 third"),
        pool_person=PersonFactory(name="Pool Person", user=None),
        team=TeamFactory(name="Platform"),
        milestone=MilestoneFactory(project=cast.project_a1, name="Beta"),
        dependency=DependencyFactory(upstream=cast.project_a1_sibling, downstream=cast.project_a1),
        allocation=AllocationFactory(project=cast.project_a1, start_date=date(2026, 2, 2)),
        draft=StatusReport.objects.create(
            project=cast.project_a1, period_start=this_week.start, **GREEN, percent_complete=20
        ),
        submitted=StatusReport.objects.create(
            project=cast.project_a1,
            period_start=this_week.previous().start,
            state=StatusReport.State.SUBMITTED,
            submitted_at=timezone.now(),
            **GREEN,
            percent_complete=10,
        ),
        risk=RiskFactory(project=cast.project_a1, title="Supplier slips"),
        issue=IssueFactory(project=cast.project_a1, title="Test rig broken"),
        benefit=benefit,
        measurement=BenefitMeasurement.objects.create(
            benefit=benefit, measured_on=date(2026, 3, 1), value=Decimal(20)
        ),
        stakeholder=Stakeholder.objects.create(
            programme=cast.programme_a1, name="Union rep", influence=4, interest=5
        ),
        tokens=tokens,
    )
    rollup.recompute_everything()
    return world


def call(client: APIClient, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    if method in ("POST", "PUT", "PATCH"):
        return client.generic(method, url, json.dumps(body or {}), content_type="application/json")
    return client.generic(method, url)
