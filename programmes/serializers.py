"""API representations of the strategic layer. Related rows are chosen among those the user
may see (ScopedRelatedField); who may write is the viewsets' business (programmes/api.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework import serializers

from portfolio.core.api import ScopedModelSerializer, ScopedRelatedField
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

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


def visible_portfolios(user: AnyUser) -> QuerySet[Portfolio]:
    return Portfolio.objects.visible_to(user).active()


def visible_programmes(user: AnyUser) -> QuerySet[Programme]:
    return Programme.objects.visible_to(user).active()


def visible_people(user: AnyUser) -> QuerySet[Person]:
    return Person.objects.visible_to(user).active()


def visible_teams(user: AnyUser) -> QuerySet[Team]:
    """Teams are part of the shared resource pool: seen by whoever sees its people (as
    PersonQuerySet.visible_to; Team has no visible_to of its own yet)."""
    if sees_everything(user) or person_for(user) is not None:
        return Team.objects.all()
    return Team.objects.none()


def _executives(user: AnyUser) -> QuerySet[Person]:
    return visible_people(user).filter(access=Person.Access.EXECUTIVE)


def _person(**kwargs: Any) -> ScopedRelatedField:
    return ScopedRelatedField(
        visible_people, queryset=Person.objects.all(), required=False, allow_null=True, **kwargs
    )


class CodeInPortfolioMixin:
    """Codes are unique within a portfolio: say so on `code` (DRF's own validator would
    answer with a non-field error)."""

    instance: Any

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        model = self.Meta.model  # type: ignore[attr-defined]
        portfolio = attrs.get("portfolio", getattr(self.instance, "portfolio", None))
        code = attrs.get("code", getattr(self.instance, "code", None))
        twins = model.objects.filter(portfolio=portfolio, code=code)
        if self.instance is not None:
            twins = twins.exclude(pk=self.instance.pk)
        if portfolio is not None and code and twins.exists():
            what = model._meta.verbose_name
            raise serializers.ValidationError(
                {"code": [f"{portfolio} already has a {what} {code}."]}
            )
        return attrs


class PortfolioSerializer(ScopedModelSerializer):
    executives = ScopedRelatedField(
        _executives, queryset=Person.objects.all(), many=True, required=False
    )

    class Meta:
        model = Portfolio
        fields = [
            "id",
            "code",
            "name",
            "description",
            "rating_scale",
            "executives",
            "external_id",
            "archived_at",
        ]
        read_only_fields = ["archived_at"]


class ProgrammeSerializer(CodeInPortfolioMixin, ScopedModelSerializer):
    portfolio = ScopedRelatedField(visible_portfolios, queryset=Portfolio.objects.all())
    manager = _person()
    sponsor = _person()

    class Meta:
        model = Programme
        fields = [
            "id",
            "portfolio",
            "code",
            "name",
            "objective",
            "manager",
            "sponsor",
            "start_date",
            "finish_date",
            "budget",
            "stage",
            "external_id",
            "archived_at",
        ]
        read_only_fields = ["archived_at"]
        validators: list[Any] = []  # see CodeInPortfolioMixin


class PersonSerializer(ScopedModelSerializer):
    team = ScopedRelatedField(
        lambda user: visible_teams(user).filter(archived_at__isnull=True),
        queryset=Team.objects.all(),
        required=False,
        allow_null=True,
    )
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "job_title",
            "team",
            "weekly_capacity_hours",
            "access",
            "has_login",
            "archived_at",
        ]
        read_only_fields = ["archived_at"]

    def get_has_login(self, person: Person) -> bool:
        return person.user_id is not None


class TeamSerializer(ScopedModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "description", "archived_at"]
        read_only_fields = ["archived_at"]


class BenefitSerializer(ScopedModelSerializer):
    programme = ScopedRelatedField(visible_programmes, queryset=Programme.objects.all())
    owner = _person()

    class Meta:
        model = Benefit
        fields = [
            "id",
            "programme",
            "name",
            "description",
            "owner",
            "measure",
            "unit",
            "baseline",
            "target",
            "target_date",
        ]
        create_only = ["programme"]


class BenefitMeasurementSerializer(ScopedModelSerializer):
    benefit = ScopedRelatedField(
        lambda user: Benefit.objects.visible_to(user), queryset=Benefit.objects.all()
    )

    class Meta:
        model = BenefitMeasurement
        fields = ["id", "benefit", "measured_on", "value", "note"]
        create_only = ["benefit"]
        # The model's clean() says it better, on the measured_on field (see save_model).
        validators: list[Any] = []


class StakeholderSerializer(ScopedModelSerializer):
    programme = ScopedRelatedField(visible_programmes, queryset=Programme.objects.all())

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "programme",
            "name",
            "organisation",
            "influence",
            "interest",
            "current_engagement",
            "desired_engagement",
            "notes",
        ]
        create_only = ["programme"]
