"""`POST /api/v1/projects/{id}/mspdi/`: import a Microsoft Project XML plan into a project.

The file goes up as multipart (`file`) or in JSON (`content_base64`). Without
`?commit=true` the answer is the preview (200) and nothing is saved; with it, the import is
committed (201) unless the preview has errors (409, with the preview). A file that is not
a Project plan is a 400 naming `file`. Who may: whoever writes the project's milestones;
others who can see the project get 403, the rest 404, as on the page.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.api import ScopedViewSet
from portfolio.core.parsers import JsonBodyParser
from portfolio.core.schema import INVALID_INPUT
from portfolio.imports.mspdi.planning import mspdi_preview
from portfolio.imports.mspdi.reading import MAX_BYTES, Plan, PlanProblem, read_plan
from portfolio.imports.mspdi.services import mspdi_import
from projects.access import may_add_milestone_to
from projects.models import Project

TOO_LARGE = f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB, the largest accepted."
PREVIEW: dict[str, Any] = {
    "type": "object",
    "description": "What the import changes: milestones to create, update or leave "
    "unchanged (with each change's old and new value), dependencies to record, items "
    "skipped with the reason, errors, and the plan's baseline.",
    "properties": {
        "plan": {"type": "object"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "milestones": {"type": "array", "items": {"type": "object"}},
        "dependencies": {"type": "array", "items": {"type": "object"}},
        "skipped": {"type": "array", "items": {"type": "object"}},
        "errors": {"type": "array", "items": {"type": "string"}},
        "baseline": {"type": "object", "nullable": True},
        "links_within_plan": {"type": "integer"},
        "committed": {"type": "boolean"},
    },
}


class PlanUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        required=False, help_text="The plan, saved from Project as XML (*.xml), as multipart"
    )
    content_base64 = serializers.CharField(
        required=False, help_text="The file's bytes in base64, when posting JSON"
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        field, content = self._content(data)
        try:
            return {"plan": read_plan(content)}
        except PlanProblem as exc:
            raise serializers.ValidationError({field: [str(exc)]}) from None

    def _content(self, data: dict[str, Any]) -> tuple[str, bytes]:
        if data.get("file") is not None:
            upload = data["file"]
            if upload.size > MAX_BYTES:
                raise serializers.ValidationError({"file": [TOO_LARGE]})
            return "file", upload.read()
        if not data.get("content_base64"):
            raise serializers.ValidationError({"file": ["Send the file, or content_base64."]})
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError({"content_base64": ["Not base64."]}) from None
        if len(content) > MAX_BYTES:
            raise serializers.ValidationError({"content_base64": [TOO_LARGE]})
        return "content_base64", content


class ProjectPlanImportViewSet(ScopedViewSet):
    parser_classes = [JsonBodyParser, MultiPartParser]
    serializer_class = PlanUploadSerializer

    def visible(self, user: Any) -> QuerySet[Project]:
        return Project.objects.visible_to(user)

    @extend_schema(
        request={
            "multipart/form-data": PlanUploadSerializer,
            "application/json": PlanUploadSerializer,
        },
        parameters=[
            OpenApiParameter(
                "commit",
                OpenApiTypes.BOOL,
                description="true: import the plan; otherwise only answer the preview",
            )
        ],
        responses={
            200: OpenApiResponse(PREVIEW, description="The preview; nothing was saved"),
            201: OpenApiResponse(PREVIEW, description="Imported, as the preview says"),
            400: OpenApiResponse(INVALID_INPUT, description="`file` is not a Project plan"),
            409: OpenApiResponse(PREVIEW, description="Not imported: the preview's errors"),
        },
    )
    def create(self, request: Request, project_pk: str) -> Response:
        """Preview, or commit, the import of a Project XML plan into the project."""
        project = get_object_or_404(self.get_queryset(), pk=project_pk)
        may_add_milestone_to.require(request.user, project)
        upload = PlanUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        plan: Plan = upload.validated_data["plan"]
        if request.query_params.get("commit", "").lower() not in {"true", "1", "yes"}:
            preview = mspdi_preview(plan=plan, project=project, user=request.user)
            return Response(preview.as_json() | {"committed": False})
        try:
            preview = mspdi_import(project=project, plan=plan, user=request.user)
        except ValidationError as exc:
            return Response({"file": exc.messages}, status=status.HTTP_409_CONFLICT)
        code = status.HTTP_201_CREATED if preview.can_commit else status.HTTP_409_CONFLICT
        return Response(preview.as_json() | {"committed": preview.can_commit}, status=code)


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    (r"projects/(?P<project_pk>[0-9]+)/mspdi", ProjectPlanImportViewSet, "project-mspdi"),
]
