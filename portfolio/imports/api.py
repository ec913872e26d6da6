"""Imports in the API (PMO only): upload a file with a mapping document, then poll the job.

`POST /api/v1/imports/` takes the file as multipart (`file`) or in JSON (`filename` and
`content_base64`), the mapping document the mapping page downloads (`mapping`), and
optionally the return's `period`, `partial_import` and `dry_run`. A dry run answers with the
preview (counts and problems) and saves nothing; otherwise the job is queued for a worker
and `GET /api/v1/imports/{id}/` reports its status, progress, counts and problems.

The file's limit is the page's (`reading.MAX_UPLOAD_BYTES`, and `MAX_ROWS` once read). A
body whose Content-Length already says the file must be over it is refused (413, naming
the field) before any of it is read; the envelope allowance covers the mapping and the
multipart framing, and base64's third more in JSON. The file itself is then checked to the
byte.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from portfolio.core.access import rule
from portfolio.core.api import ReadMixin, ScopedViewSet
from portfolio.core.parsers import JsonBodyParser
from portfolio.core.schema import INVALID_INPUT
from portfolio.imports.columns import mapping_refusal
from portfolio.imports.downloads import MappingProblem, mapping_from_document
from portfolio.imports.models import ImportJob
from portfolio.imports.options import parse_with
from portfolio.imports.planning import import_dry_run
from portfolio.imports.progress import import_progress
from portfolio.imports.reading import MAX_UPLOAD_BYTES, FileProblem, ParsedFile
from portfolio.imports.services import import_job_create, import_job_request, import_job_set_mapping
from programmes.access import is_pmo

if TYPE_CHECKING:
    from portfolio.core.roles import AnyUser

PROBLEMS_LISTED = 200
ENVELOPE_BYTES = 1024 * 1024  # the mapping document, other fields and multipart framing
TOO_LARGE = (
    f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the largest accepted; "
    "split it into smaller files."
)


class FileTooLarge(Exception):
    """The upload is over the limit; `field` is where it was sent."""

    def __init__(self, field: str) -> None:
        super().__init__(TOO_LARGE)
        self.field = field


def body_limit(content_type: str) -> int:
    """The largest body that can hold a file within the limit: base64 in JSON is 4/3 of it."""
    if content_type.startswith("multipart/"):
        return MAX_UPLOAD_BYTES + ENVELOPE_BYTES
    return -(-MAX_UPLOAD_BYTES * 4 // 3) + ENVELOPE_BYTES


def _too_large_field(request: Request) -> str:
    """The field named in a 413 when Content-Length is over the body limit, else ""."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""  # the parsers refuse a malformed length
    content_type = request.META.get("CONTENT_TYPE", "")
    if length <= body_limit(content_type):
        return ""
    return "file" if content_type.startswith("multipart/") else "content_base64"


@rule("Only the PMO imports portfolios.")
def may_import(user: AnyUser) -> bool:
    return is_pmo(user)


