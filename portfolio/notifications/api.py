"""The user's own notices and preferences in the API:

- GET /api/v1/notifications/ (`?unread=true` for the unread only), GET .../{id}/
- POST .../{id}/read/ and POST .../read-all/
- GET and PUT .../preferences/ (per kind: in_app, email; and the digest flag)

Everyone reads only their own (the queryset is the user's), through the services the pages
call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import ReadMixin, ScopedViewSet
from portfolio.notifications import services
from portfolio.notifications.models import (
    Kind,
    Notification,
    NotificationPreference,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread", label="true: only the unread; false: only the read"
    )

    class Meta:
        model = Notification
        fields = ["kind"]

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: bool | None
    ) -> QuerySet[Notification]:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


class KindPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    in_app = serializers.BooleanField()
    email = serializers.BooleanField(
        help_text="Ignored for report reminders: the reminder itself is the email."
    )


class PreferencesSerializer(serializers.Serializer):
    digest = serializers.BooleanField(help_text="A daily email of the day's unread notices")
    kinds = KindPreferenceSerializer(many=True, help_text="Kinds not given are left as they are")

    def validate_kinds(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        named = [item["kind"] for item in value]
        if len(named) != len(set(named)):
            raise serializers.ValidationError("Each kind may be given once.")
        return value


def preferences_data(user: User) -> dict[str, Any]:
    return {
        "digest": services.digest_enabled(user),
        "kinds": [
            {
                "kind": p.kind,
                "in_app": p.in_app,
                "email": p.sends_email,
            }
            for p in NotificationPreference.for_user(user).values()
        ],
    }


READ_ALL_ANSWER = inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})


class NotificationViewSet(ReadMixin, ScopedViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def visible(self, user: AnyUser) -> QuerySet[Notification]:
        if not user.is_authenticated:  # the schema generator asks as nobody
            return Notification.objects.none()
        return Notification.objects.shown_to(user)  # type: ignore[arg-type]

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark this notice read (no change when it was)."""
        notice = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notice).data)

    @extend_schema(request=None, responses=READ_ALL_ANSWER)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        """Mark every unread notice read; answers how many were."""
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})  # type: ignore[arg-type]

    @extend_schema(methods=["GET"], responses=PreferencesSerializer)
    @extend_schema(methods=["PUT"], request=PreferencesSerializer, responses=PreferencesSerializer)
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request: Request) -> Response:
        """What you are told about and how; PUT stores the kinds given and the digest."""
        user: User = request.user  # type: ignore[assignment]
        if request.method == "PUT":
            serializer = PreferencesSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            services.preferences_save(
                user=user,
                choices={k["kind"]: (k["in_app"], k["email"]) for k in data["kinds"]},
                digest=data["digest"],
            )
        return Response(preferences_data(user))


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("notifications", NotificationViewSet, "notification"),
]
