"""The REST API's shared plumbing; the router that mounts every viewset is `portfolio.api`.

Every viewset holds the same rules as the pages, from the same QuerySet methods and the same
access predicates (`programmes/access.py`, `projects/access.py`):

1. Reads start from `visible(user)` (the model's `visible_to`), so lists are scoped in the
   queryset and an object outside the user's reach answers 404.
2. A write to an existing object fetches it the same way (404), then asks the viewset's
   `write_rule` (`may_edit_project`, `may_edit_report`…, as the page does): a role that may
   read but not write it gets 403 in the rule's words.
3. A create is refused with 403 up front when `create_rule` says the role may create
   nothing of the kind, and when the parent named in the body (a project, a programme) is
   visible but not writable (`check_create`, asking the rule the page asks); a parent the
   user cannot see is refused like one that does not exist (400, on its field), because
   related fields offer only what the user may see (`scoped_fields`).
4. Objects carry an ETag; PUT, PATCH, DELETE and state-changing actions honour If-Match
   (412 when stale). If-Match is optional, so a script may skip it and take the risk.
5. Domain rules raise django ValidationError keyed by field (services, model clean): they
   become DRF's 400 {"field": ["message"]}, with their codes; a refusal raised as Django's
   PermissionDenied (`portfolio.core.access.refuse_unless`) becomes 403 {"detail": words}.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from portfolio.core.access import READ_ONLY, Rule
from portfolio.core.forms import Scope, scope_choices
from portfolio.core.resilience import is_write_conflict

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet

    from portfolio.core.roles import AnyUser


# Pagination, errors --------------------------------------------------------------------


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        # DRF falls back to the default on a page size that is not a number; the schema
        # says it is an integer, so anything else is refused on the parameter (400).
        asked = request.query_params.get(self.page_size_query_param)
        if asked is not None and not asked.strip().isdigit():
            raise ValidationError({self.page_size_query_param: "A whole number, e.g. 50."})
        return super().get_page_size(request)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "Someone changed this since you read it: read it again, then retry."
    default_code = "precondition_failed"

    def __init__(self, current_etag: str, detail: str | None = None) -> None:
        super().__init__(
            {
                "detail": detail or str(self.default_detail),
                "code": self.default_code,
                "etag": current_etag,
            }
        )
        self.etag = current_etag


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This clashes with a record saved a moment ago. Check and try again."
    default_code = "conflict"


class WriteConflict(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "This change met another one saved at the same moment and was not saved. Send it again."
    )
    default_code = "write_conflict"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus the exceptions domain code raises: a django ValidationError
    (services, model clean) is a 400 keyed by field; a django PermissionDenied (a refused
    access rule) is a 403 in the rule's own words, as the page says them; an IntegrityError
    that slipped past validation (a concurrent write) is a 409; a write the database
    cancelled for another's sake (a deadlock) is a 503 to send again. None is ever a 500."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        # DRF's own handler would drop the words for its generic message.
        exc = PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError):
        exc = Conflict()
    elif is_write_conflict(exc):
        exc = WriteConflict()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response["ETag"] = exc.etag
    if response is not None and isinstance(exc, WriteConflict):
        response["Retry-After"] = "1"
    return response


# ETags -----------------------------------------------------------------------------------


def etag_of(data: Any) -> str:
    """A strong ETag from an object's representation."""
    encoded = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    return f'"{hashlib.sha256(encoded).hexdigest()[:32]}"'


def if_match(request: Request) -> list[str] | None:
    """The entity tags of If-Match (weak marks dropped), or None when the header is absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        tags.append(tag[2:] if tag.startswith("W/") else tag)
    return tags


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read. Optional; when given and stale, the answer is 412.",
)


# Serializers -------------------------------------------------------------------------------


class ScopedModelSerializer(serializers.ModelSerializer):
    """Related fields named in `scoped_fields` accept only the rows the requesting user may
    see (portfolio.core.forms.scope_choices): another row, whether it exists or not, is
    refused alike ("object does not exist"), so a request cannot probe for rows outside its
    reach. Fields named in Meta.create_only are written on create and read-only afterwards
    (a milestone does not move to another project)."""

    scoped_fields: ClassVar[Mapping[str, Scope]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        scope_choices(fields, self.scoped_fields, getattr(request, "user", None))
        if self.instance is not None:
            for name in getattr(self.Meta, "create_only", ()):
                fields[name].read_only = True
                fields[name].required = False
        return fields


def related(model: type[models.Model], **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """A related row by id, among those the serializer's `scoped_fields` offer the user (none
    until scoped, so a field left out of `scoped_fields` accepts nothing)."""
    return serializers.PrimaryKeyRelatedField(queryset=model._default_manager.none(), **kwargs)


def save_model(instance: models.Model) -> Any:
    """Validate with the model's own rules (clean, constraints) and save, like a ModelForm."""
    instance.full_clean()
    instance.save()
    return instance


