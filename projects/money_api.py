"""Money by month in the API: GET /api/v1/{projects,programmes,portfolios}/{id}/money/
(months with budget, forecast, actual and their running totals), and
POST /api/v1/projects/{id}/money/phasing/ (a shape, or entered months).

Reads go to whoever reads the subject (404 otherwise); the phasing write asks the rule the
project page asks (`may_edit_project`: the budget is the project record's, PMO's), 403 for
a reader who may not. Bad input is a 400 naming the field ("months[2].month").
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import ScopedViewSet
from portfolio.core.money import parse_month
from programmes.models import Portfolio, Programme
from projects.access import may_edit_project
from projects.impact_api import flattened
from projects.models import MoneyKind, Project, ProjectPhasing
from projects.money import (
    MAX_AMOUNT,
    MoneyByMonth,
    portfolio_by_month,
    programme_by_month,
    project_money,
    project_phasing_set,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser

MAX_MONTHS = 600  # fifty years of months: more is a script gone wrong


def _amount(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    budget = _amount()
    forecast = _amount()
    actual = _amount(allow_null=True, help_text="Null: a month still to come. May be negative.")
    cumulative_budget = _amount()
    cumulative_forecast = _amount()
    cumulative_actual = _amount(allow_null=True)


class MoneySerializer(serializers.Serializer):
    projects = serializers.IntegerField(help_text="Active projects summed.")
    budget = _amount(help_text="Budget phased, all months.")
    forecast = _amount(help_text="Forecast phased, all months.")
    actual = _amount(help_text="Actual spend so far.")
    months = MonthSerializer(many=True)


class KindPhasingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MoneyKind.choices)
    shape = serializers.ChoiceField(choices=ProjectPhasing.Shape.choices)
    total = _amount(allow_null=True, help_text="Null: not known.")
    phased = _amount()
    unphased = _amount(help_text="The total less its months (entered months may not add up).")


class ProjectMoneySerializer(MoneySerializer):
    phasings = KindPhasingSerializer(many=True)


class EnteredMonthSerializer(serializers.Serializer):
    month = serializers.CharField(max_length=10, help_text="YYYY-MM")
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, max_value=MAX_AMOUNT
    )

    def validate_month(self, value: str) -> date:
        try:
            return parse_month(value)
        except ValueError as refused:
            raise ValidationError(str(refused)) from refused


class PhasingSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MoneyKind.choices)
    shape = serializers.ChoiceField(choices=ProjectPhasing.Shape.choices)
    months = EnteredMonthSerializer(
        many=True,
        required=False,
        help_text="For shape `entered`: the months, replacing those entered before. Left "
        "out, the months entered before are kept.",
    )

    def validate_months(self, months: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(months) > MAX_MONTHS:
            raise ValidationError(f"Send at most {MAX_MONTHS} months.")
        seen = [m["month"] for m in months]
        if len(set(seen)) != len(seen):
            raise ValidationError("Each month once.")
        return months


def money_data(money: MoneyByMonth) -> dict[str, Any]:
    return {
        "projects": money.projects,
        "budget": money.budget,
        "forecast": money.forecast,
        "actual": money.actual,
        "months": [{**vars(row), "month": f"{row.month:%Y-%m}"} for row in money.rows],
    }


def _project_data(project: Project) -> dict[str, Any]:
    money = project_money(project, timezone.localdate())
    return {
        **money_data(money.by_month),
        "phasings": [
            {
                "kind": k.kind,
                "shape": k.shape,
                "total": k.total,
                "phased": k.phased,
                "unphased": k.unphased,
            }
            for k in money.kinds
        ],
    }


class ProjectMoneyViewSet(ScopedViewSet):
    """A project's money by month, and its phasing."""

    serializer_class = ProjectMoneySerializer

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Project.objects.visible_to(user)

    @extend_schema(responses=ProjectMoneySerializer, summary="A project's money by month")
    @action(detail=True, methods=["get"], url_path="money", url_name="detail")
    def money(self, request: Request, pk: str | None = None) -> Response:
        return Response(ProjectMoneySerializer(_project_data(self.get_object())).data)

    @extend_schema(
        request=PhasingSerializer,
        responses={200: ProjectMoneySerializer},
        summary="Phase a project's budget or forecast",
    )
    @action(detail=True, methods=["post"], url_path="money/phasing", url_name="phasing")
    def phasing(self, request: Request, pk: str | None = None) -> Response:
        project = self.get_object()
        may_edit_project.require(request.user, project)
        serializer = PhasingSerializer(data=request.data)
        if not serializer.is_valid():
            raise ValidationError(flattened(serializer.errors))
        data = serializer.validated_data
        months = data.get("months")
        project_phasing_set(
            project=project,
            kind=data["kind"],
            shape=data["shape"],
            months={m["month"]: m["amount"] for m in months} if months else None,
            user=request.user,
        )
        return Response(ProjectMoneySerializer(_project_data(project)).data)


class ProgrammeMoneyViewSet(ScopedViewSet):
    """A programme's money by month: the sums of its active projects."""

    serializer_class = MoneySerializer

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Programme.objects.visible_to(user)

    @extend_schema(responses=MoneySerializer, summary="A programme's money by month")
    @action(detail=True, methods=["get"], url_path="money", url_name="detail")
    def money(self, request: Request, pk: str | None = None) -> Response:
        programme = self.get_object()
        money = programme_by_month(programme.pk, timezone.localdate())
        return Response(MoneySerializer(money_data(money)).data)


class PortfolioMoneyViewSet(ScopedViewSet):
    """A portfolio's money by month: every active project, standalone ones included."""

    serializer_class = MoneySerializer

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Portfolio.objects.visible_to(user)

    @extend_schema(responses=MoneySerializer, summary="A portfolio's money by month")
    @action(detail=True, methods=["get"], url_path="money", url_name="detail")
    def money(self, request: Request, pk: str | None = None) -> Response:
        portfolio = self.get_object()
        money = portfolio_by_month(portfolio.pk, timezone.localdate())
        return Response(MoneySerializer(money_data(money)).data)


# Registered before the apps' own viewsets of the same prefixes: the API root lists one
# entry per prefix, the last registered, which must stay the resources' own lists.
ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("projects", ProjectMoneyViewSet, "project-money"),
    ("programmes", ProgrammeMoneyViewSet, "programme-money"),
    ("portfolios", PortfolioMoneyViewSet, "portfolio-money"),
]
