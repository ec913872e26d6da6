"""Malformed bodies on every API write route are a JSON 4xx, never a 500: deep nesting,
numbers beyond range, wrong types, bytes that are not UTF-8 and bodies that are not JSON.

The routes are the write rows of the API's access matrix, so a new route is swept too. Each
is called as PMO, who may write everything, so the body itself is what gets judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from tests.access.test_api_access import ROWS, Row
from tests.api_world import World, make_world
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

WRITES = [row for row in ROWS if row.method in ("POST", "PUT", "PATCH")]

JSON = "application/json"


def _each_field(value: Any) -> Callable[[dict[str, Any]], bytes]:
    """A body with every field of the route's valid body set to `value`."""

    def body(valid: dict[str, Any]) -> bytes:
        fields = valid or {"name": None}
        return ("{" + ", ".join(f'"{name}": {value}' for name in fields) + "}").encode()

    return body


def _fixed(raw: bytes) -> Callable[[dict[str, Any]], bytes]:
    return lambda valid: raw


# name: (content type, body from the route's valid body, what the answer must be). A body
# that is not JSON (or not an object) is refused outright, 400 {"detail": ...} or 415; a
# body of valid JSON with odd values is judged field by field, 400 {"field": [...]}, except
# where the value is fine after all (a number for a name is read as its digits, a long
# text is a long text): then it may succeed, but never with a 500.
REFUSED, REJECTED, NO_500 = "refused", "rejected", "no 500"
MALFORMED: dict[str, tuple[str, Callable[[dict[str, Any]], bytes], str]] = {
    "deeply nested list": (JSON, _fixed(b"[" * 1000 + b"]" * 1000), REFUSED),
    "deeply nested object": (JSON, _fixed(b'{"a": ' * 1000 + b"1" + b"}" * 1000), REFUSED),
    "nested deeper than allowed": (JSON, _fixed(b"[" * 40 + b"]" * 40), REFUSED),
    "number beyond a float": (JSON, _each_field("1e999"), REFUSED),
    "integer of 5000 digits": (JSON, _each_field("9" * 5000), REFUSED),
    "NaN": (JSON, _each_field("NaN"), REFUSED),
    "truncated JSON": (JSON, _fixed(b'{"name": "x'), REFUSED),
    "invalid UTF-8": (JSON, _fixed(b'{"name": "\xff\xfe\xfa"}'), REFUSED),
    "form encoding": ("application/x-www-form-urlencoded", _fixed(b"name=x&code=y"), REFUSED),
    "plain text": ("text/plain", _fixed(b"name: x"), REFUSED),
    "XML": ("application/xml", _fixed(b"<name>x</name>"), REFUSED),
    "a list body": (JSON, _fixed(b"[1, 2, 3]"), REJECTED),
    "a string body": (JSON, _fixed(b'"text"'), REJECTED),
    "a null body": (JSON, _fixed(b"null"), REJECTED),
    "a number body": (JSON, _fixed(b"42"), REJECTED),
    "lists for every field": (JSON, _each_field("[1, 2]"), REJECTED),
    "objects for every field": (JSON, _each_field('{"a": {"b": 1}}'), REJECTED),
    "booleans for every field": (JSON, _each_field("true"), NO_500),
    "huge integers": (JSON, _each_field(str(10**40)), NO_500),
    "huge negative numbers": (JSON, _each_field(str(-(10**40)) + ".5"), NO_500),
    "long strings for every field": (JSON, _each_field('"' + "x" * 100_000 + '"'), NO_500),
}


@pytest.fixture
def world(cast: Cast) -> World:
    return make_world(cast)


def _reads_body(row: Row, world: World) -> bool:
    """Actions without a body (archive, restore, escalate) never read one: any is ignored."""
    return bool(row.body(world)) or row.method != "POST" or row.route.endswith("-list")


@pytest.mark.parametrize("kind", MALFORMED, ids=list(MALFORMED))
def test_every_write_route_answers_a_malformed_body_with_json_4xx(world: World, kind: str) -> None:
    content_type, make_body, expected = MALFORMED[kind]
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens['pmo']}")
    wrong = []
    for row in WRITES:
        with transaction.atomic():
            response = client.generic(
                row.method, row.url(world), make_body(row.body(world)), content_type=content_type
            )
            transaction.set_rollback(True)
        status = response.status_code
        is_json = response["Content-Type"].startswith("application/json")
        body = response.json() if is_json else None
        strict = expected != NO_500 and _reads_body(row, world)
        if status >= 500 or not is_json:
            wrong.append(f"{row.id}: {status} {response.content[:120]!r}")
        elif strict and not 400 <= status < 500:
            wrong.append(f"{row.id}: {status}, expected a 4xx")
        elif status >= 400 and not isinstance(body, dict):
            wrong.append(f"{row.id}: {status} with {body!r}")
        elif expected == REFUSED and strict and "detail" not in body:
            wrong.append(f"{row.id}: {status} without detail: {body!r}")
    assert wrong == [], "\n".join(wrong)


def test_a_deeply_nested_body_says_what_is_wrong(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens['pmo']}")
    response = client.generic(
        "POST", "/api/v1/portfolios/", b"[" * 1000 + b"]" * 1000, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}
