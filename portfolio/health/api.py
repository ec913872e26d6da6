"""Health in the API, read-only: current records and dated snapshots of projects,
programmes and portfolios, scoped like their subjects (`?current=true` for today's,
`?taken_before=` for "as it stood")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from portfolio.core.api import ReadMixin, ScopedViewSet
from portfolio.core.filtering import ScopedFilterSet
from portfolio.core.ratings import Rating
from portfolio.health.models import HealthRecord, PortfolioHealth, ProgrammeHealth, ProjectHealth
from programmes.models import Portfolio, Programme
from projects.models import Project

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

FIELDS = [
    "id",
    "taken_at",
    "kind",
    "is_current",
    "overall",
    "reported",
    "computed",
    "gap",
    "dimensions",
    "reasons",
]


def _filter(
    model: type[HealthRecord], subject: str, subjects: Any
) -> type[django_filters.FilterSet]:
    meta = type("Meta", (), {"model": model, "fields": [subject]})
    return type(
        f"{model.__name__}Filter",
        (ScopedFilterSet,),
        {
            "Meta": meta,
            # The subject filter accepts only what the user may see: an unseen id is
            # refused like a missing one, so nobody can probe for others' rows.
            "scoped_fields": {subject: subjects},
            "current": django_filters.BooleanFilter(field_name="is_current"),
            "taken_after": django_filters.IsoDateTimeFilter(
                field_name="taken_at", lookup_expr="gte"
            ),
            "taken_before": django_filters.IsoDateTimeFilter(
                field_name="taken_at", lookup_expr="lte"
            ),
        },
    )


def _serializer(model: type[HealthRecord], subject: str) -> type[serializers.ModelSerializer]:
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": [*FIELDS[:1], subject, *FIELDS[1:]],
            "read_only_fields": [subject, *FIELDS],
        },
    )
    return type(
        f"{model.__name__}Serializer",
        (serializers.ModelSerializer,),
        {
            "Meta": meta,
            "overall": _rating("Overall health"),
            "reported": _rating("What the manager reported"),
            "computed": _rating("What the data says"),
        },
    )


def _rating(help_text: str) -> serializers.CharField:
    # A plain string, not an enum: "" (no data) is a value too.
    ratings = ", ".join(Rating.values)
    return serializers.CharField(
        read_only=True, help_text=f"{help_text}: {ratings}, or '' for none"
    )


def _viewset(model: type[HealthRecord], subject: str, subjects: Any) -> type[ScopedViewSet]:
    def visible(self: Any, user: AnyUser) -> QuerySet[Any]:
        return model._default_manager.filter(**{f"{subject}__in": subjects(user)})

    return type(
        f"{model.__name__}ViewSet",
        (ReadMixin, ScopedViewSet),
        {
            "__doc__": f"{model.__name__} records, read-only.",
            "serializer_class": _serializer(model, subject),
            "filterset_class": _filter(model, subject, subjects),
            "ordering_fields": ["id", "taken_at"],
            "ordering": ["-taken_at", "-id"],
            "visible": visible,
        },
    )


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    (
        "health/projects",
        _viewset(ProjectHealth, "project", Project.objects.visible_to),
        "project-health",
    ),
    (
        "health/programmes",
        _viewset(ProgrammeHealth, "programme", Programme.objects.visible_to),
        "programme-health",
    ),
    (
        "health/portfolios",
        _viewset(PortfolioHealth, "portfolio", Portfolio.objects.visible_to),
        "portfolio-health",
    ),
]
