"""Scenarios in the API, the same rules and services as the pages:

- `/api/v1/scenarios/`: list, create (`portfolio` or `programme`), read, rename, delete;
- `/api/v1/scenarios/{id}/changes/`: list and add changes; `DELETE …/changes/{change}/`;
- `GET /api/v1/scenarios/{id}/evaluation/`: the scenario beside live;
- `POST /api/v1/scenarios/{id}/apply/`: 409 with the conflicts unless
  `{"confirm_conflicts": true}`; `POST /api/v1/scenarios/{id}/discard/`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import DestroyMixin, ReadMixin, ScopedViewSet, UpdateMixin
from portfolio.scenarios.access import (
    buildable_portfolios,
    buildable_programmes,
    may_apply_scenario,
    may_build_scenarios,
    may_change_scenario,
)
from portfolio.scenarios.evaluation import evaluate
from portfolio.scenarios.models import Scenario, ScenarioChange
from portfolio.scenarios.services import (
    ConflictsFound,
    scenario_apply,
    scenario_change_add,
    scenario_change_remove,
    scenario_create,
    scenario_discard,
)
from programmes.models import Person, Team
from projects.models import Allocation, Project

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


class ScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = [
            "id",
            "name",
            "description",
            "portfolio",
            "programme",
            "owner",
            "state",
            "created_at",
            "updated_at",
            "applied_at",
        ]
        read_only_fields = [
            "id",
            "portfolio",
            "programme",
            "owner",
            "state",
            "created_at",
            "updated_at",
            "applied_at",
        ]


class ScenarioCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    portfolio = serializers.IntegerField(required=False, help_text="A portfolio's id, or")
    programme = serializers.IntegerField(required=False, help_text="a programme's id")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if ("portfolio" in attrs) == ("programme" in attrs):
            raise serializers.ValidationError(
                {"portfolio": ["Give a portfolio or a programme, not both nor neither."]}
            )
        field = "portfolio" if "portfolio" in attrs else "programme"
        scopes = buildable_portfolios(user) if field == "portfolio" else buildable_programmes(user)
        found = scopes.filter(pk=attrs[field]).first()
        if found is None:
            raise serializers.ValidationError(
                {field: [f"No {field} with this id that you may build scenarios on."]}
            )
        attrs["scope"] = found
        return attrs


class ChangeSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)
    weeks = serializers.IntegerField(
        write_only=True, required=False, min_value=1, max_value=520, help_text="A delay…"
    )
    to_date = serializers.DateField(write_only=True, required=False, help_text="…or a new finish")
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.active(), required=False, allow_null=True
    )
    allocation = serializers.PrimaryKeyRelatedField(
        queryset=Allocation.objects.all(), required=False, allow_null=True
    )
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.active(), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.active(), required=False, allow_null=True
    )
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, min_value=0, max_value=168, required=False, allow_null=True
    )
    percent = serializers.IntegerField(min_value=1, max_value=100, required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=50, required=False, allow_null=True)

    class Meta:
        model = ScenarioChange
        fields = [
            "id",
            "kind",
            "description",
            "project",
            "weeks",
            "to_date",
            "days",
            "allocation",
            "person",
            "team",
            "start_date",
            "finish_date",
            "percent",
            "hours",
            "count",
            "base",
            "created_at",
        ]
        read_only_fields = ["id", "description", "days", "base", "created_at"]


class ApplySerializer(serializers.Serializer):
    confirm_conflicts = serializers.BooleanField(default=False)


CONFLICTS = inline_serializer(
    "ScenarioConflicts",
    {
        "detail": serializers.CharField(),
        "conflicts": serializers.ListField(child=serializers.DictField()),
    },
)
EVALUATION = OpenApiResponse(
    response=inline_serializer(
        "ScenarioEvaluation",
        {
            "scenario": serializers.IntegerField(),
            "today": serializers.DateField(),
            "capacity": serializers.DictField(),
            "dates": serializers.DictField(),
            "money": serializers.DictField(),
            "health": serializers.DictField(),
        },
    ),
    description="The scenario beside live: over-allocations, dates, money by month, health",
)


class ScenarioViewSet(ReadMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """What-if scenarios: build, evaluate, apply or discard."""

    serializer_class = ScenarioSerializer
    create_rule = may_build_scenarios
    write_rule = may_change_scenario
    ordering_fields = ["updated_at", "name"]

    def visible(self, user: AnyUser) -> QuerySet[Scenario]:
        return Scenario.objects.visible_to(user)

    @extend_schema(request=ScenarioCreateSerializer, responses={201: ScenarioSerializer})
    def create(self, request: Request) -> Response:
        self.require_create()
        form = ScenarioCreateSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        scenario = scenario_create(
            owner=request.user,
            name=form.validated_data["name"],
            description=form.validated_data["description"],
            scope=form.validated_data["scope"],
        )
        return self.respond(scenario, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="changes", pagination_class=None)
    def changes(self, request: Request, pk: str | None = None) -> Response:
        scenario: Scenario = self.get_object()
        found = scenario.changes.select_related("project", "person", "team")
        return Response(ChangeSerializer(found, many=True).data)

    @extend_schema(request=ChangeSerializer, responses={201: ChangeSerializer})
    @changes.mapping.post
    def add_change(self, request: Request, pk: str | None = None) -> Response:
        with transaction.atomic():
            scenario: Scenario = self.writable_object()
            form = ChangeSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            fields = {k: v for k, v in form.validated_data.items() if v is not None}
            change = scenario_change_add(scenario=scenario, **fields)
        return Response(ChangeSerializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"changes/(?P<change>[0-9]+)")
    def remove_change(self, request: Request, pk: str | None = None, change: str = "") -> Response:
        with transaction.atomic():
            scenario: Scenario = self.writable_object()
            found = scenario.changes.filter(pk=int(change)).first()
            if found is None:
                return Response(
                    {"detail": "No such change in this scenario."}, status=status.HTTP_404_NOT_FOUND
                )
            scenario_change_remove(change=found)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: EVALUATION})
    @action(detail=True, methods=["get"])
    def evaluation(self, request: Request, pk: str | None = None) -> Response:
        scenario: Scenario = self.get_object()
        return Response(evaluate(scenario, request.user).as_data())

    @extend_schema(
        request=ApplySerializer,
        responses={200: ScenarioSerializer, 409: OpenApiResponse(response=CONFLICTS)},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        scenario: Scenario = self.get_object()
        may_apply_scenario.require(request.user, scenario)
        form = ApplySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            scenario = scenario_apply(
                scenario=scenario,
                user=request.user,
                confirm_conflicts=form.validated_data["confirm_conflicts"],
            )
        except ConflictsFound as found:
            conflicts = [
                {"change": c.change.pk, "description": c.change.describe(), "live": c.differences}
                for c in found.conflicts
            ]
            detail = "Live data changed since these changes were added: confirm to apply."
            return Response(
                {"detail": detail, "conflicts": conflicts}, status=status.HTTP_409_CONFLICT
            )
        return self.respond(scenario)

    @extend_schema(request=None, responses={200: ScenarioSerializer})
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        scenario: Scenario = self.writable_object()
        return self.respond(scenario_discard(scenario=scenario))


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("scenarios", ScenarioViewSet, "scenario"),
]