# Viewsets --------------------------------------------------------------------------------


# Nothing may be created or changed unless a viewset names the rule that allows it.
NO_CREATE: Rule[[AnyUser]] = Rule(lambda user: False, "Your role may not create these.")
NO_WRITE: Rule[[AnyUser, Any]] = Rule(lambda user, instance: False, READ_ONLY)


class ScopedViewSet(viewsets.GenericViewSet):
    """Reads from `visible(user)`; writes ask the access rules (see the module docstring)."""

    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    # The app's access predicates, asked as the pages ask them; each refuses in its words.
    create_rule: ClassVar[Rule[...]] = NO_CREATE
    write_rule: ClassVar[Rule[...]] = NO_WRITE

    def visible(self, user: AnyUser) -> QuerySet[Any]:
        raise NotImplementedError

    def check_create(self, data: dict[str, Any]) -> None:
        """Refuse (403) a create whose parent the user may see but not write."""

    def check_write(self, instance: Any) -> None:
        """Refuse (403) a write to an object the user may read but not change."""
        self.write_rule.require(self.request.user, instance)

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.visible(self.request.user)
        if self.request.method not in SAFE_METHODS and transaction.get_connection().in_atomic_block:
            # The write compares the ETag and saves under a row lock: no lost update between.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Filters shape lists; a detail URL names one object, archived or not.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def etag(self, instance: Any) -> str:
        return etag_of(self.get_serializer(instance).data)

    def respond(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.get_serializer(instance).data, status=status_code)
        response["ETag"] = self.etag(instance)
        return response

    def writable_object(self, check: Callable[[Any], None] | None = None) -> Any:
        """The object a write targets: 404 if unseen, 403 if refused, 412 if stale."""
        instance = self.get_object()
        (check or self.check_write)(instance)
        self.check_if_match(instance)
        return instance

    def check_if_match(self, instance: Any) -> None:
        tags = if_match(self.request)
        if tags is None:
            return
        current = self.etag(instance)
        if "*" not in tags and current not in tags:
            raise PreconditionFailed(current)

    def require_create(self) -> None:
        self.create_rule.require(self.request.user)


class ReadMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    def retrieve(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.respond(self.get_object())


class CreateMixin:
    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.require_create()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_create(serializer.validated_data)
        with transaction.atomic():
            instance = self.perform_create(serializer)
        return self.respond(instance, status.HTTP_201_CREATED)

    def perform_create(self, serializer: serializers.ModelSerializer) -> Any:
        model: type[models.Model] = serializer.Meta.model
        return save_model(model(**serializer.validated_data))


class UpdateMixin:
    @extend_schema(parameters=[IF_MATCH])
    def update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.writable_object()
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.perform_update(serializer)
        return self.respond(instance)

    @extend_schema(parameters=[IF_MATCH])
    def partial_update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_update(self, serializer: serializers.ModelSerializer) -> Any:
        instance = serializer.instance
        assert instance is not None
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        return save_model(instance)


class DestroyMixin:
    @extend_schema(parameters=[IF_MATCH])
    def destroy(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            self.writable_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchiveMixin:
    """POST …/archive/ and …/restore/, as the pages' archive button (never a DELETE)."""

    def check_archive(self: Any, instance: Any) -> None:
        """Refuse (403) archiving an object the user may read; by default, as changing it."""
        self.check_write(instance)

    def _toggle(self: Any, archived: bool) -> Response:
        with transaction.atomic():
            instance = self.writable_object(check=self.check_archive)
            if archived and not instance.is_archived:
                instance.archive()
            elif not archived and instance.is_archived:
                instance.restore()
        return self.respond(instance)

    @extend_schema(request=None, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        return self._toggle(True)

    @extend_schema(request=None, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        return self._toggle(False)
