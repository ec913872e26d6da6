"""API representations of the strategic layer. Related rows are chosen among those the user
may see (`scoped_fields`, from programmes/access.py); who may write is the viewsets' business
(programmes/api.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portfolio.core.api import ScopedModelSerializer, related
from programmes.access import (
    benefit_choices,
    executive_choices,
    people_choices,
    portfolio_choices,
    programme_choices,
    team_choices,
)
from programmes.models import (
    Benefit,
    BenefitMeasurement,
    Person,
    Portfolio,
    Programme,
    Stakeholder,
    Team,
)


def optional_person() -> serializers.PrimaryKeyRelatedField:
    return related(Person, required=False, allow_null=True)


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
    scoped_fields = {"executives": executive_choices}
    executives = related(Person, many=True, required=False)

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
    scoped_fields = {
        "portfolio": portfolio_choices,
        "manager": people_choices,
        "sponsor": people_choices,
    }
    portfolio = related(Portfolio)
    manager = optional_person()
    sponsor = optional_person()

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
    scoped_fields = {"team": team_choices}
    team = related(Team, required=False, allow_null=True)
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
    scoped_fields = {"programme": programme_choices, "owner": people_choices}
    programme = related(Programme)
    owner = optional_person()

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
    scoped_fields = {"benefit": benefit_choices}
    benefit = related(Benefit)

    class Meta:
        model = BenefitMeasurement
        fields = ["id", "benefit", "measured_on", "value", "note"]
        create_only = ["benefit"]
        # The model's clean() says it better, on the measured_on field (see save_model).
        validators: list[Any] = []


class StakeholderSerializer(ScopedModelSerializer):
    scoped_fields = {"programme": programme_choices}
    programme = related(Programme)

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
