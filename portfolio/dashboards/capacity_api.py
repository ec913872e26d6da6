"""The capacity API (issue 17, part 5): demand against capacity per person or group and
week, the levelling suggestions, and applying one.

For whoever books people (PMO, programme managers), as the capacity page: the same grid
(`capacity.capacity_grid`), the same suggestions (`capacity.offers_for`) and the same write
(`projects.services.allocation_level`). A suggestion no longer offered (the data moved) is a
409; one touching another programme's booking is a 403.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import Conflict
from portfolio.core.capacity import LOAD_WINDOW_WEEKS
from portfolio.core.levelling import booking_of
from portfolio.dashboards.capacity import (
    GROUPINGS,
    DemandRow,
    PersonSuggestions,
    capacity_grid,
    offers_for,
)
from programmes.models import Person, Team
from projects.access import may_book_anyone
from projects.levelling import suggestions_for_everyone, suggestions_for_person
from projects.models import Allocation
from projects.services import StaleSuggestion, allocation_level

MAX_WEEKS = 52


class DemandQuerySerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, help_text="Only this team's people."
    )
    weeks = serializers.IntegerField(
        min_value=1, max_value=MAX_WEEKS, default=LOAD_WINDOW_WEEKS, help_text="From this week."
    )
    by = serializers.ChoiceField(
        choices=list(GROUPINGS),
        required=False,
        help_text="Group rows by team or job title (members summed) instead of people.",
    )


class DemandWeekSerializer(serializers.Serializer):
    monday = serializers.DateField()
    committed = serializers.DecimalField(max_digits=9, decimal_places=1)
    tentative = serializers.DecimalField(max_digits=9, decimal_places=1)
    capacity = serializers.DecimalField(max_digits=9, decimal_places=1)
    percent = serializers.IntegerField(
        allow_null=True, help_text="Committed hours as a share of capacity; null without one."
    )
    tentative_percent = serializers.IntegerField(allow_null=True)
    overbooked = serializers.BooleanField(help_text="Over capacity on committed work.")


class DemandRowSerializer(serializers.Serializer):
    person = serializers.IntegerField(allow_null=True, help_text="Null for a group's row.")
    name = serializers.CharField()
    group = serializers.CharField(help_text="The team or job title it is counted under.")
    weeks = DemandWeekSerializer(many=True)


class DemandSerializer(serializers.Serializer):
    weeks = serializers.ListField(child=serializers.DateField(), help_text="Mondays.")
    rows = DemandRowSerializer(many=True)


def _row(row: DemandRow, group: str) -> dict[str, Any]:
    return {
        "person": row.person.pk if row.person else None,
        "name": row.name,
        "group": group,
        "weeks": [
            {
                "monday": week.monday,
                "committed": week.committed,
                "tentative": week.tentative,
                "capacity": week.capacity,
                "percent": week.committed_load.percent,
                "tentative_percent": week.tentative_percent,
                "overbooked": week.committed_load.is_overbooked,
            }
            for week in row.weeks
        ],
    }


class DemandViewSet(viewsets.GenericViewSet):
    @extend_schema(
        parameters=[DemandQuerySerializer],
        responses={200: DemandSerializer},
        summary="Demand against capacity, per person (or team, or job title) and week",
        description=(
            "Hours booked per ISO week on every project, committed (delivery and later) apart "
            "from tentative (initiation, planning), against capacity. With `by`, one row per "
            "team or job title summing its members."
        ),
    )
    def list(self, request: Request) -> Response:
        may_book_anyone.require(request.user)
        query = DemandQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        people = Person.objects.active()
        if team := query.validated_data.get("team"):
            people = people.filter(team=team)
        by = query.validated_data.get("by")
        grid = capacity_grid(
            people, today=timezone.localdate(), by=by or "team", weeks=query.validated_data["weeks"]
        )
        if by:
            rows = [_row(group.total, group.total.name) for group in grid.groups]
        else:
            rows = [_row(m, group.total.name) for group in grid.groups for m in group.members]
        return Response({"weeks": grid.mondays, "rows": rows})


class SuggestionQuerySerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, help_text="Only this person's."
    )


class SuggestionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="POST it to /capacity/suggestions/apply/.")
    kind = serializers.ChoiceField(choices=["reassign", "move", "split"])
    summary = serializers.CharField()
    consequences = serializers.ListField(child=serializers.CharField())
    resolves = serializers.BooleanField(help_text="The person is within capacity after it.")
    allocation = serializers.IntegerField(help_text="The booking it changes.")
    project = serializers.IntegerField()
    may_apply = serializers.BooleanField()


class OverWeekSerializer(serializers.Serializer):
    monday = serializers.DateField()
    booked = serializers.DecimalField(max_digits=9, decimal_places=1)
    percent = serializers.IntegerField(allow_null=True)


class OverAllocationSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    summary = serializers.CharField(help_text='"130 % in weeks 12–15 of 2027"')
    weeks = OverWeekSerializer(many=True)
    suggestions = SuggestionSerializer(many=True, help_text="Best first.")
    hidden = serializers.IntegerField(help_text="Suggestions on projects you cannot see.")


def _over(item: PersonSuggestions) -> dict[str, Any]:
    over = item.over
    return {
        "person": over.person.id,
        "name": over.person.name,
        "summary": over.summary,
        "weeks": [
            {"monday": w.monday, "booked": w.booked_hours, "percent": w.percent} for w in over.weeks
        ],
        "suggestions": [
            {
                "key": offer.suggestion.key,
                "kind": offer.suggestion.kind,
                "summary": offer.suggestion.summary,
                "consequences": list(offer.suggestion.consequences),
                "resolves": offer.suggestion.resolves,
                "allocation": offer.suggestion.booking.id,
                "project": offer.suggestion.booking.project_id,
                "may_apply": offer.may_apply,
            }
            for offer in item.offers
        ],
        "hidden": item.hidden,
    }


class SuggestionViewSet(viewsets.GenericViewSet):
    @extend_schema(
        parameters=[SuggestionQuerySerializer],
        responses={200: OverAllocationSerializer(many=True)},
        summary="Over-allocations with their ranked levelling suggestions",
        description=(
            "Each run of weeks a person is over capacity in (every booking counted), with "
            "ranked options: reassign to someone of the same team or job title with room, "
            "move within the project's slack, or split the booking; each with its "
            "consequences. Suggestions on projects you cannot see are counted, not shown."
        ),
    )
    def list(self, request: Request) -> Response:
        may_book_anyone.require(request.user)
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        person = query.validated_data.get("person")
        found = (
            suggestions_for_person(person.pk, today) if person else suggestions_for_everyone(today)
        )
        return Response([_over(item) for item in offers_for(request.user, found)])


class ApplySerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100, help_text="A suggestion's key.")

    def validate_key(self, key: str) -> str:
        if booking_of(key) is None:
            raise ValidationError("Not a suggestion's key: take one from /capacity/suggestions/.")
        return key


class AppliedSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    consequences = serializers.ListField(child=serializers.CharField())
    allocations = serializers.ListField(
        child=serializers.IntegerField(), help_text="The bookings written, the changed one first."
    )


class ApplyViewSet(viewsets.GenericViewSet):
    @extend_schema(
        request=ApplySerializer,
        responses={200: AppliedSerializer},
        summary="Apply a levelling suggestion",
        description=(
            "An ordinary audited booking write. 409 when the suggestion is no longer offered "
            "(the bookings changed since it was read): read the suggestions again."
        ),
    )
    def create(self, request: Request) -> Response:
        may_book_anyone.require(request.user)
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data["key"]
        booking = Allocation.objects.filter(pk=booking_of(key) or 0).first()
        if booking is None:
            raise Conflict("That suggestion is no longer offered: read the suggestions again.")
        if not Allocation.objects.editable_by(request.user).filter(pk=booking.pk).exists():
            raise PermissionDenied("You may rebook people on your own programme's projects only.")
        try:
            done = allocation_level(allocation=booking, key=key, today=timezone.localdate())
        except StaleSuggestion as error:
            raise Conflict(
                "That suggestion is no longer offered: read the suggestions again."
            ) from error
        return Response(
            {
                "key": key,
                "kind": done.suggestion.kind,
                "summary": done.suggestion.summary,
                "consequences": list(done.suggestion.consequences),
                "allocations": [row.pk for row in done.allocations],
            }
        )


ROUTES: list[tuple[str, type[viewsets.GenericViewSet], str]] = [
    ("capacity/demand", DemandViewSet, "capacity-demand"),
    ("capacity/suggestions/apply", ApplyViewSet, "capacity-apply"),
    ("capacity/suggestions", SuggestionViewSet, "capacity-suggestions"),
]
