"""The OpenAPI schema of the API (DEFAULT_SCHEMA_CLASS): drf-spectacular's, plus every
refusal each operation can answer, with its JSON body, so that no view lists them.

Its own module: `extend_schema` in portfolio.core.api reads DEFAULT_SCHEMA_CLASS while that
module is still being imported.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal but a 400 on fields: what went wrong, in words."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


class PreconditionFailedSerializer(ErrorSerializer):
    etag = serializers.CharField(help_text="The object's current ETag.")


# A 400 names each field refused with its reasons ({"field": ["reason"]}); a body that is
# not JSON at all, or is too deep, is refused as a whole ({"detail": "..."}).
INVALID_INPUT: dict[str, Any] = {
    "type": "object",
    "description": "The fields refused, each with its reasons; `detail` when the whole body is.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
}

ERROR_DESCRIPTIONS = {
    400: "Invalid input: each field refused, with its reasons",
    401: "No credentials, or a token that is unknown, expired or revoked",
    403: "Your role may not do this (the reason in `detail`)",
    404: "No such object within your reach (or no such page of results)",
    409: "Clashes with a record saved a moment ago: check and retry",
    412: "If-Match is stale: someone changed the object since you read it",
    415: "The body is not JSON",
    429: "Too many bad tokens from your address: retry after Retry-After seconds",
}


def error_statuses(method: str, path: str) -> list[int]:
    """The refusals an operation can answer, by what it is: every operation may be refused
    for credentials (401), role (403), reach or page (404) and bad tokens (429); a list reads
    filters (400); writes validate (400), clash (409) and read JSON (415); writes to an
    existing object honour If-Match (412)."""
    statuses = [401, 403, 404, 429]
    detail = "{id}" in path
    if method != "GET" or not detail:
        statuses.append(400)
    if method != "GET":
        statuses.append(409)
    if method in {"POST", "PUT", "PATCH"}:
        statuses.append(415)
    if method != "GET" and detail:
        statuses.append(412)
    return sorted(statuses)


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers of each operation (error_statuses)
    with their JSON bodies, so no view has to list them."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status_code in error_statuses(self.method, self.path):
            code = str(status_code)
            if "content" not in responses.get(code, {}):
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(
                        response=_error_body(status_code),
                        description=ERROR_DESCRIPTIONS[status_code],
                    ),
                    code,
                    direction=direction,
                )
        return responses

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        return schema

    def _get_response_headers_for_code(self, status_code: str, direction: Any = "response") -> Any:
        headers: dict[str, Any] = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            headers["Retry-After"] = {
                "schema": {"type": "integer"},
                "description": "Seconds until the address may try again.",
            }
        return headers


def decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal as a string, as DecimalField takes it: at least one digit (drf-spectacular's
    own pattern also allows "" and "."), no sign when the field refuses negatives."""
    minimum = field.min_value
    sign = "" if minimum is not None and minimum >= 0 else "-?"
    whole, places = field.max_whole_digits, field.decimal_places
    if not places:
        return rf"^{sign}\d{{1,{whole}}}$"
    if not whole:
        return rf"^{sign}0?\.\d{{1,{places}}}$"
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


def _error_body(status_code: int) -> Any:
    if status_code == 400:
        return INVALID_INPUT
    if status_code == 412:
        return PreconditionFailedSerializer
    return ErrorSerializer
