"""API of the delivery layer: the same rules as projects/views.py and report_views.py, from
the same QuerySet methods and access predicates (projects/access.py), writing through the
same services (see portfolio/core/api.py for how reads, writes and refusals map)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import django_filters
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import (
    IF_MATCH,
    ArchiveMixin,
    Conflict,
    CreateMixin,
    DestroyMixin,
    PreconditionFailed,
    ReadMixin,
    ScopedViewSet,
    UpdateMixin,
)
from portfolio.core.filtering import ScopedFilterSet
from portfolio.core.periods import Period
from programmes.access import programme_choices
from programmes.models import Programme
from projects import services
from projects.access import (
    may_add_milestone_to,
    may_add_milestones,
    may_book_anyone,
    may_book_people,
    may_create_project,
    may_edit_allocation,
    may_edit_dependency,
    may_edit_milestone,
    may_edit_project,
    may_edit_register_item,
    may_edit_report,
    may_escalate,
    may_link_projects,
    may_raise_items,
    may_raise_on_programme,
    may_raise_on_project,
    may_rebaseline,
    may_rebaseline_any,
    may_report_on,
    may_write_reports,
    project_choices,
)
from projects.baselines import project_rebaseline
from projects.filters import IssueFilter, ProjectFilter, RiskFilter
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
from projects.reporting import (
    StaleDraft,
    status_report_open,
    status_report_save,
    status_report_submit,
)
from projects.serializers import (
    AllocationSerializer,
    BaselineSerializer,
    ComparisonSerializer,
    DependencySerializer,
    IssueSerializer,
    MilestoneSerializer,
    ProjectSerializer,
    RebaselineSerializer,
    RiskSerializer,
    StatusReportSerializer,
)

if TYPE_CHECKING:
    from rest_framework import serializers

    from portfolio.core.roles import AnyUser


# Filters the pages do not have --------------------------------------------------------------


class MilestoneFilter(ScopedFilterSet):
    scoped_fields = {"project": project_choices, "programme": programme_choices}
    project = django_filters.ModelChoiceFilter()
    programme = django_filters.ModelChoiceFilter(field_name="project__programme")

    class Meta:
        model = Milestone
        fields = ["project", "programme"]


class BaselineFilter(ScopedFilterSet):
    scoped_fields = {"project": project_choices}
    project = django_filters.ModelChoiceFilter()

    class Meta:
        model = Baseline
        fields = ["project"]


class DependencyFilter(ScopedFilterSet):
    scoped_fields = {
        "upstream": project_choices,
        "downstream": project_choices,
        "programme": programme_choices,
    }
    upstream = django_filters.ModelChoiceFilter()
    downstream = django_filters.ModelChoiceFilter()
    programme = django_filters.ModelChoiceFilter(
        method="filter_programme", label="Either end in this programme"
    )

    class Meta:
        model = Dependency
        fields = ["upstream", "downstream", "programme", "kind"]

    def filter_programme(
        self, queryset: QuerySet[Dependency], name: str, value: Programme
    ) -> QuerySet[Dependency]:
        return queryset.filter(Q(upstream__programme=value) | Q(downstream__programme=value))


class AllocationFilter(ScopedFilterSet):
    scoped_fields = {"project": project_choices}
    project = django_filters.ModelChoiceFilter()
    person = django_filters.NumberFilter(field_name="person_id")
    active_on = django_filters.DateFilter(method="filter_active_on", label="Booked on this day")

    class Meta:
        model = Allocation
        fields = ["project", "person", "active_on"]

    def filter_active_on(
        self, queryset: QuerySet[Allocation], name: str, value: date
    ) -> QuerySet[Allocation]:
        return queryset.filter(start_date__lte=value, finish_date__gte=value)


class StatusReportFilter(ScopedFilterSet):
    scoped_fields = {"project": project_choices, "programme": programme_choices}
    project = django_filters.ModelChoiceFilter()
    programme = django_filters.ModelChoiceFilter(field_name="project__programme")
    period_start_after = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    latest = django_filters.BooleanFilter(
        method="filter_latest", label="Only the newest submitted revision of each period"
    )

    class Meta:
        model = StatusReport
        fields = [
            "project",
            "programme",
            "state",
            "period_start",
            "period_start_after",
            "period_start_before",
            "latest",
        ]

    def filter_latest(
        self, queryset: QuerySet[StatusReport], name: str, value: bool | None
    ) -> QuerySet[StatusReport]:
        return queryset.latest_revisions() if value else queryset  # type: ignore[attr-defined]


# Projects, milestones ----------------------------------------------------------------------


class ProjectViewSet(ReadMixin, CreateMixin, UpdateMixin, ArchiveMixin, ScopedViewSet):
    """Projects: read by whoever's programme or portfolio holds them; their own record is
    PMO's. Lists show active projects unless `state=archived` or `state=all`. Health is not
    served yet (it is computed by a later feature)."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = [
        "id",
        "code",
        "name",
        "baseline_start",
        "baseline_finish",
        "forecast_finish",
        "budget",
        "spend_to_date",
        "priority",
        "stage",
    ]
    ordering = ["name"]
    create_rule = may_create_project
    write_rule = may_edit_project

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Project.objects.visible_to(user)


