"""The API against its own OpenAPI schema.

The schema is valid OpenAPI 3 and names every route. Then Schemathesis (its Python API,
against the Django WSGI app in-process) generates requests for every operation, as several
roles, and checks each response: never a 5xx, always as the schema says, and never an object
the role may not see. Bounded: EXAMPLES per operation and generation mode, derandomized so a
run is repeatable; set API_FUZZ_EXAMPLES / API_FUZZ_RANDOM=1 for a deeper, random run.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from schemathesis.generation import GenerationMode

from portfolio import api
from portfolio.boardpacks.models import BoardPack
from portfolio.core.schema import decimal_pattern, error_statuses
from portfolio.health.models import PortfolioHealth, ProgrammeHealth, ProjectHealth
from portfolio.imports.models import ImportJob
from portfolio.notifications.models import Notification
from portfolio.scenarios.models import Scenario
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
from tests.api_world import World, make_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))

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
    "baselines": lambda user: Baseline.objects.filter(project__in=Project.objects.visible_to(user)),
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
    "board-packs": BoardPack.objects.visible_to,
    # What-if answers name no object by "id"; what they name is checked in tests/projects.
    "impact": Project.objects.visible_to,
    "notifications": lambda user: Notification.objects.shown_to(user),
    # Demand and suggestions name people, not objects by "id"; checked in tests/dashboards.
    "capacity": Person.objects.all,
    "scenarios": Scenario.objects.visible_to,
}

# An existing object per resource, so that half the detail requests reach real rows.
TARGETS: dict[str, Callable[[World], Any]] = {
    "portfolios": lambda w: w.portfolio_a,
    "programmes": lambda w: w.programme_a1,
    "projects": lambda w: w.project_a1,
    "people": lambda w: w.pool_person,
    "teams": lambda w: w.team,
    "milestones": lambda w: w.milestone,
    "baselines": lambda w: Baseline.objects.get_or_create(
        project=w.project_a1,
        number=1,
        defaults={"name": "Original", "reason": "-", "baseline_finish": date(2026, 12, 18)},
    )[0],
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
    "impact": lambda w: w.project_a1,
    "board-packs": lambda w: (
        BoardPack.objects.first()
        or BoardPack.objects.create(
            programme=w.programme_a1, as_of=date(2026, 11, 2), requested_by=w.pmo.user
        )
    ),
    "notifications": lambda w: Notification.objects.get_or_create(
        recipient=w.project_manager.user, event_key="schema", defaults={"kind": "mention"}
    )[0],
    "health/portfolios": lambda w: PortfolioHealth.objects.get(
        portfolio=w.portfolio_a, is_current=True
    ),
    "capacity": lambda w: w.allocation,
    "scenarios": lambda w: (
        Scenario.objects.first()
        or Scenario.objects.create(name="Later", programme=w.programme_a1, owner=w.pmo.user)
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


NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def test_the_schema_is_valid_openapi_3_and_names_every_route(admin_client: Any) -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    served = admin_client.get(reverse("api:schema"), {"format": "json"}).json()
    assert served["openapi"].startswith("3.")
    router = api.build_router()
    # A nested route's pattern ("projects/(?P<project_pk>[0-9]+)/mspdi") is a templated path.
    templated = (NAMED_GROUP.sub(r"{\1}", prefix) for prefix, _, _ in router.registry)
    prefixes = {f"/api/v1/{prefix}/" for prefix in templated}
    assert prefixes <= set(served["paths"])
    assert set(VISIBLE) == {_resource(path) for path in served["paths"]}
    assert served["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from /account/api-tokens/",
    }


# DRF's words for a value of the wrong type or format: a schema-valid request refused in
# these words means the schema does not state the field truthfully.
TYPE_ERRORS = (
    "A valid number is required",
    "A valid integer is required",
    "Enter a valid date",
    "Date has wrong format",
    "Datetime has wrong format",
    "Not a valid string",
    "Must be a valid boolean",
    "is not a valid choice",
    "This field may not be blank",
    "This field may not be null",
    "This field is required",
    "Expected a list of items",
    "Incorrect type",
    "Ensure that there are no more than",
)


def _refused_only_for_what_the_schema_cannot_state(case: Any, body: Any) -> None:
    words = json.dumps(body)
    for message in TYPE_ERRORS:
        assert message not in words, (
            f"schema-valid {case.method} {case.formatted_path} refused for its type or "
            f"format: {words[:500]} (sent {case.body!r:.500})"
        )


def test_every_operation_documents_each_refusal_it_can_give_with_a_json_body(
    admin_client: Any,
) -> None:
    served = admin_client.get(reverse("api:schema"), {"format": "json"}).json()
    missing = []
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            for status in error_statuses(method.upper(), path):
                documented = operation["responses"].get(str(status), {})
                if "application/json" not in documented.get("content", {}):
                    missing.append(f"{method.upper()} {path} {status}")
    assert not missing
    writes = served["paths"]["/api/v1/projects/{id}/"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "412", "415", "429"} <= set(writes)
    assert "Retry-After" in writes["429"]["headers"]
    assert served["components"]["schemas"]["PreconditionFailed"]["required"] == [
        "detail",
        "etag",
    ]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("12.50", True), ("0.5", True), (".5", True), ("7", True), ("", False), (".", False)],
)
def test_a_decimal_field_is_documented_as_the_strings_it_accepts(value: str, valid: bool) -> None:
    field = serializers.DecimalField(max_digits=12, decimal_places=2)
    assert bool(re.match(decimal_pattern(field), value)) is valid
    assert _accepts(field, value) is valid


def _accepts(field: serializers.Field, value: str) -> bool:
    try:
        field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


def test_a_decimal_that_may_not_be_negative_is_documented_without_a_sign() -> None:
    field = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal(0))
    assert not re.match(decimal_pattern(field), "-1.0")


def test_a_write_to_no_route_is_a_json_404_even_without_a_csrf_cookie() -> None:
    response = Client(enforce_csrf_checks=True).put("/api/v1/issues/-8.5e-69/", "{}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No such API route")


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


def _holds_blank_query_value(case: Any) -> bool:
    """Whether the request sends some query parameter as `name=`: a blank string, or an
    empty object or list, or one holding only those (all are encoded the same way)."""
    return any(_encodes_blank(value) for value in (case.query or {}).values())


def _encodes_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_encodes_blank(item) for item in value.values())
    if isinstance(value, list | tuple):
        return all(_encodes_blank(item) for item in value)
    return value == ""


@dataclass
class Fuzzer:
    """Sends generated cases as one role and checks what comes back."""

    user: Any
    headers: dict[str, str]
    calls: int = 0

    def check(self, case: Any, mode: GenerationMode, resource: str, target: int) -> None:
        self.calls += 1
        if mode is GenerationMode.NEGATIVE and _holds_blank_query_value(case):
            # An empty query value is the parameter left out (what a form sends for a field
            # left blank), and the API takes it so; OpenAPI 3 cannot say that of a typed
            # parameter, so such a case is not "invalid data accepted".
            return
        if mode is GenerationMode.POSITIVE and case.path_parameters.get("id") == target:
            # Let writes to the real row through (a generated If-Match is always stale);
            # requests to generated ids keep theirs.
            (case.headers or {}).pop("If-Match", None)
        response = case.call(headers=self.headers)
        # Every check schemathesis has (its default set), in both generation modes.
        case.validate_response(response, headers=self.headers)
        if mode is GenerationMode.POSITIVE and response.status_code == 400:
            _refused_only_for_what_the_schema_cannot_state(case, response.json())
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


def _described(exc: BaseException) -> str:
    """What failed, the answer and a curl command to reproduce it (schemathesis's report)."""
    return str(exc)[:2500]


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
    checks = schema.config.checks
    # A request the schema allows may still be refused on its fields (an id outside the
    # role's reach, a date before another): a 400, as documented; TYPE_ERRORS keeps that from
    # hiding a schema that misstates a field's type or format. A stale If-Match refuses any
    # request, valid or not (412, documented).
    checks.positive_data_acceptance.expected_statuses = [
        *checks.positive_data_acceptance.expected_statuses,
        "400",
        "412",
    ]
    checks.negative_data_rejection.expected_statuses = [
        *checks.negative_data_rejection.expected_statuses,
        "412",
    ]
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        target = TARGETS[_resource(operation.path)](world).pk
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzzer.operation(operation, mode, target)
            # Collected so one run reports every operation (schemathesis raises a group of
            # failures, which is not an Exception).
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{mode.value} {operation.label}: {_described(exc)}")
    print(f"{role}: {fuzzer.calls} generated calls in {time.monotonic() - started:.0f} s")
    assert fuzzer.calls >= 100  # generation did not silently stop
    print("\n\n".join(failures))
    assert not failures, f"{len(failures)} operations failed (printed above)"
