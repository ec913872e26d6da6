"""Who may do what through the API: every route and method, for every role of the cast.

Each row is one route and method with the status each role gets, in the order of
ROLES_AND_ANONYMOUS: 200/201/204 where the role may, 403 where it may read but not write (or
create nothing of the kind), 404 where the object is outside its reach, 400 where the parent
named in the body is outside its reach (refused like a parent that does not exist), 401
without a token.
A refused call changes nothing; every route of the API must have its rows here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from rest_framework.routers import DefaultRouter

from portfolio import api
from portfolio.boardpacks.models import BoardPack
from portfolio.core.periods import Period
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.imports.models import ImportJob
from portfolio.notifications.models import Notification
from portfolio.scenarios.models import Scenario, ScenarioChange
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from projects.models import (
    Allocation,
    Baseline,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)
from tests.api_world import World, call, make_world
from tests.conftest import ROLES, ROLES_AND_ANONYMOUS, Cast
from tests.factories import (
    GREEN,
)


@pytest.fixture
def world(cast: Cast) -> World:
    world = make_world(cast)
    project = world.project_a1
    Baseline.objects.create(
        project=project,
        number=1,
        name="Original",
        reason="First",
        baseline_finish=project.baseline_finish,
    )
    return world


# The matrix ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    url: Callable[[World], str]
    body: Callable[[World], dict[str, Any]]
    expected: tuple[int, ...]

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def _row(
    route: str,
    method: str,
    expected: tuple[int, ...],
    url: Callable[[World], str] | None = None,
    body: Callable[[World], dict[str, Any]] | None = None,
) -> Row:
    assert len(expected) == len(ROLES_AND_ANONYMOUS), route
    return Row(
        route,
        method,
        url or (lambda w: reverse(f"api:{route}")),
        body or (lambda w: {}),
        expected,
    )


def _detail(route: str, target: Callable[[World], models.Model]) -> Callable[[World], str]:
    return lambda w: reverse(f"api:{route}", args=[target(w).pk])


def _pack(w: World) -> BoardPack:
    return BoardPack.objects.create(
        programme=w.programme_a1,
        as_of=timezone.localdate(),
        requested_by=w.pmo.user,
        status=BoardPack.Status.SUCCEEDED,
        pdf=b"%PDF-1.7",
    )


def _scenario(w: World) -> Scenario:
    return Scenario.objects.create(name="Later", programme=w.programme_a1, owner=w.pmo.user)


def _scenario_change(w: World) -> str:
    change = ScenarioChange.objects.create(scenario=_scenario(w), kind="cancel")
    return reverse("api:scenario-remove-change", args=[change.scenario_id, change.pk])


IMPORT_CSV = b"Dept,Code,Name,Start,Finish\nD1,P1,Project one,2026-01-05,2026-12-18\n"
MSPDI_PLAN = b'<Project xmlns="http://schemas.microsoft.com/project"><Tasks/></Project>'
IMPORT_COLUMNS = {
    "portfolio_code": "Dept",
    "project_code": "Code",
    "project_name": "Name",
    "start_date": "Start",
    "finish_date": "Finish",
}


# Columns: pmo, executive, programme manager, project manager, other project manager,
# outsider, anonymous.
EVERYONE = (200, 200, 200, 200, 200, 200, 401)
READERS_OF_A1 = (200, 200, 200, 200, 404, 404, 401)
PMO_ONLY_CREATE = (201, 403, 403, 403, 403, 403, 401)
PMO_ONLY_WRITE_A1 = (200, 403, 403, 403, 404, 404, 401)
PMO_ONLY_WRITE_ALL = (200, 403, 403, 403, 403, 403, 401)
OWN_NOTICE = (404, 404, 404, 200, 404, 404, 401)
SCENARIO_A1 = (200, 404, 200, 404, 404, 404, 401)


def _notice(w: World) -> Notification:
    return Notification.objects.create(
        recipient=w.project_manager.user, kind="mention", title="Hi", event_key="k"
    )


def _portfolio(w: World) -> Portfolio:
    return w.portfolio_a


def _programme(w: World) -> Programme:
    return w.programme_a1


def _project(w: World) -> Project:
    return w.project_a1


def _original(w: World) -> Baseline:
    return Baseline.objects.get(project=w.project_a1, number=1)


ROWS = [
    _row("api-root", "GET", EVERYONE),
    # Portfolios
    _row("portfolio-list", "GET", EVERYONE),
    _row(
        "portfolio-list",
        "POST",
        PMO_ONLY_CREATE,
        body=lambda w: {"code": "NEW", "name": "New portfolio"},
    ),
    _row("portfolio-detail", "GET", READERS_OF_A1, _detail("portfolio-detail", _portfolio)),
    _row(
        "portfolio-timeline-detail",
        "GET",
        READERS_OF_A1,
        _detail("portfolio-timeline-detail", _portfolio),
    ),
    # Money by month: read with the subject; a project's phasing is PMO's, as its budget.
    _row(
        "portfolio-money-detail",
        "GET",
        READERS_OF_A1,
        _detail("portfolio-money-detail", _portfolio),
    ),
    _row(
        "programme-money-detail",
        "GET",
        READERS_OF_A1,
        _detail("programme-money-detail", _programme),
    ),
    _row("project-money-detail", "GET", READERS_OF_A1, _detail("project-money-detail", _project)),
    _row(
        "project-money-phasing",
        "POST",
        PMO_ONLY_WRITE_A1,
        _detail("project-money-phasing", _project),
        lambda w: {"kind": "forecast", "shape": "s_curve"},
    ),
    _row(
        "portfolio-detail",
        "PUT",
        PMO_ONLY_WRITE_A1,
        _detail("portfolio-detail", _portfolio),
        lambda w: {"code": w.portfolio_a.code, "name": "Renamed", "rating_scale": "dca5"},
    ),
    _row(
        "portfolio-detail",
        "PATCH",
        PMO_ONLY_WRITE_A1,
        _detail("portfolio-detail", _portfolio),
        lambda w: {"description": "Changed"},
    ),
    _row("portfolio-archive", "POST", PMO_ONLY_WRITE_A1, _detail("portfolio-archive", _portfolio)),
    _row("portfolio-restore", "POST", PMO_ONLY_WRITE_A1, _detail("portfolio-restore", _portfolio)),
    # Programmes
    _row("programme-list", "GET", EVERYONE),
    _row(
        "programme-list",
        "POST",
        PMO_ONLY_CREATE,
        body=lambda w: {"portfolio": w.portfolio_a.pk, "code": "NEW", "name": "New programme"},
    ),
    _row("programme-detail", "GET", READERS_OF_A1, _detail("programme-detail", _programme)),
    _row(
        "programme-detail",
        "PUT",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("programme-detail", _programme),
        lambda w: {
            "portfolio": w.portfolio_a.pk,
            "code": w.programme_a1.code,
            "name": "Programme A1 renamed",
            "manager": w.programme_manager.pk,
        },
    ),
    _row(
        "programme-detail",
        "PATCH",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("programme-detail", _programme),
        lambda w: {"objective": "Deliver"},
    ),
    _row("programme-archive", "POST", PMO_ONLY_WRITE_A1, _detail("programme-archive", _programme)),
    _row("programme-restore", "POST", PMO_ONLY_WRITE_A1, _detail("programme-restore", _programme)),
    # People: the shared pool is seen by everyone with a Person record, kept by PMO.
    _row("person-list", "GET", EVERYONE),
    _row("person-list", "POST", PMO_ONLY_CREATE, body=lambda w: {"name": "New Person"}),
    _row("person-detail", "GET", EVERYONE, _detail("person-detail", lambda w: w.pool_person)),
    _row(
        "person-detail",
        "PUT",
        PMO_ONLY_WRITE_ALL,
        _detail("person-detail", lambda w: w.pool_person),
        lambda w: {"name": "Renamed Person", "access": "staff"},
    ),
    _row(
        "person-detail",
        "PATCH",
        PMO_ONLY_WRITE_ALL,
        _detail("person-detail", lambda w: w.pool_person),
        lambda w: {"job_title": "Engineer"},
    ),
    _row(
        "person-archive",
        "POST",
        PMO_ONLY_WRITE_ALL,
        _detail("person-archive", lambda w: w.pool_person),
    ),
    _row(
        "person-restore",
        "POST",
        PMO_ONLY_WRITE_ALL,
        _detail("person-restore", lambda w: w.pool_person),
    ),
    # Teams
    _row("team-list", "GET", EVERYONE),
    _row("team-list", "POST", PMO_ONLY_CREATE, body=lambda w: {"name": "Data"}),
    _row("team-detail", "GET", EVERYONE, _detail("team-detail", lambda w: w.team)),
    _row(
        "team-detail",
        "PUT",
        PMO_ONLY_WRITE_ALL,
        _detail("team-detail", lambda w: w.team),
        lambda w: {"name": "Platform team"},
    ),
    _row(
        "team-detail",
        "PATCH",
        PMO_ONLY_WRITE_ALL,
        _detail("team-detail", lambda w: w.team),
        lambda w: {"description": "Runs the platform"},
    ),
    # Projects
    _row("project-list", "GET", EVERYONE),
    _row(
        "project-list",
        "POST",
        PMO_ONLY_CREATE,
        body=lambda w: {
            "portfolio": w.portfolio_a.pk,
            "programme": w.programme_a1.pk,
            "code": "NEW",
            "name": "New project",
            "baseline_start": "2026-01-05",
            "baseline_finish": "2026-06-26",
        },
    ),
    _row("project-detail", "GET", READERS_OF_A1, _detail("project-detail", _project)),
    _row(
        "project-detail",
        "PUT",
        PMO_ONLY_WRITE_A1,
        _detail("project-detail", _project),
        lambda w: {
            "portfolio": w.portfolio_a.pk,
            "programme": w.programme_a1.pk,
            "code": w.project_a1.code,
            "name": "Project A1 renamed",
            "baseline_start": "2026-01-05",
            "baseline_finish": "2026-12-18",
        },
    ),
    _row(
        "project-detail",
        "PATCH",
        PMO_ONLY_WRITE_A1,
        _detail("project-detail", _project),
        lambda w: {"stage": "delivery"},
    ),
    _row("project-archive", "POST", PMO_ONLY_WRITE_A1, _detail("project-archive", _project)),
    _row("project-restore", "POST", PMO_ONLY_WRITE_A1, _detail("project-restore", _project)),
    # Milestones: the project's manager writes them.
    _row("milestone-list", "GET", EVERYONE),
    _row(
        "milestone-list",
        "POST",
        (201, 403, 403, 201, 400, 403, 401),
        body=lambda w: {
            "project": w.project_a1.pk,
            "name": "Go live",
            "baseline_date": "2026-09-01",
        },
    ),
    _row(
        "milestone-detail", "GET", READERS_OF_A1, _detail("milestone-detail", lambda w: w.milestone)
    ),
    _row(
        "milestone-detail",
        "PUT",
        (200, 403, 403, 200, 404, 404, 401),
        _detail("milestone-detail", lambda w: w.milestone),
        lambda w: {"name": "Beta 2", "baseline_date": "2026-06-01"},
    ),
    _row(
        "milestone-detail",
        "PATCH",
        (200, 403, 403, 200, 404, 404, 401),
        _detail("milestone-detail", lambda w: w.milestone),
        lambda w: {"forecast_date": "2026-06-15"},
    ),
    _row(
        "milestone-detail",
        "DELETE",
        (204, 403, 403, 204, 404, 404, 401),
        _detail("milestone-detail", lambda w: w.milestone),
    ),
    # Baselines: read with the project; its manager, programme manager and PMO re-baseline.
    _row("baseline-list", "GET", EVERYONE),
    _row(
        "baseline-list",
        "POST",
        (201, 403, 201, 201, 400, 403, 401),
        body=lambda w: {"project": w.project_a1.pk, "name": "Gate 2", "reason": "Approved."},
    ),
    _row("baseline-detail", "GET", READERS_OF_A1, _detail("baseline-detail", _original)),
    _row("baseline-compare", "GET", READERS_OF_A1, _detail("baseline-compare", _original)),
    # Dependencies: the programme manager coordinates them; a project manager records what
    # their own project needs (another project's manager is refused on `downstream`).
    _row("dependency-list", "GET", EVERYONE),
    _row(
        "dependency-list",
        "POST",
        (201, 403, 201, 201, 400, 403, 401),
        body=lambda w: {"upstream": w.project_a1_third.pk, "downstream": w.project_a1.pk},
    ),
    _row(
        "dependency-detail",
        "GET",
        READERS_OF_A1,
        _detail("dependency-detail", lambda w: w.dependency),
    ),
    _row(
        "dependency-detail",
        "PUT",
        (200, 403, 200, 200, 404, 404, 401),
        _detail("dependency-detail", lambda w: w.dependency),
        lambda w: {
            "upstream": w.project_a1_sibling.pk,
            "downstream": w.project_a1.pk,
            "kind": "ss",
            "lag_days": 5,
        },
    ),
    _row(
        "dependency-detail",
        "PATCH",
        (200, 403, 200, 200, 404, 404, 401),
        _detail("dependency-detail", lambda w: w.dependency),
        lambda w: {"lag_days": -2},
    ),
    _row(
        "dependency-detail",
        "DELETE",
        (204, 403, 204, 204, 404, 404, 401),
        _detail("dependency-detail", lambda w: w.dependency),
    ),
    # Allocations: the programme manager books people.
    _row("allocation-list", "GET", EVERYONE),
    _row(
        "allocation-list",
        "POST",
        (201, 403, 201, 403, 403, 403, 401),
        body=lambda w: {
            "person": w.pool_person.pk,
            "project": w.project_a1.pk,
            "start_date": "2026-09-01",
            "finish_date": "2026-09-30",
            "percent": 20,
        },
    ),
    _row(
        "allocation-detail",
        "GET",
        READERS_OF_A1,
        _detail("allocation-detail", lambda w: w.allocation),
    ),
    _row(
        "allocation-detail",
        "PUT",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("allocation-detail", lambda w: w.allocation),
        lambda w: {
            "person": w.allocation.person_id,
            "start_date": "2026-02-02",
            "finish_date": "2026-03-31",
            "percent": None,
            "hours_per_week": "10.0",
        },
    ),
    _row(
        "allocation-detail",
        "PATCH",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("allocation-detail", lambda w: w.allocation),
        lambda w: {"percent": 40},
    ),
    _row(
        "allocation-detail",
        "DELETE",
        (204, 403, 204, 403, 404, 404, 401),
        _detail("allocation-detail", lambda w: w.allocation),
    ),
]


def _register_rows(kind: str, create: dict[str, Any], put: dict[str, Any]) -> list[Row]:
    def target(w: World) -> models.Model:
        return getattr(w, kind)

    return [
        _row(f"{kind}-list", "GET", EVERYONE),
        _row(
            f"{kind}-list",
            "POST",
            (201, 403, 403, 201, 400, 403, 401),
            body=lambda w: {"project": w.project_a1.pk, **create},
        ),
        _row(f"{kind}-detail", "GET", READERS_OF_A1, _detail(f"{kind}-detail", target)),
        _row(
            f"{kind}-detail",
            "PUT",
            (200, 403, 403, 200, 404, 404, 401),
            _detail(f"{kind}-detail", target),
            lambda w: put,
        ),
        _row(
            f"{kind}-detail",
            "PATCH",
            (200, 403, 403, 200, 404, 404, 401),
            _detail(f"{kind}-detail", target),
            lambda w: {"description": "More detail"},
        ),
        _row(
            f"{kind}-escalate",
            "POST",
            (200, 403, 403, 200, 404, 404, 401),
            _detail(f"{kind}-escalate", target),
        ),
    ]


ROWS += _register_rows(
    "risk",
    {"title": "Vendor exits", "probability": 2, "impact": 4},
    {"title": "Supplier slips badly", "probability": 4, "impact": 4, "status": "mitigating"},
)
ROWS += _register_rows(
    "issue",
    {"title": "Licence expired", "severity": 3},
    {"title": "Test rig broken", "severity": 4, "status": "in_progress"},
)


def _next_week(w: World) -> str:
    return Period.containing(timezone.localdate()).next().label


def _current(
    model: type[models.Model], subject: str, target: Callable[[World], models.Model]
) -> Callable[[World], models.Model]:
    return lambda w: model._default_manager.get(**{subject: target(w), "is_current": True})


# Health is read-only: lists are scoped, a record is seen by whoever sees its subject.
ROWS += [
    _row("project-health-list", "GET", EVERYONE),
    _row(
        "project-health-detail",
        "GET",
        READERS_OF_A1,
        _detail("project-health-detail", _current(ProjectHealth, "project", _project)),
    ),
    _row("programme-health-list", "GET", EVERYONE),
    _row(
        "programme-health-detail",
        "GET",
        READERS_OF_A1,
        _detail("programme-health-detail", _current(ProgrammeHealth, "programme", _programme)),
    ),
    _row("portfolio-health-list", "GET", EVERYONE),
    _row(
        "portfolio-health-detail",
        "GET",
        READERS_OF_A1,
        _detail("portfolio-health-detail", _current(PortfolioHealth, "portfolio", _portfolio)),
    ),
]
ROWS += [
    # Status reports: the project's manager writes them.
    _row("status-report-list", "GET", EVERYONE),
    _row(
        "status-report-list",
        "POST",
        (201, 403, 403, 201, 400, 403, 401),
        body=lambda w: {"project": w.project_a1.pk, "period": _next_week(w), **GREEN},
    ),
    _row(
        "status-report-detail",
        "GET",
        READERS_OF_A1,
        _detail("status-report-detail", lambda w: w.draft),
    ),
    _row(
        "status-report-detail",
        "PUT",
        (200, 403, 403, 200, 404, 404, 401),
        _detail("status-report-detail", lambda w: w.draft),
        lambda w: {**GREEN, "percent_complete": 25, "next_steps": "Ship"},
    ),
    _row(
        "status-report-detail",
        "PATCH",
        (200, 403, 403, 200, 404, 404, 401),
        _detail("status-report-detail", lambda w: w.draft),
        lambda w: {"percent_complete": 30},
    ),
    _row(
        "status-report-submit",
        "POST",
        (200, 403, 403, 200, 404, 404, 401),
        _detail("status-report-submit", lambda w: w.draft),
    ),
    # Benefits, their measurements and stakeholders: the programme manager writes them.
    _row("benefit-list", "GET", EVERYONE),
    _row(
        "benefit-list",
        "POST",
        (201, 403, 201, 403, 403, 403, 401),
        body=lambda w: {
            "programme": w.programme_a1.pk,
            "name": "Fewer complaints",
            "measure": "complaints a month",
            "target": "50",
            "target_date": "2027-03-31",
        },
    ),
    _row("benefit-detail", "GET", READERS_OF_A1, _detail("benefit-detail", lambda w: w.benefit)),
    _row(
        "benefit-detail",
        "PUT",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("benefit-detail", lambda w: w.benefit),
        lambda w: {
            "name": "Faster claims",
            "measure": "days to settle",
            "target": "8",
            "target_date": "2027-06-30",
        },
    ),
    _row(
        "benefit-detail",
        "PATCH",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("benefit-detail", lambda w: w.benefit),
        lambda w: {"unit": "days"},
    ),
    _row("benefit-measurement-list", "GET", EVERYONE),
    _row(
        "benefit-measurement-list",
        "POST",
        (201, 403, 201, 403, 403, 403, 401),
        body=lambda w: {"benefit": w.benefit.pk, "measured_on": "2026-04-01", "value": "15"},
    ),
    _row(
        "benefit-measurement-detail",
        "GET",
        READERS_OF_A1,
        _detail("benefit-measurement-detail", lambda w: w.measurement),
    ),
    _row("stakeholder-list", "GET", EVERYONE),
    _row(
        "stakeholder-list",
        "POST",
        (201, 403, 201, 403, 403, 403, 401),
        body=lambda w: {
            "programme": w.programme_a1.pk,
            "name": "Regulator",
            "influence": 5,
            "interest": 3,
        },
    ),
    _row(
        "stakeholder-detail",
        "GET",
        READERS_OF_A1,
        _detail("stakeholder-detail", lambda w: w.stakeholder),
    ),
    _row(
        "stakeholder-detail",
        "PUT",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("stakeholder-detail", lambda w: w.stakeholder),
        lambda w: {"name": "Union rep", "influence": 3, "interest": 5},
    ),
    _row(
        "stakeholder-detail",
        "PATCH",
        (200, 403, 200, 403, 404, 404, 401),
        _detail("stakeholder-detail", lambda w: w.stakeholder),
        lambda w: {"desired_engagement": "leading"},
    ),
    # Imports are the PMO's: everyone else sees no job (404) and may upload none (403).
    _row("import-list", "GET", EVERYONE),
    _row(
        "import-list",
        "POST",
        PMO_ONLY_CREATE,
        body=lambda w: {
            "content_base64": base64.b64encode(IMPORT_CSV).decode(),
            "mapping": {"columns": IMPORT_COLUMNS},
            "dry_run": True,
        },
    ),
    _row(
        "import-detail",
        "GET",
        (200, 404, 404, 404, 404, 404, 401),
        _detail(
            "import-detail",
            lambda w: ImportJob.objects.create(
                filename="x.csv", data=IMPORT_CSV, file_format="csv", created_by=w.pmo.user
            ),
        ),
    ),
    # Board packs: of what one reads whole (PMO, executive, the programme's manager); a pack
    # is its requester's.
    _row("board-pack-list", "GET", EVERYONE),
    _row(
        "board-pack-list",
        "POST",
        (201, 201, 201, 403, 403, 403, 401),
        body=lambda w: {"programme": w.programme_a1.pk, "as_of": str(timezone.localdate())},
    ),
    _row(
        "board-pack-detail",
        "GET",
        (200, 404, 404, 404, 404, 404, 401),
        _detail("board-pack-detail", lambda w: _pack(w)),
    ),
    _row(
        "board-pack-download",
        "GET",
        (200, 404, 404, 404, 404, 404, 401),
        _detail("board-pack-download", lambda w: _pack(w)),
    ),
    # Scenarios: the PMO's and the programme's manager's; to everyone else they do not exist.
    _row("scenario-list", "GET", EVERYONE),
    _row(
        "scenario-list",
        "POST",
        (201, 403, 201, 403, 403, 403, 401),
        body=lambda w: {"name": "Later", "programme": w.programme_a1.pk},
    ),
    _row("scenario-detail", "GET", SCENARIO_A1, _detail("scenario-detail", _scenario)),
    _row(
        "scenario-detail",
        "PATCH",
        SCENARIO_A1,
        _detail("scenario-detail", _scenario),
        lambda w: {"name": "Sooner"},
    ),
    _row(
        "scenario-detail",
        "PUT",
        SCENARIO_A1,
        _detail("scenario-detail", _scenario),
        lambda w: {"name": "Sooner", "description": ""},
    ),
    _row(
        "scenario-detail",
        "DELETE",
        (204, 404, 204, 404, 404, 404, 401),
        _detail("scenario-detail", _scenario),
    ),
    _row("scenario-changes", "GET", SCENARIO_A1, _detail("scenario-changes", _scenario)),
    _row(
        "scenario-changes",
        "POST",
        (201, 404, 201, 404, 404, 404, 401),
        _detail("scenario-changes", _scenario),
        lambda w: {"kind": "move", "project": w.project_a1.pk, "weeks": 2},
    ),
    _row("scenario-remove-change", "DELETE", (204, 404, 204, 404, 404, 404, 401), _scenario_change),
    _row("scenario-evaluation", "GET", SCENARIO_A1, _detail("scenario-evaluation", _scenario)),
    _row("scenario-apply", "POST", SCENARIO_A1, _detail("scenario-apply", _scenario)),
    _row("scenario-discard", "POST", SCENARIO_A1, _detail("scenario-discard", _scenario)),
    # What-if is a read: whoever sees the project may ask; for others it does not exist.
    _row(
        "impact-list",
        "POST",
        (200, 200, 200, 200, 400, 400, 401),
        body=lambda w: {"changes": [{"project": w.project_a1.pk, "slip": 5}]},
    ),
    # A Project plan is imported by whoever writes the project's milestones; the others who
    # see the project are refused (403), the rest do not see it (404).
    _row(
        "project-mspdi-list",
        "POST",
        (200, 403, 403, 200, 404, 404, 401),
        lambda w: reverse("api:project-mspdi-list", args=[w.project_a1.pk]),
        lambda w: {"content_base64": base64.b64encode(MSPDI_PLAN).decode()},
    ),
    # Notices are their recipient's own: another's answers 404 to everyone else, the PMO too.
    _row("notification-list", "GET", EVERYONE),
    _row("notification-detail", "GET", OWN_NOTICE, _detail("notification-detail", _notice)),
    _row("notification-read", "POST", OWN_NOTICE, _detail("notification-read", _notice)),
    _row("notification-read-all", "POST", EVERYONE),
    _row("notification-preferences", "GET", EVERYONE),
    _row(
        "notification-preferences",
        "PUT",
        EVERYONE,
        body=lambda w: {
            "digest": True,
            "kinds": [{"kind": "mention", "in_app": True, "email": False}],
        },
    ),
    # Capacity and levelling are for whoever books people: PMO and programme managers. A
    # key offered no more is a conflict (409); another programme's booking is refused.
    _row("capacity-demand-list", "GET", (200, 403, 200, 403, 403, 403, 401)),
    _row("capacity-suggestions-list", "GET", (200, 403, 200, 403, 403, 403, 401)),
    _row(
        "capacity-apply-list",
        "POST",
        (409, 403, 409, 403, 403, 403, 401),
        body=lambda w: {"key": f"split-{w.allocation.pk}-1.0-20260202"},
    ),
    # The schema and its docs need a token (or a session) unless API_DOCS_PUBLIC is on.
    _row("schema", "GET", (200,) * 6 + (401,)),
    _row("docs", "GET", (200,) * 6 + (302,)),
]

# Everything a refused call could have changed (tokens are left out: using one is recorded).
WATCHED = (
    Portfolio,
    Programme,
    Person,
    Team,
    Project,
    Milestone,
    Baseline,
    Dependency,
    Allocation,
    StatusReport,
    Risk,
    Issue,
    Benefit,
    BenefitMeasurement,
    Stakeholder,
)


def _snapshot() -> list[list[dict[str, Any]]]:
    return [list(model.objects.order_by("pk").values()) for model in WATCHED]


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_each_role_gets_the_expected_status_and_refusals_change_nothing(
    world: World, row: Row
) -> None:
    got: dict[str, int] = {}
    bodies: dict[str, Any] = {}
    changed_by_refusal = []
    for role in ROLES_AND_ANONYMOUS:
        with transaction.atomic():
            before = _snapshot()
            response = call(world.client(role), row.method, row.url(world), row.body(world))
            got[role] = response.status_code
            bodies[role] = response.content[:300]
            if response.status_code >= 400 and _snapshot() != before:
                changed_by_refusal.append(role)
            transaction.set_rollback(True)
    assert got == dict(zip(ROLES_AND_ANONYMOUS, row.expected, strict=True)), bodies
    assert changed_by_refusal == []


def test_refusals_explain_themselves_in_json(world: World) -> None:
    response = call(
        world.client("executive"),
        "PATCH",
        reverse("api:project-detail", args=[world.project_a1.pk]),
        {"name": "Mine now"},
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may read this but not change it."}
    response = world.client("outsider").get(
        reverse("api:project-detail", args=[world.project_a1.pk])
    )
    assert response.status_code == 404
    assert "detail" in response.json()


# Every route is in the matrix ----------------------------------------------------------------


def _router_routes(router: DefaultRouter) -> set[tuple[str, str]]:
    routes = {("api-root", "GET")}
    for _, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            mapping = router.get_method_map(viewset, route.mapping)
            name = route.name.format(basename=basename)
            routes.update((name, method.upper()) for method in mapping)
    return routes


def _names(patterns: list[URLPattern | URLResolver]) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns)
        elif pattern.name:
            names.add(pattern.name)
    return names


def test_every_api_route_and_method_is_in_the_matrix() -> None:
    in_matrix = {(row.route, row.method) for row in ROWS}
    routes = _router_routes(api.build_router()) | {("schema", "GET"), ("docs", "GET")}
    assert routes - in_matrix == set(), "routes missing from the matrix"
    assert in_matrix - routes == set(), "matrix rows for routes that do not exist"
    assert _names(api.urls()) == {route for route, _ in routes}


def test_the_matrices_cover_every_role_of_the_cast() -> None:
    cast_roles = {
        name
        for name, field in Cast.__dataclass_fields__.items()
        if field.type in (Person, "Person")
    }
    assert set(ROLES) == cast_roles
