"""The page cache: a body is served from the cache until any write, of any kind, has
happened; never across users; and an unreachable cache only costs speed."""

import re
import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.core import pagecache
from programmes.models import Programme
from projects.models import Project, Risk
from tests.conftest import Cast
from tests.factories import RiskFactory

DASHBOARD = reverse("dashboards:portfolio")


def _cards(cast: Cast) -> str:
    """The programme cards (and so the programmes' names) load apart from the dashboard."""
    return reverse("dashboards:portfolio-programmes", args=[cast.portfolio_a.pk])


def _without_csrf_tokens(html: str) -> str:
    """Every response masks the CSRF token afresh; the rest of a page is what is compared."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def _warm(client: Client, url: str) -> tuple[str, int]:
    """The page once to get a CSRF cookie, once to file its body; (body, queries) of the
    second, which rendered everything."""
    client.get(url)
    return _get(client, url)


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.mark.parametrize(
    "url",
    [
        DASHBOARD,
        reverse("projects:mine"),
        reverse("projects:reporting"),
    ],
)
def test_a_page_seen_again_is_served_from_the_cache(cast: Cast, url: str) -> None:
    viewer = cast.project_manager if url == reverse("projects:mine") else cast.pmo
    client = cast.client_for(viewer)
    rendered, rendering_queries = _warm(client, url)
    served, serving_queries = _get(client, url)
    assert _without_csrf_tokens(served) == _without_csrf_tokens(rendered)
    assert serving_queries < rendering_queries


def test_the_project_and_programme_pages_are_cached_too(cast: Cast) -> None:
    for url in (
        reverse("projects:detail", args=[cast.project_a1.pk]),
        reverse("dashboards:programme", args=[cast.programme_a1.pk]),
    ):
        client = cast.client_for(cast.pmo)
        _, rendering_queries = _warm(client, url)
        _, serving_queries = _get(client, url)
        assert serving_queries < rendering_queries, url


def _rename_with_update(cast: Cast) -> None:
    Programme.objects.filter(pk=cast.programme_a1.pk).update(name="Renamed by update")


def _rename_with_save(cast: Cast) -> None:
    cast.programme_a1.name = "Renamed by save"
    cast.programme_a1.save()


def _rename_with_raw_sql(cast: Cast) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Programme._meta.db_table} SET name = %s WHERE id = %s",
            ["Renamed by raw SQL", cast.programme_a1.pk],
        )


def _add_risk_with_bulk_create(cast: Cast) -> None:
    Risk.objects.bulk_create(
        [Risk(project=cast.project_a1, title="Added by bulk_create", probability=5, impact=5)]
    )


def _delete_a_risk(cast: Cast) -> None:
    Risk.objects.filter(title="Shown until deleted").delete()


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        (_rename_with_update, "Renamed by update"),
        (_rename_with_save, "Renamed by save"),
        (_rename_with_raw_sql, "Renamed by raw SQL"),
        (_add_risk_with_bulk_create, "Added by bulk_create"),
    ],
)
def test_any_write_retires_the_cached_body(cast: Cast, write, shows: str) -> None:  # type: ignore[no-untyped-def]
    client = cast.client_for(cast.executive)
    url = DASHBOARD if write is _add_risk_with_bulk_create else _cards(cast)
    before, _ = _warm(client, url)
    assert shows not in before
    write(cast)
    after, _ = _get(client, url)
    assert shows in after


def test_a_deletion_retires_the_cached_body(cast: Cast) -> None:
    RiskFactory(project=cast.project_a1, title="Shown until deleted", probability=5, impact=5)
    client = cast.client_for(cast.executive)
    before, _ = _warm(client, DASHBOARD)
    assert "Shown until deleted" in before
    _delete_a_risk(cast)
    after, _ = _get(client, DASHBOARD)
    assert "Shown until deleted" not in after


def test_reads_and_session_bookkeeping_keep_the_version(cast: Cast) -> None:
    version = pagecache.content_version()
    list(Project.objects.all())
    session = SessionStore()
    session["seen"] = True
    session.save()
    Session.objects.filter(session_key=session.session_key).delete()
    assert cache.get(pagecache.VERSION_KEY) == version


def test_one_viewer_never_gets_another_viewers_body(cast: Cast) -> None:
    executive_page, _ = _warm(cast.client_for(cast.executive), DASHBOARD)
    pmo_page, _ = _warm(cast.client_for(cast.pmo), DASHBOARD)
    assert "Portfolio B" not in executive_page
    assert "Portfolio B" in pmo_page


def _request(cast: Cast, settings, path: str = DASHBOARD):  # type: ignore[no-untyped-def]
    request = RequestFactory().get(path)
    request.COOKIES[settings.CSRF_COOKIE_NAME] = "a" * 32
    request.user = cast.pmo.user
    request.content_version = 1
    return request


def test_the_key_holds_the_viewer_the_path_the_version_and_the_day(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    request = _request(cast, settings)
    key = pagecache.key_for(request, "page")
    assert key == pagecache.key_for(_request(cast, settings), "page")

    other_user = _request(cast, settings)
    other_user.user = cast.executive.user
    other_path = _request(cast, settings, DASHBOARD + "?as_of=2026-01-05")
    other_version = _request(cast, settings)
    other_version.content_version = 2
    other_cookie = _request(cast, settings)
    other_cookie.COOKIES[settings.CSRF_COOKIE_NAME] = "b" * 32
    others = [other_user, other_path, other_version, other_cookie]
    assert key not in {pagecache.key_for(r, "page") for r in others}

    settings.TIME_ZONE = "Pacific/Pago_Pago"  # UTC-11: always another date
    assert pagecache.key_for(_request(cast, settings), "page") != key


def test_nothing_is_cached_without_a_version_a_login_or_a_csrf_cookie(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    no_version = _request(cast, settings)
    no_version.content_version = None
    anonymous = _request(cast, settings)
    anonymous.user = AnonymousUser()
    no_cookie = _request(cast, settings)
    no_cookie.COOKIES.clear()
    assert [pagecache.key_for(r, "page") for r in (no_version, anonymous, no_cookie)] == [None] * 3


def _version_now() -> int:
    """The stored version, read without marking this thread as a reader."""
    return cache.get(pagecache.VERSION_KEY)


def test_a_transaction_moves_the_version_when_it_commits_not_before(
    transactional_db: None, cast: Cast
) -> None:
    pagecache.content_changed()  # this thread has not read since
    before = _version_now()
    with transaction.atomic():
        _rename_with_update(cast)
        assert _version_now() == before  # others cannot see the write yet
    assert _version_now() > before


def test_a_rolled_back_transaction_leaves_the_version(transactional_db: None, cast: Cast) -> None:
    pagecache.content_changed()
    before = _version_now()
    with pytest.raises(RuntimeError), transaction.atomic():
        _rename_with_update(cast)
        raise RuntimeError("changed my mind")
    assert _version_now() == before


def test_a_write_committed_by_another_thread_reaches_this_threads_page(
    transactional_db: None, cast: Cast
) -> None:
    client = cast.client_for(cast.executive)
    before, _ = _warm(client, _cards(cast))

    def rename() -> None:
        try:
            _rename_with_update(cast)
        finally:
            connection.close()

    writer = threading.Thread(target=rename)
    writer.start()
    writer.join()
    after, _ = _get(client, _cards(cast))
    assert "Renamed by update" not in before and "Renamed by update" in after


def test_pages_and_writes_work_when_the_cache_is_unreachable(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = cast.client_for(cast.executive)
    first, _ = _warm(client, _cards(cast))
    _rename_with_save(cast)
    after, _ = _get(client, _cards(cast))
    assert "Renamed by save" not in first and "Renamed by save" in after
