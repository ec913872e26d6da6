"""API of the strategic layer: the same rules as programmes/views.py, from the same
QuerySet methods (see portfolio/api.py for how reads, writes and refusals map)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied

from portfolio.core.api import (
    ArchiveMixin,
    CreateMixin,
    ReadMixin,
    ScopedViewSet,
    UpdateMixin,
)
from portfolio.core.filtering import SearchFilter, StateFilter
from programmes.filters import PersonFilter, ProgrammeFilter
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
    sees_everything,
)
from programmes.serializers import (
    BenefitMeasurementSerializer,
    BenefitSerializer,
    PersonSerializer,
    PortfolioSerializer,
    ProgrammeSerializer,
    StakeholderSerializer,
    TeamSerializer,
    visible_programmes,
    visible_teams,
)
from programmes.services import portfolio_create

if TYPE_CHECKING:
    from rest_framework import serializers

    from portfolio.core.roles import AnyUser


# Filters the pages do not have --------------------------------------------------------------


class PortfolioFilter(django_filters.FilterSet):
    q = SearchFilter(["name", "code", "description"])
    state = StateFilter()

    class Meta:
        model = Portfolio
        fields = ["q", "code", "rating_scale", "state"]


class TeamFilter(django_filters.FilterSet):
    q = SearchFilter(["name", "description"])
    state = StateFilter()

    class Meta:
        model = Team
        fields = ["q", "state"]


class ProgrammeRecordFilter(django_filters.FilterSet):
    """Benefits and stakeholders, by the programme they belong to."""

    programme = django_filters.ModelChoiceFilter(
        queryset=lambda request: visible_programmes(request.user)
    )


class BenefitFilter(ProgrammeRecordFilter):
    class Meta:
        model = Benefit
        fields = ["programme", "owner"]


class StakeholderFilter(ProgrammeRecordFilter):
    class Meta:
        model = Stakeholder
        fields = ["programme", "current_engagement", "desired_engagement"]


class MeasurementFilter(django_filters.FilterSet):
    benefit = django_filters.ModelChoiceFilter(
        queryset=lambda request: Benefit.objects.visible_to(request.user)
    )
    measured_after = django_filters.DateFilter(field_name="measured_on", lookup_expr="gte")
    measured_before = django_filters.DateFilter(field_name="measured_on", lookup_expr="lte")

    class Meta:
        model = BenefitMeasurement
        fields = ["benefit", "measured_after", "measured_before"]


# Portfolios, programmes ---------------------------------------------------------------------


class PortfolioViewSet(ReadMixin, CreateMixin, UpdateMixin, ArchiveMixin, ScopedViewSet):
    """Portfolios: read by whoever works in them; created, changed and archived by PMO.
    A new portfolio comes with its health policy (programmes.services.portfolio_create).
    Lists show active portfolios unless `state=archived` or `state=all`."""

    serializer_class = PortfolioSerializer
    filterset_class = PortfolioFilter
    ordering_fields = ["id", "code", "name"]
    ordering = ["name"]
    create_refusal = "Only PMO creates portfolios."

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Portfolio.objects.visible_to(user).prefetch_related("executives")

    def writable(self, user: AnyUser) -> QuerySet[Any]:
        return Portfolio.objects.editable_by(user)

    def may_create(self, user: AnyUser) -> bool:
        return sees_everything(user)

    def perform_create(self, serializer: serializers.ModelSerializer) -> Portfolio:
        data = dict(serializer.validated_data)
        executives = data.pop("executives", [])
        portfolio = Portfolio(**data)
        portfolio.full_clean()
        return portfolio_create(portfolio=portfolio, executives=executives)

    def perform_update(self, serializer: serializers.ModelSerializer) -> Portfolio:
        data = dict(serializer.validated_data)
        executives = data.pop("executives", None)
        portfolio: Portfolio = serializer.instance  # type: ignore[assignment]
        for name, value in data.items():
            setattr(portfolio, name, value)
        portfolio.full_clean()
        portfolio.save()
        if executives is not None:
            portfolio.executives.set(executives)
        return portfolio


class ProgrammeViewSet(ReadMixin, CreateMixin, UpdateMixin, ArchiveMixin, ScopedViewSet):
    """Programmes: created and archived by PMO, changed by PMO and their programme manager.
    Health is not served yet (it is computed by a later feature)."""

    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    ordering_fields = ["id", "code", "name", "start_date", "finish_date", "budget", "stage"]
    ordering = ["portfolio__name", "name"]
    create_refusal = "Only PMO creates programmes."

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Programme.objects.visible_to(user)

    def writable(self, user: AnyUser) -> QuerySet[Any]:
        return Programme.objects.managed_by(user)

    def archivable(self, user: AnyUser) -> QuerySet[Any]:
        return Programme.objects.all() if sees_everything(user) else Programme.objects.none()

    def may_create(self, user: AnyUser) -> bool:
        return sees_everything(user)


# People and teams ---------------------------------------------------------------------------


class PersonViewSet(ReadMixin, CreateMixin, UpdateMixin, ArchiveMixin, ScopedViewSet):
    """The shared resource pool: read by everyone with a role, kept by PMO."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["id", "name", "weekly_capacity_hours"]
    ordering = ["name"]
    create_refusal = "Only PMO adds people."

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Person.objects.visible_to(user)

    def writable(self, user: AnyUser) -> QuerySet[Any]:
        return Person.objects.editable_by(user)

    def may_create(self, user: AnyUser) -> bool:
        return sees_everything(user)


