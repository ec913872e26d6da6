"""API representations of the delivery layer. Related rows are chosen among those the user
may see (`scoped_fields`, from the access modules); who may write is the viewsets' business
(projects/api.py)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.core.api import ScopedModelSerializer, related
from portfolio.core.forms import scope_choices
from portfolio.core.periods import Period
from portfolio.core.ratings import SCALES
from programmes.access import people_choices, portfolio_choices, programme_choices
from programmes.models import Person, Portfolio, Programme
from programmes.serializers import CodeInPortfolioMixin, optional_person
from projects.access import active_project_choices, milestone_choices, project_choices
from projects.baselines import NewBaseline
from projects.models import (
    RATED,
    Allocation,
    Baseline,
    BaselineMilestone,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)
from projects.models.reporting import CARRIED_FORWARD


class ProjectSerializer(CodeInPortfolioMixin, ScopedModelSerializer):
    scoped_fields = {
        "portfolio": portfolio_choices,
        "programme": programme_choices,
        "manager": people_choices,
        "sponsor": people_choices,
    }
    portfolio = related(Portfolio)
    programme = related(Programme, required=False, allow_null=True)
    manager = optional_person()
    sponsor = optional_person()
    slippage_days = serializers.IntegerField(
        read_only=True, help_text="Days the forecast finish lies beyond the baseline"
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "portfolio",
            "programme",
            "code",
            "name",
            "objective",
            "scope",
            "manager",
            "sponsor",
            "baseline_start",
            "baseline_finish",
            "forecast_finish",
            "budget",
            "spend_to_date",
            "forecast_at_completion",
            "priority",
            "stage",
            "slippage_days",
            "external_id",
            "archived_at",
        ]
        read_only_fields = ["archived_at"]
        validators: list[Any] = []  # see CodeInPortfolioMixin


class MilestoneSerializer(ScopedModelSerializer):
    scoped_fields = {"project": project_choices}
    project = related(Project)
    slippage_days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "stage",
            "slippage_days",
        ]
        create_only = ["project"]


class DependencySerializer(ScopedModelSerializer):
    scoped_fields = {
        "upstream": active_project_choices,
        "downstream": active_project_choices,
        "upstream_milestone": milestone_choices,
        "downstream_milestone": milestone_choices,
    }
    upstream = related(Project)
    downstream = related(Project)
    upstream_milestone = related(Milestone, required=False, allow_null=True)
    downstream_milestone = related(Milestone, required=False, allow_null=True)

    class Meta:
        model = Dependency
        fields = [
            "id",
            "upstream",
            "upstream_milestone",
            "downstream",
            "downstream_milestone",
            "kind",
            "lag_days",
            "description",
        ]
        # The services check pairs, self-dependencies and cycles under the graph lock, and
        # say so on the field concerned.
        validators: list[Any] = []


class AllocationSerializer(ScopedModelSerializer):
    scoped_fields = {"person": people_choices, "project": project_choices}
    person = related(Person)
    project = related(Project)
    overbooking_warning = serializers.SerializerMethodField(
        help_text="In the answer to a create or update: how the booking over-books its "
        'person ("This takes Tara Singh to 130 % in weeks 12–15 of 2027."), or null. '
        "Null in lists. A portfolio whose policy refuses over-bookings answers 400 instead."
    )

    def get_overbooking_warning(self, allocation: Allocation) -> str | None:
        view = self.context.get("view")
        if getattr(view, "action", None) not in {"create", "update", "partial_update"}:
            return None
        return allocation.overbooking_on_save or None

    class Meta:
        model = Allocation
        fields = [
            "id",
            "person",
            "project",
            "start_date",
            "finish_date",
            "percent",
            "hours_per_week",
            "overbooking_warning",
        ]
        create_only = ["project"]


_REGISTER_FIELDS = [
    "id",
    "project",
    "programme",
    "title",
    "description",
    "owner",
    "raised_on",
    "escalated_at",
]


class RegisterItemSerializer(ScopedModelSerializer):
    """Raised on a project or on a programme (one of the two); a project item reaches its
    programme only by escalation (POST …/escalate/)."""

    scoped_fields = {
        "project": project_choices,
        "programme": programme_choices,
        "owner": people_choices,
    }
    project = related(Project, required=False, allow_null=True)
    programme = related(Programme, required=False, allow_null=True)
    owner = optional_person()


class RiskSerializer(RegisterItemSerializer):
    score = serializers.IntegerField(read_only=True, help_text="Probability × impact")

    class Meta:
        model = Risk
        fields = [
            *_REGISTER_FIELDS,
            "probability",
            "impact",
            "score",
            "proximity",
            "response",
            "status",
        ]
        read_only_fields = ["raised_on", "escalated_at"]
        create_only = ["project", "programme"]


class IssueSerializer(RegisterItemSerializer):
    class Meta:
        model = Issue
        fields = [*_REGISTER_FIELDS, "severity", "due_date", "status", "resolution"]
        read_only_fields = ["raised_on", "escalated_at"]
        create_only = ["project", "programme"]


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-W\d{2}$", "example": "2026-W47"})
class PeriodField(serializers.Field):
    """A reporting period as its ISO week label, e.g. 2026-W47."""

    default_error_messages = {"invalid": "Give an ISO week like 2026-W47."}

    def to_representation(self, value: Period) -> str:
        return value.label

    def to_internal_value(self, data: Any) -> Period:
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return Period.parse(data)
        except ValueError:
            self.fail("invalid")


class StatusReportSerializer(ScopedModelSerializer):
    """A weekly status report. Drafts are changed through the reporting services; a
    submitted report is a record (a correction is a new draft for the same period)."""

    scoped_fields = {"project": project_choices}
    project = related(Project)
    period = PeriodField(required=False, help_text="ISO week; this week when left out")
    author: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Username of whoever last saved or submitted it",
    )

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "project",
            "period",
            "period_start",
            "revision",
            "state",
            "version",
            "author",
            "created_at",
            "updated_at",
            "submitted_at",
            *CARRIED_FORWARD,
        ]
        read_only_fields = [
            "period_start",
            "revision",
            "state",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        create_only = ["project", "period"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Ratings come from the portfolio's scale (three- or five-point)."""
        project = self.instance.project if self.instance is not None else attrs.get("project")
        if project is None:
            return attrs
        scale = project.portfolio.rating_scale
        allowed = SCALES[scale]
        errors = {
            name: f"Rate on the portfolio's scale: {', '.join(r.value for r in allowed)}."
            for name in RATED
            if attrs.get(name) and attrs[name] not in allowed
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# Baselines -----------------------------------------------------------------------------------


class BaselineMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineMilestone
        fields = ["milestone", "baseline_date"]
        read_only_fields = fields


class BaselineSerializer(serializers.ModelSerializer):
    """An approved baseline, read-only: a baseline is a record, changed only by approving
    the next one."""

    approved_by = serializers.CharField(source="approver", read_only=True)
    milestones = BaselineMilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Baseline
        fields = [
            "id",
            "project",
            "number",
            "name",
            "reason",
            "approved_by",
            "approved_at",
            "baseline_start",
            "baseline_finish",
            "milestones",
        ]
        read_only_fields = fields


class MilestoneDateSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    baseline_date = serializers.DateField()


class RebaselineSerializer(serializers.Serializer):
    """A re-baseline (projects.baselines.NewBaseline): by default the current forecasts;
    with `from_forecasts` false, the dates given (a milestone left out keeps its baseline)."""

    project = related(Project)
    name = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    from_forecasts = serializers.BooleanField(default=True)
    baseline_start = serializers.DateField(required=False, allow_null=True, default=None)
    baseline_finish = serializers.DateField(required=False, allow_null=True, default=None)
    milestones = MilestoneDateSerializer(many=True, required=False, default=list)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        scope_choices(fields, {"project": project_choices}, getattr(request, "user", None))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        project: Project = attrs["project"]
        own = set(project.milestones.values_list("pk", flat=True))
        strangers = [m["milestone"] for m in attrs["milestones"] if m["milestone"] not in own]
        if strangers:
            raise serializers.ValidationError(
                {"milestones": f"Not milestones of {project}: {strangers}."}
            )
        return attrs

    def new_baseline(self) -> NewBaseline:
        data = self.validated_data
        return NewBaseline(
            name=data["name"],
            reason=data["reason"],
            from_forecasts=data["from_forecasts"],
            baseline_start=data["baseline_start"],
            baseline_finish=data["baseline_finish"],
            milestone_dates={m["milestone"]: m["baseline_date"] for m in data["milestones"]},
        )


class ComparisonRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    then = serializers.DateField(allow_null=True, help_text="Null: not in that baseline")
    now = serializers.DateField(help_text="The baseline in force")
    expected = serializers.DateField(help_text="Actual, else forecast, else baseline")
    reached = serializers.BooleanField()
    variance_then = serializers.IntegerField(allow_null=True)
    variance_now = serializers.IntegerField()
    moved = serializers.IntegerField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    baseline = BaselineSerializer()
    finish = ComparisonRowSerializer()
    milestones = ComparisonRowSerializer(many=True)
