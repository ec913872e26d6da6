"""Board packs in the API: `POST /api/v1/board-packs/` with a `portfolio` or a `programme`
and `as_of` queues one; `GET /api/v1/board-packs/{id}/` reports its status and progress;
`GET /api/v1/board-packs/{id}/download/` gives the PDF once it is ready (409 before).
The same rules as the pages: a pack of what the user may have one of
(`portfolio.boardpacks.access`), seen by its requester (and the PMO)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.boardpacks.access import (
    may_request_board_packs,
    packable_portfolios,
    packable_programmes,
)
from portfolio.boardpacks.models import BoardPack
from portfolio.boardpacks.services import board_pack_request
from portfolio.core.api import ReadMixin, ScopedViewSet
from programmes.models import Portfolio, Programme

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


class BoardPackSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = BoardPack
        fields = [
            "id",
            "portfolio",
            "programme",
            "as_of",
            "status",
            "progress",
            "pages",
            "error",
            "download_url",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, pack: BoardPack) -> str | None:
        if pack.status != BoardPack.Status.SUCCEEDED:
            return None
        return f"/api/v1/board-packs/{pack.pk}/download/"

    @extend_schema_field({"type": "object", "example": {"done": 2, "total": 4, "percent": 50}})
    def get_progress(self, pack: BoardPack) -> dict[str, int]:
        return {"done": pack.progress_done, "total": pack.progress_total, "percent": pack.percent}


class BoardPackRequestSerializer(serializers.Serializer):
    portfolio = serializers.IntegerField(required=False, help_text="A portfolio's id, or")
    programme = serializers.IntegerField(required=False, help_text="a programme's id")
    as_of = serializers.DateField(help_text="The pack shows everything as it stood that day")

    def validate_as_of(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(f"{value.isoformat()} is still to come.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = self.context["request"].user
        if ("portfolio" in attrs) == ("programme" in attrs):
            raise serializers.ValidationError(
                {"portfolio": ["Give a portfolio or a programme, not both nor neither."]}
            )
        found: Portfolio | Programme | None
        if "portfolio" in attrs:
            found = packable_portfolios(user).filter(pk=attrs["portfolio"]).first()
            field = "portfolio"
        else:
            found = (
                packable_programmes(user)
                .select_related("portfolio")
                .filter(pk=attrs["programme"])
                .first()
            )
            field = "programme"
        if found is None:
            raise serializers.ValidationError(
                {field: [f"No {field} with this id that you may have a board pack of."]}
            )
        attrs["subject"] = found
        return attrs


class BoardPackViewSet(ReadMixin, ScopedViewSet):
    """Board packs: request one, poll it, download its PDF."""

    serializer_class = BoardPackSerializer
    create_rule = may_request_board_packs
    ordering_fields = ["created_at"]

    def visible(self, user: AnyUser) -> QuerySet[BoardPack]:
        return BoardPack.objects.visible_to(user).defer("pdf")

    @extend_schema(request=BoardPackRequestSerializer, responses={201: BoardPackSerializer})
    def create(self, request: Request) -> Response:
        self.require_create()
        form = BoardPackRequestSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        pack = board_pack_request(
            user=request.user,  # type: ignore[arg-type]
            subject=form.validated_data["subject"],
            as_of=form.validated_data["as_of"],
        )
        return self.respond(pack, status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The pack is not ready (or failed)"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> HttpResponse | Response:
        pack: BoardPack = self.get_object()
        if pack.status != BoardPack.Status.SUCCEEDED:
            return Response(
                {"detail": f"The pack is not ready: {pack.get_status_display().lower()}."},
                status=status.HTTP_409_CONFLICT,
            )
        found = BoardPack.objects.filter(pk=pack.pk).values_list("pdf", flat=True).get()
        response = HttpResponse(bytes(found or b""), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
        return response


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("board-packs", BoardPackViewSet, "board-pack"),
]