class MilestoneViewSet(ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """Milestones: written by their project's manager (and PMO)."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["id", "name", "baseline_date", "forecast_date", "actual_date"]
    ordering = ["baseline_date", "name"]
    create_rule = may_add_milestones
    write_rule = may_edit_milestone

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Milestone.objects.filter(project__in=Project.objects.visible_to(user))

    def check_create(self, data: dict[str, Any]) -> None:
        may_add_milestone_to.require(self.request.user, data["project"])


class BaselineViewSet(ReadMixin, ScopedViewSet):
    """A project's approved baselines, newest first: read by whoever reads the project. A
    POST re-baselines the project (its manager, its programme's manager, or PMO), keeping
    every earlier baseline; `compare` sets one against the baseline in force."""

    serializer_class = BaselineSerializer
    filterset_class = BaselineFilter
    ordering_fields = ["id", "number", "approved_at"]
    ordering = ["project", "-number"]
    create_rule = may_rebaseline_any

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return (
            Baseline.objects.filter(project__in=Project.objects.visible_to(user))
            .select_related("approved_by__person")
            .prefetch_related("milestones")
        )

    @extend_schema(request=RebaselineSerializer, responses={201: BaselineSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Re-baseline a project: by default on its current forecasts."""
        self.require_create()
        serializer = RebaselineSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        project = serializer.validated_data["project"]
        may_rebaseline.require(request.user, project)
        baseline = project_rebaseline(
            project=project, change=serializer.new_baseline(), user=request.user
        )
        return self.respond(baseline, status.HTTP_201_CREATED)

    @extend_schema(responses={200: ComparisonSerializer})
    @action(detail=True, methods=["get"])
    def compare(self, request: Request, pk: str | None = None) -> Response:
        """Each milestone's date in this baseline (null: added after it), in the baseline in
        force, and expected, with the variances in days."""
        return Response(ComparisonSerializer(self.get_object().compare()).data)


# Dependencies, allocations -----------------------------------------------------------------


class DependencyViewSet(ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """Dependencies: coordinated by the programme managers of either end (and PMO). A change
    that would close a cycle is refused with a 400 on `upstream` (code `cycle`)."""

    serializer_class = DependencySerializer
    filterset_class = DependencyFilter
    ordering_fields = ["id", "lag_days", "kind"]
    ordering = ["id"]
    create_rule = may_link_projects
    write_rule = may_edit_dependency

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Dependency.objects.visible_to(user)

    def perform_create(self, serializer: serializers.ModelSerializer) -> Dependency:
        data = dict(serializer.validated_data)
        services.dependency_require_own_end(
            user=self.request.user, upstream=data["upstream"], downstream=data["downstream"]
        )
        return services.dependency_create(**data)

    def perform_update(self, serializer: serializers.ModelSerializer) -> Dependency:
        dependency: Dependency = serializer.instance  # type: ignore[assignment]
        ends = {"upstream": dependency.upstream, "downstream": dependency.downstream}
        data = {**ends, **serializer.validated_data}
        services.dependency_require_own_end(
            user=self.request.user, upstream=data["upstream"], downstream=data["downstream"]
        )
        return services.dependency_update(dependency=dependency, **data)


class AllocationViewSet(ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, ScopedViewSet):
    """Bookings of people onto projects: made by the project's programme manager (and PMO).
    An overlapping booking of the same person on the same project is a 400 on `start_date`."""

    serializer_class = AllocationSerializer
    filterset_class = AllocationFilter
    ordering_fields = ["id", "start_date", "finish_date"]
    ordering = ["start_date", "id"]
    create_rule = may_book_anyone
    write_rule = may_edit_allocation

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Allocation.objects.visible_to(user)

    def check_create(self, data: dict[str, Any]) -> None:
        may_book_people.require(self.request.user, data["project"])

    def perform_create(self, serializer: serializers.ModelSerializer) -> Allocation:
        return services.allocation_save(allocation=Allocation(**serializer.validated_data))

    def perform_update(self, serializer: serializers.ModelSerializer) -> Allocation:
        allocation: Allocation = serializer.instance  # type: ignore[assignment]
        for name, value in serializer.validated_data.items():
            setattr(allocation, name, value)
        return services.allocation_save(allocation=allocation)


# Risks and issues --------------------------------------------------------------------------


class RegisterViewSet(ReadMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    """Raised on a project by its manager or on a programme by its manager; a project item
    is escalated to its programme by the project's manager (POST …/escalate/)."""

    model: type[Risk] | type[Issue]
    create_rule = may_raise_items
    write_rule = may_edit_register_item

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return self.model.objects.visible_to(user)

    def check_create(self, data: dict[str, Any]) -> None:
        user = self.request.user
        if data.get("project") is not None:
            may_raise_on_project.require(user, data["project"])
        elif data.get("programme") is not None:
            may_raise_on_programme.require(user, data["programme"])

    def _check_escalate(self, item: Risk | Issue) -> None:
        may_escalate.require(self.request.user, item)

    def _escalate(self) -> Response:
        with transaction.atomic():
            item = self.writable_object(check=self._check_escalate)
            if isinstance(item, Risk):
                services.risk_escalate(risk=item)
            else:
                services.issue_escalate(issue=item)
        return self.respond(item)


class RiskViewSet(RegisterViewSet):
    model = Risk
    serializer_class = RiskSerializer
    filterset_class = RiskFilter
    ordering_fields = ["id", "probability", "impact", "raised_on", "status"]
    ordering = ["-probability", "-impact", "id"]

    @extend_schema(request=None, parameters=[IF_MATCH], responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        """Escalate a project's risk to the project's programme (400 `not_escalatable`)."""
        return self._escalate()


class IssueViewSet(RegisterViewSet):
    model = Issue
    serializer_class = IssueSerializer
    filterset_class = IssueFilter
    ordering_fields = ["id", "severity", "due_date", "raised_on", "status"]
    ordering = ["-severity", "due_date", "id"]

    @extend_schema(request=None, parameters=[IF_MATCH], responses={200: IssueSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        """Escalate a project's issue to the project's programme (400 `not_escalatable`)."""
        return self._escalate()


# Status reports ----------------------------------------------------------------------------


class StatusReportViewSet(ReadMixin, ScopedViewSet):
    """Weekly status reports, through the same services as the weekly update page.

    - POST opens the period's draft (carried forward from the last report, as on the page)
      with the fields given; 409 when the period already has a draft (change that one).
      Opening a period already submitted starts a correction: revision + 1.
    - PUT/PATCH change a draft; a submitted report is a record and answers 409.
    - POST …/submit/ makes the draft a record (every dimension rated, a reason for each not
      green) and enqueues the health roll-up, as the page does.
    The ETag is the draft's version: `"v3"`.
    """

    serializer_class = StatusReportSerializer
    filterset_class = StatusReportFilter
    ordering_fields = ["id", "period_start", "revision", "submitted_at", "updated_at"]
    ordering = ["-period_start", "-revision", "id"]
    create_rule = may_write_reports
    write_rule = may_edit_report

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return StatusReport.objects.visible_to(user).select_related("author")

    def etag(self, instance: Any) -> str:
        return f'"v{instance.version}"'

    @extend_schema(responses={201: StatusReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.require_create()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        project: Project = changes.pop("project")
        may_report_on.require(request.user, project)
        period = changes.pop("period", None) or Period.containing(timezone.localdate())
        with transaction.atomic():
            report, created = status_report_open(
                project=project, period=period, author=request.user
            )
            if not created:
                return Response(
                    {
                        "detail": f"{project} already has a draft for {period.label}: "
                        "change that one (PATCH) or submit it.",
                        "code": "draft_exists",
                        "id": report.pk,
                    },
                    status=409,
                    headers={"ETag": self.etag(report)},
                )
            report = status_report_save(
                report=report, version=report.version, changes=changes, author=request.user
            )
        return self.respond(report, 201)

    def _draft(self) -> StatusReport:
        """The draft a write targets, locked: 404 unseen, 403 read-only, 409 submitted,
        412 when If-Match names another version."""
        report: StatusReport = self.get_object()
        self.check_write(report)
        if report.is_submitted:
            raise Conflict(
                "A submitted report is a record: to correct it, open a new draft for the "
                "period (POST with the same project and period)."
            )
        self.check_if_match(report)
        return report

    def _changes(self, report: StatusReport, partial: bool) -> dict[str, Any]:
        serializer = self.get_serializer(report, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(parameters=[IF_MATCH], responses={200: StatusReportSerializer})
    def update(
        self, request: Request, *args: Any, partial: bool = False, **kwargs: Any
    ) -> Response:
        with transaction.atomic():
            report = self._draft()
            changes = self._changes(report, partial)
            try:
                report = status_report_save(
                    report=report, version=report.version, changes=changes, author=request.user
                )
            except StaleDraft as stale:
                raise PreconditionFailed(self.etag(stale.current)) from None
        return self.respond(report)

    @extend_schema(parameters=[IF_MATCH], responses={200: StatusReportSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(parameters=[IF_MATCH], responses={200: StatusReportSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Submit the draft, with any last changes in the body (all or nothing)."""
        with transaction.atomic():
            report = self._draft()
            changes = self._changes(report, partial=True)
            try:
                report = status_report_submit(
                    report=report, version=report.version, changes=changes, author=request.user
                )
            except StaleDraft as stale:
                raise PreconditionFailed(self.etag(stale.current)) from None
        return self.respond(report)


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("projects", ProjectViewSet, "project"),
    ("milestones", MilestoneViewSet, "milestone"),
    ("baselines", BaselineViewSet, "baseline"),
    ("dependencies", DependencyViewSet, "dependency"),
    ("allocations", AllocationViewSet, "allocation"),
    ("risks", RiskViewSet, "risk"),
    ("issues", IssueViewSet, "issue"),
    ("status-reports", StatusReportViewSet, "status-report"),
]
