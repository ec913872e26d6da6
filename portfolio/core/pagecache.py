"""Rendered bodies and fragments kept until something they show has changed.

A cached part names the *scopes* it shows: ``project:12``, ``programme:3``, ``portfolio:1``
(everything inside that portfolio), ``drafts:12`` (a project's unsubmitted reports) and the
implicit ``catalogue`` (names, people, policies: what every page lists). Each scope has a
version in the cache; a write moves the versions of the scopes its rows belong to (the
composing layer says which: ``portfolio.health.scopes``), so an autosaved draft or a write
to programme A leaves programme B's dashboard cached.

Order matters and is kept like this:
- A page reads the versions of its scopes (``declare`` in the view, or the tag's own
  scopes) before it reads the data it shows, so a body rendered from data older than a
  write is never filed under the version that write produced.
- A write moves its scopes when its transaction commits. It moves them at once as well
  when this thread has read one of them since it last moved: the same connection sees its
  own uncommitted writes, and so must its next page (tests run inside one transaction).

The key holds the versions, what the viewer may see (``viewer_profile``: role and visible
programmes and portfolios, never the user or the CSRF cookie, so viewers who see the same
share one body), the path and today's date (lateness is counted in days). An entry lives at
most ``PAGE_CACHE_SECONDS``: the bound for writes made outside the ORM (raw SQL, another
database client). A CSRF token inside a cached part is filed as a placeholder and filled
per request. One render per key at a time: the first miss takes a short lock, the others
wait for its body. When the cache is unreachable, pages render as if nothing were cached.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from portfolio.core.signals import page_cache_lookup

logger = logging.getLogger(__name__)

KEY_PREFIX = "page-body"
KEPT_PREFIX = "kept-value"
VERSION_PREFIX = "scope-version"
LOCK_PREFIX = "page-lock"
PROFILE_PREFIX = "viewer-profile"
CATALOGUE = "catalogue"
# Moved when who may see what changes (people, roles, managers, executives); the viewer
# profiles are cached under it.
VISIBILITY = "visibility"
# The token a cached part holds where the request's CSRF token goes.
CSRF_PLACEHOLDER = "csrf-token-placeholder-8d1f0c"
# Single-flight: how long a render may hold its key, and how long others wait for it.
LOCK_SECONDS = 10
WAIT_SECONDS = 3.0
WAIT_STEP = 0.02

_thread = threading.local()

T = TypeVar("T")


def scope(kind: str, pk: object) -> str:
    return f"{kind}:{pk}"


def scope_of(subject: Any) -> str:
    """A scope named by a string, or the scope of a row (a project, programme, portfolio)."""
    if isinstance(subject, str):
        return subject
    return scope(subject._meta.model_name, subject.pk)


def _version_key(name: str) -> str:
    return f"{VERSION_PREFIX}:{name}"


def _read_scopes() -> set[str]:
    read: set[str] | None = getattr(_thread, "read", None)
    if read is None:
        read = _thread.read = set()
    return read


def versions(scopes: Iterable[str]) -> dict[str, int] | None:
    """The current version of each scope (one round trip), or None when the cache cannot
    be reached. A lost version restarts from the clock, above every earlier one, so no
    entry filed before the loss is served again."""
    names = sorted(set(scopes) | {CATALOGUE})
    keys = [_version_key(name) for name in names]
    try:
        found = cache.get_many(keys)
        if missing := [key for key in keys if key not in found]:
            found |= _start_versions(missing)
    except Exception:  # any cache failure means "nothing is cached"
        logger.warning("page cache: cannot read scope versions", exc_info=True)
        return None
    _read_scopes().update(names)
    return {name: found[key] for name, key in zip(names, keys, strict=True)}


def _start_versions(keys: list[str]) -> dict[str, int]:
    """Give each missing version the clock's value, unless another process gave it one
    first (set-if-absent), and read what each holds. On Redis one round trip for them all:
    after a flush, a page of 26 portfolio scopes would otherwise wait for 52."""
    stamp = time.time_ns()
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):  # not Redis: the quick start
        return {key: cache.get(key) if not cache.add(key, stamp, None) else stamp for key in keys}
    redis_keys = [cache.make_and_validate_key(key) for key in keys]
    pipe = client.get_client(write=True).pipeline(transaction=False)
    for key in redis_keys:
        pipe.set(key, client._serializer.dumps(stamp), nx=True)
    pipe.mget(redis_keys)
    *_, values = pipe.execute()
    return {key: client._serializer.loads(value) for key, value in zip(keys, values, strict=True)}


def _move(scopes: Iterable[str]) -> None:
    read = _read_scopes()
    for name in scopes:
        read.discard(name)
        key = _version_key(name)
        try:
            try:
                cache.incr(key)
            except ValueError:  # no version yet: any fresh one will do
                cache.set(key, time.time_ns(), timeout=None)
        except Exception:  # a write must never fail because the cache is down
            logger.warning("page cache: cannot move %s", name, exc_info=True)


def content_changed() -> None:
    """Retire every cached body and fragment at once by moving the catalogue, which every
    key holds: for cold renders in the benchmark, or after a fix made in raw SQL."""
    _move([CATALOGUE])


def move_pending() -> None:
    pending: set[str] = getattr(_thread, "pending", set())
    _thread.pending = set()
    _move(pending)


def scopes_changed(scopes: Iterable[str]) -> None:
    """Rows of these scopes were written: move their versions when the write commits, and
    at once those this thread has read (it sees its own uncommitted rows)."""
    names = set(scopes)
    if not names:
        return
    if not connection.in_atomic_block:
        _move(names)  # autocommit: the statement has committed already
        return
    pending: set[str] = getattr(_thread, "pending", set())
    _thread.pending = pending | names
    if not any(entry[1] is move_pending for entry in connection.run_on_commit):
        connection.on_commit(move_pending)
    seen = names & _read_scopes()
    if seen:
        _move(seen)


def uncommitted(name: str) -> bool:
    """True while this thread's open transaction has written rows of the scope `name` (its
    move waits for the commit). A rolled-back transaction forgets its commit hooks, so its
    writes stop counting with it."""
    pending: set[str] = getattr(_thread, "pending", set())
    return name in pending and any(entry[1] is move_pending for entry in connection.run_on_commit)


# Values read from many rows -------------------------------------------------------------

# This process's copy of each kept value: name → (digest of its versions, when built, value).
_kept: dict[str, tuple[str, float, Any]] = {}


def kept(name: str, scopes: Iterable[str], build: Callable[[], T]) -> T:
    """A value read from the rows of these scopes (the impact graph: the whole plan), built
    once per version of them and shared by every process.

    1. A thread whose open transaction wrote rows of one of the scopes builds its own and
       files nothing: it sees rows no other connection may see yet, and may roll back.
    2. Otherwise it reads the versions before any row (as a page does), so a value built
       from rows older than a write is never filed under the version that write produced.
    3. The copy this process holds for those versions is served as it is (callers treat
       the value as read-only); else the one in the cache (pickled); else it is built and
       filed in both.
    A value lives at most ``PAGE_CACHE_SECONDS`` (writes outside the ORM); with that 0, or
    the cache unreachable, it is built every time.
    """
    names = set(scopes)
    if settings.PAGE_CACHE_SECONDS <= 0 or any(uncommitted(n) for n in names):
        return build()
    found = versions(names)
    if found is None:
        return build()
    stamp, now = digest(found), time.time()
    held = _kept.get(name)
    if held is None or held[0] != stamp or now - held[1] >= settings.PAGE_CACHE_SECONDS:
        built_at, value = _shared(f"{KEPT_PREFIX}:{name}:{stamp}", build)
        held = _kept[name] = (stamp, built_at, value)
    return held[2]


def _shared(key: str, build: Callable[[], T]) -> tuple[float, T]:
    """The value filed under `key` with when it was built (its age counts from then, in
    every process), or a new one filed there."""
    try:
        found: tuple[float, T] | None = cache.get(key)
    except Exception:
        logger.warning("page cache: cannot read %s", key, exc_info=True)
        found = None
    if found is None:
        found = (time.time(), build())
        _put(key, found)
    return found


# Viewers ------------------------------------------------------------------------------

# What a viewer may see: set by the app that knows roles and visibility
# (programmes.scopes.viewer). It returns a dict whose "profile" is text equal for viewers
# who may see the same; its other entries are facts pages need before naming their scopes
# (the portfolios a viewer reads). None until set: nothing is cached.
_viewer_of: Callable[[Any], dict[str, Any]] | None = None


def set_viewer(function: Callable[[Any], dict[str, Any]]) -> None:
    global _viewer_of
    _viewer_of = function


def viewer(request: HttpRequest) -> dict[str, Any] | None:
    """What this viewer may see, kept per user until who may see what moves (the
    ``visibility`` scope), so a poll needs no SQL to know it. None when the cache cannot be
    reached or nobody is signed in."""
    if hasattr(request, "_page_viewer"):
        return request._page_viewer
    found: dict[str, Any] | None = None
    user = getattr(request, "user", None)
    stamp = versions([VISIBILITY]) if user is not None and user.is_authenticated else None
    if stamp is not None and _viewer_of is not None:
        key = f"{PROFILE_PREFIX}:{user.pk}:{stamp[VISIBILITY]}:{stamp[CATALOGUE]}"  # type: ignore[union-attr]
        found = _get(key)
        if found is None:
            found = _viewer_of(user)
            found["profile"] = hashlib.sha256(str(found["profile"]).encode()).hexdigest()[:32]
            _put(key, found)
    request._page_viewer = found  # type: ignore[attr-defined]
    return found


def viewer_profile(request: HttpRequest) -> str | None:
    found = viewer(request)
    return None if found is None else str(found["profile"])


# Pages --------------------------------------------------------------------------------


def declare(
    request: HttpRequest, scopes: Iterable[str] | Callable[[], Iterable[str]]
) -> str | None:
    """The scopes this page's body shows (or a function naming them, asked only when the
    cache is on); call before reading what it shows. Returns a short digest of their
    versions (what an open page polls with), None when nothing is cached."""
    if not _enabled(request):
        return None
    found = versions(scopes() if callable(scopes) else scopes)
    request.page_versions = found  # type: ignore[attr-defined]
    return digest(found) if found is not None else None


def _enabled(request: HttpRequest) -> bool:
    return settings.PAGE_CACHE_SECONDS > 0 and request.method in ("GET", "HEAD")


def digest(scope_versions: dict[str, int]) -> str:
    return hashlib.sha256(repr(sorted(scope_versions.items())).encode()).hexdigest()[:16]


def key_for(
    request: HttpRequest, name: str, scope_versions: dict[str, int] | None = None
) -> str | None:
    """The cache key of one body or fragment as this request would see it; None: do not
    cache. Without its own scopes a part is keyed on those the view declared."""
    if scope_versions is None:
        scope_versions = getattr(request, "page_versions", None)
    if scope_versions is None or not _enabled(request):
        return None
    profile = viewer_profile(request)
    if profile is None:
        return None
    parts = [
        name,
        sorted(scope_versions.items()),
        profile,
        request.get_full_path(),
        timezone.localdate(),
    ]
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{digest}"  # the name in clear: hit rates per page


def fragment_key(request: HttpRequest, name: str, scopes: Sequence[str]) -> str | None:
    """The key of a fragment that names its own scopes (a programme card)."""
    if not _enabled(request) or viewer_profile(request) is None:
        return None
    found = versions(scopes)
    if found is None:
        return None
    return key_for(request, name, found)


def cached(
    key: str | None, render: Callable[[], str], still_current: Callable[[], bool] | None = None
) -> str:
    """The body filed under `key`, or `render()` filed there: one render per key at a time.

    1. A hit is served.
    2. A miss takes the key's lock (`cache.add`), renders, files the body, lets go.
    3. A miss that finds the lock taken waits for the body. If the holder lets go without
       filing one (what it rendered from moved on), the waiters race for the lock again;
       after WAIT_SECONDS a waiter renders itself (the holder is slow or died; its lock
       expires after LOCK_SECONDS anyway).
    A body is filed only if `still_current()` says what it was rendered from still is. Each
    call counts once for the bench's hit rates: a hit when it rendered nothing.
    """
    if key is None:
        return render()
    body = _read(key)
    lock, token = f"{LOCK_PREFIX}:{key}", uuid.uuid4().hex
    deadline = time.monotonic() + WAIT_SECONDS
    while body is None:
        if _add(lock, token):
            try:
                return _render_and_file(key, render, still_current)
            finally:
                _release(lock, token)
        if time.monotonic() >= deadline:  # the holder is slow, or died
            return _render_and_file(key, render, still_current)
        body = _wait_for_holder(key, lock, deadline)
    page_cache_lookup.send(sender=None, hit=True)  # served without rendering (the bench)
    return body


def _wait_for_holder(key: str, lock: str, deadline: float) -> Any:
    """The body the lock's holder files; None as soon as it lets go without filing one (what
    it rendered from moved on meanwhile: the next miss takes the lock), or at the deadline."""
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP)
        try:
            found = cache.get_many([key, lock])  # both at one moment: filed, or let go
        except Exception:
            logger.warning("page cache: cannot read %s", key, exc_info=True)
            return None
        if key in found or lock not in found:
            return found.get(key)
    return None


def _render_and_file(
    key: str, render: Callable[[], str], still_current: Callable[[], bool] | None
) -> str:
    page_cache_lookup.send(sender=None, hit=False)
    body = render()
    if still_current is None or still_current():
        _put(key, body)
    return body


def declared_still_current(request: HttpRequest) -> bool:
    """True when no scope the page declared has moved since: a fragment that read its own
    versions after the page read its data may be filed (nothing in those scopes committed
    in between; a card's programme lies inside the portfolio the page declared)."""
    declared = getattr(request, "page_versions", None)
    return declared is not None and versions(declared) == declared


def _get(key: str) -> Any:
    body = _read(key)
    page_cache_lookup.send(sender=None, hit=body is not None)  # the bench's hit rates
    return body


def _read(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        logger.warning("page cache: cannot read %s", key, exc_info=True)
        return None


def _put(key: str, body: Any) -> None:
    try:
        cache.set(key, body, timeout=settings.PAGE_CACHE_SECONDS)
    except Exception:
        logger.warning("page cache: cannot store %s", key, exc_info=True)


def _add(key: str, token: str) -> bool:
    try:
        return bool(cache.add(key, token, timeout=LOCK_SECONDS))
    except Exception:
        logger.warning("page cache: cannot lock %s", key, exc_info=True)
        return True  # render without a lock rather than wait for nothing


def _release(key: str, token: str) -> None:
    try:
        if cache.get(key) == token:  # a lock that expired may be someone else's by now
            cache.delete(key)
    except Exception:
        logger.warning("page cache: cannot unlock %s", key, exc_info=True)
