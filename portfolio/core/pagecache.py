"""Rendered page bodies kept until anything they could show has changed.

The heavy pages (dashboards, the PMO's reporting page, a project's page) wrap their body in
``{% page_cache "name" %}``. A body is filed under one *content version*, which moves on
every write to the database: any INSERT, UPDATE, DELETE or TRUNCATE that goes through
Django's connection, bulk and raw SQL included, in the web server and in Celery workers. So
a cached body is served only while nothing has committed since it was rendered; in
particular never with health older than the last completed roll-up.

Order matters and is kept like this:
- A request reads the version first (``ContentVersionMiddleware``), before the session,
  the user or any data, so a body rendered from data older than a write is never filed
  under the version that write produced.
- A write moves the version when its transaction commits. It moves it at once as well when
  this thread has read the version since it last moved it: the same connection sees its own
  uncommitted writes, and so must its next page (tests run inside one open transaction).

The key also holds the user, the CSRF cookie (bodies may hold forms), the full path and
today's date (lateness and staleness are counted in days), and an entry lives at most
``PAGE_CACHE_SECONDS``, a bound for writes made outside Django. When the cache is
unreachable, pages render as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from portfolio.core.signals import page_cache_lookup

logger = logging.getLogger(__name__)

VERSION_KEY = "content-version"
KEY_PREFIX = "page-body"
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
# Writes that never change what a page shows: logging in and out, session bookkeeping,
# sign-in attempts counted by django-axes, the authentication event log.
UNWATCHED_TABLES = ('"django_session"', '"axes_', '"accounts_authevent"')

_thread = threading.local()


def content_version() -> int | None:
    """The current version, or None when the cache cannot be reached."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # A lost version restarts from the clock, above every earlier one, so no entry
            # filed before the loss can be served again.
            cache.add(VERSION_KEY, time.time_ns(), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # any cache failure means "nothing is cached"
        logger.warning("page cache: cannot read the content version", exc_info=True)
        return None
    _thread.read_since_change = True
    return version


def content_changed() -> None:
    """Move the version: every cached body is stale from now on."""
    _thread.read_since_change = False
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet: any fresh one will do
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # a write must never fail because the cache is down
        logger.warning("page cache: cannot move the content version", exc_info=True)


def _is_watched_write(sql: str) -> bool:
    head = sql.lstrip()[:64]
    return head[:8].upper().startswith(WRITE_VERBS) and not any(
        table in head for table in UNWATCHED_TABLES
    )


def _note_write(connection: BaseDatabaseWrapper) -> None:
    if not connection.in_atomic_block:
        content_changed()  # autocommit: the statement has committed already
        return
    if not any(entry[1] is content_changed for entry in connection.run_on_commit):
        connection.on_commit(content_changed)
    if getattr(_thread, "read_since_change", False):
        content_changed()


def watch_writes(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """A database execute wrapper (installed on every connection by PortfolioConfig)."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _is_watched_write(sql):
        _note_write(context["connection"])
    return result


def install(connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Receiver of connection_created: watch this connection's writes, once."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


class ContentVersionMiddleware:
    """Reads the version before anything else a GET request reads."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Without a CSRF cookie (API clients, first visits) no body is cached: see key_for.
        enabled = (
            settings.PAGE_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.CSRF_COOKIE_NAME in request.COOKIES
        )
        request.content_version = content_version() if enabled else None  # type: ignore[attr-defined]
        return self.get_response(request)


def key_for(request: HttpRequest, name: str) -> str | None:
    """The cache key of one body as this request would see it; None: do not cache."""
    version = getattr(request, "content_version", None)
    csrf_cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    user = getattr(request, "user", None)
    if version is None or not csrf_cookie or user is None or not user.is_authenticated:
        return None
    parts = [name, version, user.pk, csrf_cookie, request.get_full_path(), timezone.localdate()]
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


def get(key: str) -> str | None:
    try:
        body: str | None = cache.get(key)
    except Exception:
        logger.warning("page cache: cannot read %s", key, exc_info=True)
        body = None
    page_cache_lookup.send(sender=None, hit=body is not None)  # the bench's hit rates
    return body


def put(key: str, body: str) -> None:
    try:
        cache.set(key, body, timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache: cannot store %s", key, exc_info=True)
