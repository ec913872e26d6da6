"""How the API reads request bodies (named in REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Kept apart from `portfolio.core.api`: DRF imports the parsers named in settings while its
views are still being imported, so this module imports no DRF view.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in parsed JSON (iterative: no recursion to blow)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            stack.extend(
                (item, depth + 1) for item in (value.values() if isinstance(value, dict) else value)
            )
    return deepest


class JsonBodyParser(JSONParser):
    """DRF's JSON parser, made to answer every malformed body with 400 {"detail": ...}.

    DRF's own lets a deeply nested body raise RecursionError (a 500) and reads 1e999 as
    infinity; here bytes that are not UTF-8, numbers beyond a float, and nesting deeper
    than MAX_DEPTH (no request of ours needs more than three levels) are parse errors.
    """

    MAX_DEPTH = 32

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            data = json.loads(text, parse_float=_finite, parse_constant=_no_constant)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        except (ValueError, LookupError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _depth(data) > self.MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {self.MAX_DEPTH} levels.")
        return data


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")
