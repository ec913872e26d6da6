"""The page cache's answer to each request, in a response header the bench reads.

Mounted only when the benchmark turns it on (settings.BENCHMARK). Every lookup of the page
cache sends `page_cache_lookup` (portfolio.core.signals); this middleware collects the
lookups of one request and answers with
- `X-Page-Cache: hit` when every lookup found its body (nothing was rendered), `miss` when
  any did not; no header when the request looked nothing up;
- `X-Page-Cache-Lookups: <hits>/<lookups>`, for pages cached in several fragments.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from portfolio.core.signals import page_cache_lookup

_request = threading.local()


def _note(*, hit: bool, **_: Any) -> None:
    lookups: list[bool] | None = getattr(_request, "lookups", None)
    if lookups is not None:  # None: outside a request (a Celery task, a shell)
        lookups.append(hit)


class PageCacheHeader:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        page_cache_lookup.connect(_note, dispatch_uid="bench.middleware.note")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _request.lookups = []
        try:
            response = self.get_response(request)
            lookups: list[bool] = _request.lookups
        finally:
            _request.lookups = None
        if lookups:
            response["X-Page-Cache"] = "hit" if all(lookups) else "miss"
            response["X-Page-Cache-Lookups"] = f"{sum(lookups)}/{len(lookups)}"
        return response
