"""POST /api/v1/impact/: what moves if these slip, as the impact page shows it.

A read, though a POST (it takes a list of changes): anyone with a role may ask about the
projects and milestones they can see; an id they cannot see is refused like one that does
not exist (400, on its field). The answer names only what the user may see and counts the
rest (`projects.impact.impact_report`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core import impact
from portfolio.core.api import related
from portfolio.core.forms import Scope, scope_choices
from projects.access import milestone_choices, project_choices
from projects.impact import ImpactReport, Row, impact_report
from projects.models import Milestone, Project

MAX_SLIP = 520  # working days: two years
MAX_CHANGES = 50


class ChangeSerializer(serializers.Serializer):
    scoped_fields: ClassVar[dict[str, Scope]] = {
        "project": project_choices,
        "milestone": milestone_choices,
    }
    project = related(Project, required=False, allow_null=True, help_text="The project that slips.")
    end = serializers.ChoiceField(
        choices=["finish", "start"],
        default="finish",
        help_text="Which of the project's dates slips (a project change only).",
    )
    milestone = related(
        Milestone, required=False, allow_null=True, help_text="Or the milestone that slips."
    )
    slip = serializers.IntegerField(min_value=0, max_value=MAX_SLIP, help_text="How far.")
    unit = serializers.ChoiceField(choices=["working_days", "weeks"], default="working_days")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        scope_choices(fields, self.scoped_fields, getattr(request, "user", None))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project, milestone = attrs.get("project"), attrs.get("milestone")
        if project is None and milestone is None:
            raise ValidationError({"project": ["Name the project or the milestone that slips."]})
        if project is not None and milestone is not None:
            raise ValidationError({"milestone": ["Name a project or a milestone, not both."]})
        return attrs

    def to_change(self, attrs: dict[str, Any]) -> impact.Change:
        days = attrs["slip"] * (impact.WORKING_DAYS_PER_WEEK if attrs["unit"] == "weeks" else 1)
        if attrs.get("milestone") is not None:
            return impact.Change(impact.milestone(attrs["milestone"].pk), days)
        ends = {"start": impact.project_start, "finish": impact.project_finish}
        return impact.Change(ends[attrs["end"]](attrs["project"].pk), days)


class ImpactRequestSerializer(serializers.Serializer):
    changes = ChangeSerializer(many=True, help_text=f"One to {MAX_CHANGES} changes.")

    def validate_changes(self, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not 1 <= len(changes) <= MAX_CHANGES:
            raise ValidationError(f"Send one to {MAX_CHANGES} changes.")
        return changes


class StepSerializer(serializers.Serializer):
    node = serializers.CharField(help_text='"project:ID:start|finish" or "milestone:ID"')
    project = serializers.IntegerField(allow_null=True, help_text="Null: one you cannot see.")
    name = serializers.CharField()


class MovedItemSerializer(serializers.Serializer):
    node = serializers.CharField(help_text='"project:ID:start|finish" or "milestone:ID"')
    kind = serializers.ChoiceField(choices=["start", "finish", "milestone"])
    name = serializers.CharField()
    project = serializers.IntegerField()
    project_name = serializers.CharField()
    old = serializers.DateField()
    new = serializers.DateField()
    days = serializers.IntegerField(help_text="Calendar days later.")
    working_days = serializers.IntegerField()
    chain = StepSerializer(many=True, help_text="From the change to this item.")


class ProgrammeMovesSerializer(serializers.Serializer):
    programme = serializers.IntegerField(allow_null=True, help_text="Null: no programme.")
    name = serializers.CharField()
    items = MovedItemSerializer(many=True)


class BenefitHitSerializer(serializers.Serializer):
    benefit = serializers.IntegerField()
    name = serializers.CharField()
    programme = serializers.IntegerField()
    target_date = serializers.DateField()
    finish = serializers.DateField(help_text="The programme's latest finish, now.")


class ImpactSerializer(serializers.Serializer):
    moved = serializers.IntegerField(help_text="Items moved that you may see.")
    hidden = serializers.IntegerField(help_text="Items moved in projects you cannot see.")
    programmes = ProgrammeMovesSerializer(many=True)
    benefits = BenefitHitSerializer(many=True, help_text="Benefits whose target date is hit.")
    hidden_benefits = serializers.IntegerField()


def impact_data(report: ImpactReport) -> dict[str, Any]:
    """The report as the API answers it (ImpactSerializer's shape)."""
    return {
        "moved": report.moved,
        "hidden": report.hidden_moves,
        "programmes": [
            {
                "programme": group.programme_id,
                "name": group.label,
                "items": [_item(row) for row in group.rows],
            }
            for group in report.groups
        ],
        "benefits": [
            {
                "benefit": hit.benefit.id,
                "name": hit.benefit.label,
                "programme": hit.benefit.programme_id,
                "target_date": hit.benefit.target_date,
                "finish": hit.by.new,
            }
            for hit in report.benefits
        ],
        "hidden_benefits": report.hidden_benefits,
    }


def _item(row: Row) -> dict[str, Any]:
    move, node = row.move, row.move.node
    return {
        "node": node.id,
        "kind": "milestone" if node.is_milestone else node.id.rsplit(":", 1)[1],
        "name": node.label,
        "project": node.project_id,
        "project_name": node.project_label,
        "old": move.old,
        "new": move.new,
        "days": move.days,
        "working_days": move.working_days,
        "chain": [
            {"node": step.node, "project": step.project_id, "name": step.label}
            for step in row.chain
        ],
    }


def flattened(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested errors keyed by the path of the field refused ("changes[1].slip"), so that
    every value is a list of reasons."""
    found: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            found.update(flattened(value, _path(prefix, key)))
    elif isinstance(errors, list) and errors and all(isinstance(e, str) for e in errors):
        found[prefix or "non_field_errors"] = [str(e) for e in errors]
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            found.update(flattened(value, f"{prefix}[{index}]"))
    return found


def _path(prefix: str, key: object) -> str:
    if isinstance(key, int) or str(key).isdigit():  # an item of a list
        return f"{prefix}[{key}]"
    if key == "non_field_errors" and prefix:
        return prefix
    return f"{prefix}.{key}" if prefix else str(key)


class ImpactViewSet(viewsets.GenericViewSet):
    @extend_schema(
        request=ImpactRequestSerializer,
        responses={200: ImpactSerializer},
        summary="What moves if these slip",
        description=(
            "Each change names a project (its `end`, finish by default) or a milestone, and "
            "how far it slips. The answer lists every item that moves later, grouped by "
            "programme, with old and new dates and the chain of dependencies that carries "
            "each move (lags in working days, slack absorbed first), and the benefits whose "
            "target date is hit. Items in projects you cannot see are counted, not named."
        ),
    )
    def create(self, request: Request) -> Response:
        serializer = ImpactRequestSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            raise ValidationError(flattened(serializer.errors))
        changes = [
            ChangeSerializer().to_change(attrs) for attrs in serializer.validated_data["changes"]
        ]
        return Response(impact_data(impact_report(request.user, changes)))


ROUTES: list[tuple[str, type[viewsets.GenericViewSet], str]] = [("impact", ImpactViewSet, "impact")]
