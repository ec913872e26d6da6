"""API of the strategic layer: the same rules as programmes/views.py, from the same
QuerySet methods and access predicates (programmes/access.py; see portfolio/core/api.py for
how reads, writes and refusals map)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import QuerySet

from portfolio.core.api import (
    ArchiveMixin,
    CreateMixin,
    ReadMixin,
    ScopedViewSet,
    UpdateMixin,
)
from portfolio.core.filtering import ScopedFilterSet, SearchFilter, StateFilter
from programmes.access import (
    benefit_choices,
    may_add_people,
    may_add_programme_records,
    may_add_records_to,
    may_archive_programmes,
    may_create_portfolio,
    may_create_programme,
    may_edit_person,
    may_edit_portfolio,
    may_edit_programme,
    may_edit_programme_record,
    may_edit_team,
    may_manage_teams,
    may_measure,
    may_measure_benefits,
    people_choices,
    programme_choices,
)
from programmes.filters import PersonFilter, ProgrammeFilter
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)
from programmes.serializers import (
    BenefitMeasurementSerializer,
    BenefitSerializer,
    PersonSerializer,
    PortfolioSerializer,
    ProgrammeSerializer,
    StakeholderSerializer,
    TeamSerializer,
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


class ProgrammeRecordFilter(ScopedFilterSet):
    """Benefits and stakeholders, by the programme they belong to."""

    scoped_fields = {"programme": programme_choices}
    programme = django_filters.ModelChoiceFilter()


class BenefitFilter(ProgrammeRecordFilter):
    scoped_fields = {**ProgrammeRecordFilter.scoped_fields, "owner": people_choices}

    class Meta:
        model = Benefit
        fields = ["programme", "owner"]


class StakeholderFilter(ProgrammeRecordFilter):
    class Meta:
        model = Stakeholder
        fields = ["programme", "current_engagement", "desired_engagement"]


class MeasurementFilter(ScopedFilterSet):
    scoped_fields = {"benefit": benefit_choices}
    benefit = django_filters.ModelChoiceFilter()
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
    create_rule = may_create_portfolio
    write_rule = may_edit_portfolio

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Portfolio.objects.visible_to(user).prefetch_related("executives")

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
    create_rule = may_create_programme
    write_rule = may_edit_programme

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Programme.objects.visible_to(user)

    def check_archive(self, instance: Programme) -> None:
        may_archive_programmes.require(self.request.user)


# People and teams ---------------------------------------------------------------------------


class PersonViewSet(ReadMixin, CreateMixin, UpdateMixin, ArchiveMixin, ScopedViewSet):
    """The shared resource pool: read by everyone with a role, kept by PMO."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["id", "name", "weekly_capacity_hours"]
    ordering = ["name"]
    create_rule = may_add_people
    write_rule = may_edit_person

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Person.objects.visible_to(user)


class TeamViewSet(ReadMixin, CreateMixin, UpdateMixin, ScopedViewSet):
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["id", "name"]
    ordering = ["name"]
    create_rule = may_manage_teams
    write_rule = may_edit_team

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Team.objects.visible_to(user)


# Benefits, measurements, stakeholders ------------------------------------------------------


class ProgrammeRecordViewSet(ScopedViewSet):
    """Benefits and stakeholders: read with their programme, written by its manager."""

    create_rule = may_add_programme_records
    write_rule = may_edit_programme_record
    model: type[Benefit] | type[Stakeholder]

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return self.model.objects.visible_to(user)

    def check_create(self, data: dict[str, Any]) -> None:
        may_add_records_to.require(self.request.user, data["programme"])


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
    create_rule = may_measure_benefits

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return BenefitMeasurement.objects.filter(benefit__in=Benefit.objects.visible_to(user))

    def check_create(self, data: dict[str, Any]) -> None:
        may_measure.require(self.request.user, data["benefit"])


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("portfolios", PortfolioViewSet, "portfolio"),
    ("programmes", ProgrammeViewSet, "programme"),
    ("people", PersonViewSet, "person"),
    ("teams", TeamViewSet, "team"),
    ("benefits", BenefitViewSet, "benefit"),
    ("benefit-measurements", BenefitMeasurementViewSet, "benefit-measurement"),
    ("stakeholders", StakeholderViewSet, "stakeholder"),
]