class _ProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="0 for the file as a whole")
    field = serializers.CharField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    problem_count = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "status",
            "period",
            "partial",
            "columns",
            "cost_unit",
            "reading",
            "options",
            "row_count",
            "counts",
            "progress",
            "error",
            "problem_count",
            "problems",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "example": {"done": 10, "total": 20, "stage": ""}})
    def get_progress(self, job: ImportJob) -> dict[str, Any]:
        progress = import_progress(job)
        return {"done": progress.done, "total": progress.total, "stage": progress.stage}

    def get_problem_count(self, job: ImportJob) -> int:
        return len(job.row_errors)

    @extend_schema_field(_ProblemSerializer(many=True))
    def get_problems(self, job: ImportJob) -> list[dict[str, Any]]:
        """The first 200; all of them at /imports/{id}/problems.csv (a page, PMO)."""
        return list(job.row_errors[:PROBLEMS_LISTED])


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="The CSV or XLSX (multipart)")
    filename = serializers.CharField(required=False, max_length=255)
    content_base64 = serializers.CharField(
        required=False, help_text="The file's bytes in base64, when posting JSON"
    )
    mapping = serializers.JSONField(
        help_text='The mapping document: {"columns": {...}, "cost_unit": ..., "reading": '
        '{...}, "options": {...}}, as the mapping page downloads it (keys: manage.py '
        "import_portfolio --fields)"
    )
    period = serializers.DateField(
        required=False, allow_null=True, help_text="Reporting date of a return"
    )
    partial_import = serializers.BooleanField(
        default=False, help_text="Import the valid rows and leave out the rejected ones"
    )
    dry_run = serializers.BooleanField(default=False, help_text="Preview only; save nothing")

    def _content(self, data: dict[str, Any]) -> tuple[str, bytes]:
        if data.get("file") is not None:
            upload = data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                raise FileTooLarge("file")
            return upload.name, upload.read()
        if not data.get("content_base64"):
            raise serializers.ValidationError({"file": "Send a file, or content_base64."})
        try:
            content = base64.b64decode(data["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError({"content_base64": "Not base64."}) from None
        if len(content) > MAX_UPLOAD_BYTES:
            raise FileTooLarge("content_base64")
        return data.get("filename") or "upload.csv", content

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        filename, content = self._content(data)
        document = data["mapping"]
        try:
            if isinstance(document, str):  # multipart sends it as text
                document = json.loads(document)
            columns, reading, options = mapping_from_document(document)
        except (ValueError, MappingProblem) as exc:
            raise serializers.ValidationError({"mapping": str(exc)}) from None
        try:
            parsed = parse_with(content, reading)
        except FileProblem as exc:
            raise serializers.ValidationError({"file": str(exc)}) from None
        refusal = mapping_refusal(columns, parsed.headers)
        if refusal:
            raise serializers.ValidationError({"mapping": refusal})
        return data | {
            "filename": filename,
            "content": content,
            "parsed": parsed,
            "columns": columns,
            "cost_unit": reading.cost_unit,
            "reading": reading,
            "options": options,
        }


class ImportJobViewSet(ReadMixin, ScopedViewSet):
    serializer_class = ImportJobSerializer
    # A file goes up as multipart; the rest of the API reads JSON only.
    parser_classes = [JsonBodyParser, MultiPartParser]
    create_rule = may_import
    ordering_fields = ["created_at"]

    def visible(self, user: AnyUser) -> QuerySet[ImportJob]:
        jobs = ImportJob.objects.defer("data")
        return jobs if may_import(user) else jobs.none()

    @extend_schema(
        request={
            "multipart/form-data": ImportUploadSerializer,
            "application/json": ImportUploadSerializer,
        },
        responses={
            201: ImportJobSerializer,
            413: OpenApiResponse(
                response=INVALID_INPUT,
                description=f"The file is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB: the "
                "field that carried it, with the reason",
            ),
        },
    )
    def create(self, request: Request) -> Response:
        """Upload a file with its mapping: a dry run (the preview), or a queued import."""
        self.require_create()
        # Before request.data: the body of an over-size upload is never read.
        if field := _too_large_field(request):
            return Response({field: [TOO_LARGE]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        upload = ImportUploadSerializer(data=request.data)
        try:
            upload.is_valid(raise_exception=True)
        except FileTooLarge as exc:
            return Response(
                {exc.field: [TOO_LARGE]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        data = upload.validated_data
        parsed: ParsedFile = data["parsed"]
        job = import_job_create(
            filename=data["filename"],
            content=data["content"],
            parsed=parsed,
            mapping=None,
            user_id=request.user.pk,
            reading=data["reading"],
        )
        job = import_job_set_mapping(
            job=job,
            columns=data["columns"],
            cost_unit=data["cost_unit"],
            reading=data["reading"],
            options=data["options"],
            period=data.get("period"),
        )
        if data["dry_run"]:
            return self._preview(job)
        import_job_request(job=job, partial=data["partial_import"])
        job.refresh_from_db()
        return self.respond(job, status.HTTP_201_CREATED)

    def _preview(self, job: ImportJob) -> Response:
        dry_run = import_dry_run(job)
        plan = dry_run.plan
        problems = [issue.as_dict() for issue in plan.errors] if plan else []
        if plan is None:
            problems = [{"row": 0, "field": "", "column": "", "message": dry_run.problem}]
        body = self.get_serializer(job).data | {
            "counts": plan.counts() if plan else {},
            "problem_count": len(problems),
            "problems": problems[:PROBLEMS_LISTED],
        }
        return Response(body, status=status.HTTP_201_CREATED)


ROUTES: list[tuple[str, type[ScopedViewSet], str]] = [
    ("imports", ImportJobViewSet, "import"),
]
