"""The API against its own OpenAPI schema.

The schema is valid OpenAPI 3 and names every route. Then Schemathesis (its Python API,
against the Django WSGI app in-process) generates requests for every operation, as several
roles, and checks each response: never a 5xx, always as the schema says, and never an object
the role may not see. Bounded: EXAMPLES per operation and generation mode, derandomized so a
run is repeatable; set API_FUZZ_EXAMPLES / API_FUZZ_RANDOM=1 for a deeper, random run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)

from portfolio import api
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.imports.models import ImportJob
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
    person_for,
    sees_everything,
)
from projects.models import Allocation, Dependency, Issue, Milestone, Project, Risk, StatusReport
from tests.api_world import World, make_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
POSITIVE_CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]

# What each role may see, resource by resource, straight from the models' rules (for the few
# models without a visible_to, from the rule the pages apply).
VISIBLE: dict[str, Callable[[Any], QuerySet[Any]]] = {
    "portfolios": Portfolio.objects.visible_to,
    "programmes": Programme.objects.visible_to,
    "projects": Project.objects.visible_to,
    "people": Person.objects.visible_to,
    "teams": lambda user: (
        Team.objects.all()
        if sees_everything(user) or person_for(user) is not None
        else Team.objects.none()
    ),
    "milestones": lambda user: Milestone.objects.filter(
        project__in=Project.objects.visible_to(user)
    ),
    "dependencies": Dependency.objects.visible_to,
    "allocations": Allocation.objects.visible_to,
    "status-reports": StatusReport.objects.visible_to,
    "risks": Risk.objects.visible_to,
    "issues": Issue.objects.visible_to,
    "benefits": Benefit.objects.visible_to,
    "benefit-measurements": lambda user: BenefitMeasurement.objects.filter(
        benefit__in=Benefit.objects.visible_to(user)
    ),
    "stakeholders": Stakeholder.objects.visible_to,
    "imports": lambda user: (
        ImportJob.objects.all() if sees_everything(user) else ImportJob.objects.none()
    ),
    "health/projects": lambda user: ProjectHealth.objects.filter(
        project__in=Project.objects.visible_to(user)
    ),
    "health/programmes": lambda user: ProgrammeHealth.objects.filter(
        programme__in=Programme.objects.visible_to(user)
    ),
    "health/portfolios": lambda user: PortfolioHealth.objects.filter(
        portfolio__in=Portfolio.objects.visible_to(user)
    ),
}

# An existing object per resource, so that half the detail requests reach real rows.
TARGETS: dict[str, Callable[[World], Any]] = {
    "portfolios": lambda w: w.portfolio_a,
    "programmes": lambda w: w.programme_a1,
    "projects": lambda w: w.project_a1,
    "people": lambda w: w.pool_person,
    "teams": lambda w: w.team,
    "milestones": lambda w: w.milestone,
    "dependencies": lambda w: w.dependency,
    "allocations": lambda w: w.allocation,
    "status-reports": lambda w: w.draft,
    "risks": lambda w: w.risk,
    "issues": lambda w: w.issue,
    "benefits": lambda w: w.benefit,
    "benefit-measurements": lambda w: w.measurement,
    "stakeholders": lambda w: w.stakeholder,
    "imports": lambda w: (
        ImportJob.objects.first()
        or ImportJob.objects.create(filename="return.csv", data=b"Code\nA\n", size=7)
    ),
    "health/projects": lambda w: ProjectHealth.objects.get(project=w.project_a1, is_current=True),
    "health/programmes": lambda w: ProgrammeHealth.objects.get(
        programme=w.programme_a1, is_current=True
    ),
    "health/portfolios": lambda w: PortfolioHealth.objects.get(
        portfolio=w.portfolio_a, is_current=True
    ),
}


def _resource(path: str) -> str:
    """The resource of a path: its first segment, or two for the health routes."""
    segments = path.removeprefix("/api/v1/").split("/")
    return "/".join(segments[:2]) if segments[0] == "health" else segments[0]


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """Django's WSGI app, served in the test's transaction (as Django's test client does:
    a request must not close the connection the test's transaction lives on)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_schema_is_valid_openapi_3_and_names_every_route(admin_client: Any) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    served = admin_client.get(reverse("api:schema"), {"format": "json"}).json()
    assert served["openapi"].startswith("3.")
    router = api.build_router()
    prefixes = {f"/api/v1/{prefix}/" for prefix, _, _ in router.registry}
    assert prefixes <= set(served["paths"])
    assert set(VISIBLE) == {_resource(path) for path in served["paths"]}
    assert served["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from /account/api-tokens/",
    }


def _fuzz(cases: st.SearchStrategy[Any], check: Callable[[Any], None]) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("API_FUZZ_RANDOM"),
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        check(case)

    return run


def _objects(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return [item for item in body["results"] if isinstance(item, dict)]
    if isinstance(body, dict) and "id" in body:
        return [body]
    return []


@dataclass
class Fuzzer:
    """Sends generated cases as one role and checks what comes back."""

    user: Any
    headers: dict[str, str]
    calls: int = 0

    def check(self, case: Any, mode: GenerationMode, resource: str, target: int) -> None:
        self.calls += 1
        if mode is GenerationMode.POSITIVE and case.path_parameters.get("id") == target:
            # Let writes to the real row through (a generated If-Match is always stale);
            # requests to generated ids keep theirs.
            (case.headers or {}).pop("If-Match", None)
        response = case.call(headers=self.headers)
        checks = POSITIVE_CHECKS if mode is GenerationMode.POSITIVE else [not_a_server_error]
        case.validate_response(response, checks=checks, headers=self.headers)
        if 200 <= response.status_code < 300 and response.content:
            visible = VISIBLE[resource](self.user)
            for item in _objects(response.json()):
                assert visible.filter(pk=item["id"]).exists(), (
                    f"{self.user} was shown {resource} {item['id']} by {case.method} "
                    f"{case.formatted_path}"
                )

    def operation(self, operation: Any, mode: GenerationMode, target: int) -> None:
        resource = _resource(operation.path)
        strategies = [operation.as_strategy(generation_mode=mode)]
        if "{id}" in operation.path:
            # Half the cases aim at a real row, so writes get past the 404.
            strategies.append(
                operation.as_strategy(generation_mode=mode, path_parameters={"id": target})
            )
        _fuzz(st.one_of(strategies), lambda case: self.check(case, mode, resource, target))()


@pytest.mark.parametrize("role", ["pmo", "executive", "programme_manager", "project_manager"])
def test_generated_requests_get_no_5xx_stay_in_schema_and_leak_nothing(
    cast: Any, wsgi_app: Any, role: str
) -> None:
    world = make_world(cast)
    fuzzer = Fuzzer(
        user=getattr(world, role).user,
        headers={"Authorization": f"Bearer {world.tokens[role]}"},
    )
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, headers=fuzzer.headers
    )
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        target = TARGETS[_resource(operation.path)](world).pk
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzzer.operation(operation, mode, target)
            except Exception as exc:  # collected so one run reports every operation
                failures.append(f"{mode.value} {operation.label}: {exc}")
    print(f"{role}: {fuzzer.calls} generated calls in {time.monotonic() - started:.0f} s")
    assert fuzzer.calls >= 100  # generation did not silently stop
    assert not failures, "\n\n".join(failures)
