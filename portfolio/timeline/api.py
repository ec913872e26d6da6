"""The timeline's data in the API: GET /api/v1/portfolios/{id}/timeline/, read-only, with
the page's filters (`programme`, `stage`, `health`, `q`, `as_of`). Every group comes with
its projects, their milestones and the dependencies between them: a script wants it all at
once, where the page loads a group when it is opened."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core import live
from portfolio.core.api import ScopedViewSet
from portfolio.core.ratings import Rating
from portfolio.core.timescale import Zoom
from portfolio.timeline.layout import End, Item, Link
from portfolio.timeline.reading import (
    NO_HEALTH,
    Query,
    Timeline,
    TimelineFilter,
    critical_keys,
    plan_graph,
)
from programmes.models import Portfolio
from projects.models import Project

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


class MarkSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="milestone:<id>")
    name = serializers.CharField()
    baseline = serializers.DateField()
    expected = serializers.DateField(help_text="Actual, else forecast, else baseline")
    done = serializers.BooleanField()
    critical = serializers.BooleanField(help_text="On its group's critical chain")


class ItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="project:<id>, or programme:<id> for a group's span")
    title = serializers.CharField(help_text="Code and name")
    url = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    baseline_finish = serializers.DateField(allow_null=True)
    forecast_finish = serializers.DateField(allow_null=True)
    health = serializers.CharField(help_text="A rating, or '' for none")
    external = serializers.BooleanField(help_text="A project of another group, linked to this one")
    marks = MarkSerializer(many=True, help_text="Milestones")
    critical = serializers.BooleanField(
        help_text="On its group's critical chain: the chain that fixes the group's latest date"
    )


class EndSerializer(serializers.Serializer):
    item = serializers.CharField()
    side = serializers.CharField(help_text="start or finish: where the link meets the bar")
    mark = serializers.CharField(allow_null=True, help_text="The pinned milestone, if any")


class LinkSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="dependency:<id>")
    upstream = EndSerializer()
    downstream = EndSerializer()
    late = serializers.BooleanField()
    title = serializers.CharField(help_text="The dependency in words")
    critical = serializers.BooleanField(help_text="On its group's critical chain")


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    summary = ItemSerializer()
    items = ItemSerializer(many=True)
    links = LinkSerializer(many=True)


class TimelineSerializer(serializers.Serializer):
    portfolio = serializers.IntegerField()
    as_of = serializers.DateField(allow_null=True)
    start = serializers.DateField(help_text="The first day of the scale")
    end = serializers.DateField(help_text="The last day of the scale")
    groups = GroupSerializer(many=True)


def _end(end: End) -> dict[str, Any]:
    return {"item": end.item, "side": end.side.value, "mark": end.mark}


def _item(item: Item, critical: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        "key": item.key,
        "title": item.label,
        "url": item.url,
        "start": item.start,
        "baseline_finish": item.baseline_finish,
        "forecast_finish": item.forecast_finish,
        "health": item.health,
        "external": item.external,
        "marks": [{**vars(m), "critical": m.key in critical} for m in item.marks],
        "critical": item.key in critical,
    }


def _link(link: Link, critical: frozenset[str]) -> dict[str, Any]:
    return {
        "key": link.key,
        "upstream": _end(link.upstream),
        "downstream": _end(link.downstream),
        "late": link.late,
        "title": link.label,
        "critical": link.key in critical,
    }


def timeline_data(timeline: Timeline) -> dict[str, Any]:
    """Every group with its rows and links, and its critical chain, as the API gives them."""
    scale = timeline.scale()
    groups = []
    projects = timeline.projects_by_group()
    moment = timeline.query.moment
    graph = plan_graph(moment)  # read once for every group's chain
    for group in timeline.groups:
        members = projects.get(group.key, [])
        items, links = timeline.chart_parts(members)
        critical = critical_keys((p.pk for p in members), graph=graph)
        groups.append(
            {
                "key": group.key,
                "name": group.name,
                "summary": _item(group.summary),
                "items": [_item(i, critical) for i in items],
                "links": [_link(link, critical) for link in links],
            }
        )
    return {
        "portfolio": timeline.portfolio.pk,
        "as_of": timeline.today if moment else None,
        "start": scale.start,
        "end": scale.end,
        "groups": groups,
    }


PARAMETERS = [
    OpenApiParameter("programme", int, description="Only this programme's projects"),
    OpenApiParameter("stage", str, enum=Project.Stage.values),
    OpenApiParameter("health", str, enum=[*Rating.values, NO_HEALTH]),
    OpenApiParameter("q", str, description="Part of a project's or programme's code or name"),
    OpenApiParameter("as_of", date, description="As it stood at the end of this past day"),
    OpenApiParameter("zoom", str, enum=Zoom.values, description="Rounds the scale's ends"),
]


class PortfolioTimelineViewSet(ScopedViewSet):
    """A portfolio's timeline: its programmes and projects with milestones and links."""

    serializer_class = TimelineSerializer

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        return Portfolio.objects.visible_to(user).active()

    @extend_schema(parameters=PARAMETERS, responses=TimelineSerializer)
    @action(detail=True, methods=["get"], url_path="timeline", url_name="detail")
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        portfolio = self.get_object()
        form = TimelineFilter(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        try:
            moment = live.as_of(request._request)
        except BadRequest as refused:
            raise ValidationError({"as_of": [str(refused)]}) from refused
        query = Query(**form.query(), moment=moment)
        timeline = Timeline(request.user, portfolio, query)
        return Response(TimelineSerializer(timeline_data(timeline)).data)


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("portfolios", PortfolioTimelineViewSet, "portfolio-timeline"),
]