class TeamViewSet(ReadMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["id", "name"]
    ordering = ["name"]
    create_refusal = "Only PMO creates teams."

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return visible_teams(user)

    def writable(self, user: AnyUser) -> QuerySet[Any]:
        return Team.objects.editable_by(user)

    def may_create(self, user: AnyUser) -> bool:
        return sees_everything(user)


# Benefits, measurements, stakeholders ------------------------------------------------------


class ProgrammeRecordViewSet(ScopedViewSet):
    """Benefits and stakeholders: read with their programme, written by its manager."""

    create_refusal = "Only a programme's manager (or PMO) adds to its records."
    model: type[Benefit] | type[Stakeholder]

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return self.model.objects.visible_to(user)

    def writable(self, user: AnyUser) -> QuerySet[Any]:
        return self.model.objects.editable_by(user)

    def may_create(self, user: AnyUser) -> bool:
        return Programme.objects.managed_by(user).exists()

    def check_create(self, data: dict[str, Any]) -> None:
        if (
            not Programme.objects.managed_by(self.request.user)
            .filter(pk=data["programme"].pk)
            .exists()
        ):
            raise PermissionDenied("You may add to the records of your own programmes only.")


class BenefitViewSet(ReadMixin, CreateMixin, UpdateMixin, ProgrammeRecordViewSet):
    model = Benefit
    serializer_class = BenefitSerializer
    filterset_class = BenefitFilter
    ordering_fields = ["id", "name", "target_date", "target"]
    ordering = ["target_date", "name"]


class StakeholderViewSet(ReadMixin, CreateMixin, UpdateMixin, ProgrammeRecordViewSet):
    model = Stakeholder
    serializer_class = StakeholderSerializer
    filterset_class = StakeholderFilter
    ordering_fields = ["id", "name", "influence", "interest"]
    ordering = ["-influence", "name"]


class BenefitMeasurementViewSet(ReadMixin, CreateMixin, ScopedViewSet):
    """Dated measurements of a benefit: recorded by the programme's manager, never edited
    (as on the pages)."""

    serializer_class = BenefitMeasurementSerializer
    filterset_class = MeasurementFilter
    ordering_fields = ["id", "measured_on", "value"]
    ordering = ["benefit", "measured_on"]
    create_refusal = "Only a programme's manager (or PMO) records measurements."

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return BenefitMeasurement.objects.filter(benefit__in=Benefit.objects.visible_to(user))

    def may_create(self, user: AnyUser) -> bool:
        return Programme.objects.managed_by(user).exists()

    def check_create(self, data: dict[str, Any]) -> None:
        if (
            not Benefit.objects.editable_by(self.request.user)
            .filter(pk=data["benefit"].pk)
            .exists()
        ):
            raise PermissionDenied("You may measure the benefits of your own programmes only.")


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("portfolios", PortfolioViewSet, "portfolio"),
    ("programmes", ProgrammeViewSet, "programme"),
    ("people", PersonViewSet, "person"),
    ("teams", TeamViewSet, "team"),
    ("benefits", BenefitViewSet, "benefit"),
    ("benefit-measurements", BenefitMeasurementViewSet, "benefit-measurement"),
    ("stakeholders", StakeholderViewSet, "stakeholder"),
]
