"""The page cache: a body is served from the cache until a write to something it shows has
happened; writes elsewhere (a draft, another programme) leave it cached; viewers who may see
the same share a body, others never get it; one render per key; an unreachable cache only
costs speed."""

import random
import re
import threading
import time
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portfolio.core import pagecache
from portfolio.core.periods import Period
from portfolio.core.signals import health_inputs_changed, page_cache_lookup
from portfolio.health import rollup
from portfolio.health.models import HealthRequest
from programmes.models import Person, Programme
from projects.models import Project, Risk
from projects.reporting import status_report_open, status_report_save, status_report_submit
from tests.conftest import Cast, wait_for
from tests.factories import (
    GREEN,
    AllocationFactory,
    DependencyFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
)

DASHBOARD = reverse("dashboards:portfolio")
WEEK = Period.containing(date.today())


def _programme_dashboard(programme: Programme) -> str:
    """With every panel inline (they load on reveal otherwise)."""
    return reverse("dashboards:programme", args=[programme.pk]) + "?panels=all"


def _cards(cast: Cast) -> str:
    """The programme cards (and so the programmes' names) load apart from the dashboard."""
    return reverse("dashboards:portfolio-programmes", args=[cast.portfolio_a.pk])


def _without_csrf_tokens(html: str) -> str:
    """Every response masks the CSRF token afresh; the rest of a page is what is compared."""
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def _main(html: str) -> str:
    return _without_csrf_tokens(html[html.index("<main") : html.index("</main>")])


def _get(client: Client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _draft_and_autosave(project: Project) -> Any:
    report, _ = status_report_open(project=project, period=WEEK, author=None)
    status_report_save(report=report, version=1, changes={"next_steps": "typing…"}, author=None)
    return report


def _submit(report: Any) -> None:
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "percent_complete": 40},
        author=None,
    )


@pytest.mark.parametrize(
    "url", [DASHBOARD, reverse("projects:mine"), reverse("projects:reporting")]
)
def test_a_page_seen_again_is_served_from_the_cache(cast: Cast, url: str) -> None:
    viewer = cast.project_manager if url == reverse("projects:mine") else cast.pmo
    client = cast.client_for(viewer)
    rendered, rendering_queries = _get(client, url)
    served, serving_queries = _get(client, url)
    assert _without_csrf_tokens(served) == _without_csrf_tokens(rendered)
    assert serving_queries < rendering_queries


def test_the_project_and_programme_pages_are_cached_too(cast: Cast) -> None:
    for url in (
        reverse("projects:detail", args=[cast.project_a1.pk]),
        _programme_dashboard(cast.programme_a1),
    ):
        client = cast.client_for(cast.pmo)
        _, rendering_queries = _get(client, url)
        _, serving_queries = _get(client, url)
        assert serving_queries < rendering_queries, url


def _rename_with_save(cast: Cast) -> None:
    cast.programme_a1.name = "Renamed by save"
    cast.programme_a1.save()


def _add_risk_with_bulk_create(cast: Cast) -> None:
    risks = Risk.objects.bulk_create(
        [Risk(project=cast.project_a1, title="Added by bulk_create", probability=5, impact=5)]
    )
    health_inputs_changed.send(sender=Risk, rows=risks)  # as every bulk write path does


def _add_risk_with_create(cast: Cast) -> None:
    RiskFactory(project=cast.project_a1, title="Added by create", probability=5, impact=5)


@pytest.mark.parametrize(
    ("write", "shows"),
    [
        (_rename_with_save, "Renamed by save"),
        (_add_risk_with_bulk_create, "Added by bulk_create"),
        (_add_risk_with_create, "Added by create"),
    ],
)
def test_a_write_to_what_a_page_shows_retires_its_body(cast: Cast, write, shows: str) -> None:  # type: ignore[no-untyped-def]
    client = cast.client_for(cast.executive)
    url = _cards(cast) if write is _rename_with_save else DASHBOARD
    before, _ = _get(client, url)
    assert shows not in before
    write(cast)
    after, _ = _get(client, url)
    assert shows in after


def test_a_deletion_retires_the_cached_body(cast: Cast) -> None:
    RiskFactory(project=cast.project_a1, title="Shown until deleted", probability=5, impact=5)
    client = cast.client_for(cast.executive)
    before, _ = _get(client, DASHBOARD)
    assert "Shown until deleted" in before
    Risk.objects.get(title="Shown until deleted").delete()
    after, _ = _get(client, DASHBOARD)
    assert "Shown until deleted" not in after


def test_a_write_outside_the_orm_shows_once_the_entry_has_aged_out(
    cast: Cast, settings: Any
) -> None:
    settings.PAGE_CACHE_SECONDS = 1
    client = cast.client_for(cast.executive)
    _get(client, _cards(cast))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Programme._meta.db_table} SET name = %s WHERE id = %s",
            ["Renamed by raw SQL", cast.programme_a1.pk],
        )
    assert "Renamed by raw SQL" not in _get(client, _cards(cast))[0]  # no signal: not heard
    time.sleep(1.2)
    assert "Renamed by raw SQL" in _get(client, _cards(cast))[0]


def test_an_autosaved_draft_leaves_the_dashboards_cached_and_a_submit_does_not(
    cast: Cast, renders: list[str]
) -> None:
    client = cast.client_for(cast.executive)
    pages = [DASHBOARD, _programme_dashboard(cast.programme_a1)]
    for url in pages:
        _get(client, url)
    renders.clear()
    report = _draft_and_autosave(cast.project_a1)
    for url in pages:
        _get(client, url)
    assert renders == []
    _submit(report)
    for url in pages:
        _get(client, url)
    assert {"executive-dashboard", "programme-dashboard"} <= set(renders)


def test_a_write_to_programme_a_leaves_programme_bs_body_cached(
    cast: Cast, renders: list[str]
) -> None:
    client = cast.client_for(cast.pmo)
    a1, a2 = _programme_dashboard(cast.programme_a1), _programme_dashboard(cast.programme_a2)
    _get(client, a1)
    _get(client, a2)
    renders.clear()
    RiskFactory(programme=cast.programme_a1, project=None, title="Only in A1", probability=5)
    assert "Only in A1" in _get(client, a1)[0]
    assert renders == ["programme-dashboard"]
    _get(client, a2)
    assert renders == ["programme-dashboard"]  # A2's was served from the cache


def test_a_write_to_programme_a_re_renders_only_its_card_on_the_executive_dashboard(
    cast: Cast, renders: list[str]
) -> None:
    client = cast.client_for(cast.executive)
    _get(client, _cards(cast))
    assert renders.count("programme-card") == 2  # A1 and A2
    renders.clear()
    RiskFactory(project=cast.project_a1, probability=5, impact=5)
    _get(client, _cards(cast))
    assert renders == ["programme-card"]


def test_an_upstream_milestone_moves_the_dashboard_of_the_programme_downstream(
    cast: Cast, renders: list[str]
) -> None:
    DependencyFactory(upstream=cast.project_b1, downstream=cast.project_a1)
    client = cast.client_for(cast.pmo)
    downstream, elsewhere = (
        _programme_dashboard(cast.programme_a1),
        _programme_dashboard(cast.programme_a2),
    )
    _get(client, downstream)
    _get(client, elsewhere)
    renders.clear()
    MilestoneFactory(project=cast.project_b1)
    _get(client, downstream)
    _get(client, elsewhere)
    assert renders == ["programme-dashboard"]


def test_a_booking_moves_every_programme_that_shows_the_persons_load(
    cast: Cast, renders: list[str]
) -> None:
    booked = AllocationFactory(project=cast.project_a2).person
    client = cast.client_for(cast.pmo)
    url = _programme_dashboard(cast.programme_a2)
    _get(client, url)
    renders.clear()
    AllocationFactory(person=booked, project=cast.project_b1)  # in another programme
    _get(client, url)
    assert renders == ["programme-dashboard"]


def test_a_roll_up_of_programme_a_moves_its_dashboard_and_leaves_b(
    cast: Cast, renders: list[str]
) -> None:
    rollup.recompute_everything()
    client = cast.client_for(cast.pmo)
    a1, a2 = _programme_dashboard(cast.programme_a1), _programme_dashboard(cast.programme_a2)
    _get(client, a1)
    _get(client, a2)
    renders.clear()
    # A bulk write that sends no signal is heard by nobody: only the roll-up's new record,
    # which reads it, moves the page.
    Risk.objects.bulk_create(
        [Risk(programme=cast.programme_a1, title="Big", probability=5, impact=5)]
    )
    assert "Big" not in _get(client, a1)[0]
    rollup.recompute("programme", cast.programme_a1.pk)
    page = _get(client, a1)[0]
    assert "Big" in page
    _get(client, a2)
    assert renders == ["programme-dashboard"]


def test_two_executives_who_see_the_same_share_one_body_and_a_project_manager_does_not(
    cast: Cast, renders: list[str]
) -> None:
    second = PersonFactory(name="Second Executive", access=Person.Access.EXECUTIVE)
    cast.portfolio_a.executives.add(second)
    first_page, _ = _get(cast.client_for(cast.executive), DASHBOARD)
    renders.clear()
    second_page, _ = _get(cast.client_for(second), DASHBOARD)
    assert renders == []
    assert _main(first_page) == _main(second_page)  # the frame names each viewer
    _get(cast.client_for(cast.project_manager), DASHBOARD)
    assert "executive-dashboard" in renders
    executive_cards, _ = _get(cast.client_for(cast.executive), _cards(cast))
    manager_cards, _ = _get(cast.client_for(cast.project_manager), _cards(cast))
    assert "Programme A2" in executive_cards and "Programme A2" not in manager_cards


def test_one_viewer_never_gets_another_viewers_body(cast: Cast) -> None:
    executive_page, _ = _get(cast.client_for(cast.executive), DASHBOARD)
    pmo_page, _ = _get(cast.client_for(cast.pmo), DASHBOARD)
    assert "Portfolio B" not in executive_page
    assert "Portfolio B" in pmo_page


def test_a_cached_form_carries_the_viewers_own_csrf_token(cast: Cast) -> None:
    url = reverse("projects:reporting")
    for person in (cast.pmo, cast.pmo):  # the second is served from the cache
        client = cast.client_for(person)
        client.handler.enforce_csrf_checks = True  # type: ignore[attr-defined]
        page, _ = _get(client, url)
        assert pagecache.CSRF_PLACEHOLDER not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        remind = client.post(
            reverse("projects:reporting-remind", args=[cast.project_a1.pk]),
            {"csrfmiddlewaretoken": token.group(1)},
        )
        assert remind.status_code != 403


def _request(cast: Cast, path: str = DASHBOARD) -> Any:
    request = RequestFactory().get(path)
    request.user = cast.pmo.user
    request.page_versions = {"programme:1": 1, "catalogue": 1}
    return request


def test_the_key_holds_what_the_viewer_sees_the_path_the_versions_and_the_day(
    cast: Cast, settings: Any
) -> None:
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    key = pagecache.key_for(_request(cast), "page")
    assert key is not None and key == pagecache.key_for(_request(cast), "page")

    executive = _request(cast)
    executive.user = cast.executive.user
    other_path = _request(cast, DASHBOARD + "?as_of=2026-01-05")
    other_version = _request(cast)
    other_version.page_versions = {"programme:1": 2, "catalogue": 1}
    others = [executive, other_path, other_version]
    assert key not in {pagecache.key_for(r, "page") for r in others}

    settings.TIME_ZONE = "Pacific/Pago_Pago"  # UTC-11: always another date
    assert pagecache.key_for(_request(cast), "page") != key


def test_nothing_is_cached_without_declared_scopes_or_a_login(cast: Cast) -> None:
    from django.contrib.auth.models import AnonymousUser

    undeclared = _request(cast)
    del undeclared.page_versions
    anonymous = _request(cast)
    anonymous.user = AnonymousUser()
    assert [pagecache.key_for(r, "page") for r in (undeclared, anonymous)] == [None, None]


def _version_now(name: str) -> int:
    """The stored version, read without marking this thread as a reader."""
    return cache.get(f"{pagecache.VERSION_PREFIX}:{name}")  # type: ignore[no-any-return]


def test_a_transaction_moves_its_scopes_when_it_commits_not_before(
    transactional_db: None, cast: Cast
) -> None:
    scope = pagecache.scope("programme", cast.programme_a1.pk)
    pagecache._move([scope])  # a known version, and this thread has not read it since
    before = _version_now(scope)
    with transaction.atomic():
        _rename_with_save(cast)
        assert _version_now(scope) == before  # others cannot see the write yet
    assert _version_now(scope) > before


def test_a_rolled_back_transaction_leaves_the_versions(transactional_db: None, cast: Cast) -> None:
    scope = pagecache.scope("programme", cast.programme_a1.pk)
    pagecache._move([scope])
    before = _version_now(scope)
    with pytest.raises(RuntimeError), transaction.atomic():
        _rename_with_save(cast)
        raise RuntimeError("changed my mind")
    assert _version_now(scope) == before


def test_a_write_committed_by_another_thread_reaches_this_threads_page(
    transactional_db: None, cast: Cast
) -> None:
    client = cast.client_for(cast.executive)
    before, _ = _get(client, _cards(cast))

    def rename() -> None:
        try:
            _rename_with_save(cast)
        finally:
            connection.close()

    writer = threading.Thread(target=rename)
    writer.start()
    writer.join()
    after, _ = _get(client, _cards(cast))
    assert "Renamed by save" not in before and "Renamed by save" in after


def test_concurrent_misses_render_a_key_once(cast: Cast) -> None:
    calls: list[int] = []
    lookups: list[bool] = []

    def note(*, hit: bool, **_: object) -> None:
        lookups.append(hit)

    page_cache_lookup.connect(note, dispatch_uid="test.note")

    def slow_render() -> str:
        calls.append(1)
        time.sleep(0.3)
        return "body"

    bodies: list[str] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(pagecache.cached("k", slow_render)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    page_cache_lookup.disconnect(dispatch_uid="test.note")
    assert bodies == ["body"] * 5 and len(calls) == 1
    # The four that waited rendered nothing: the bench counts them as served by the cache.
    assert sorted(lookups) == [False, True, True, True, True]


def test_waiters_render_as_soon_as_the_holder_lets_go_without_filing(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The holder's data moved on while it rendered (a write committed): it files nothing,
    # and the waiters must not sit out WAIT_SECONDS for a body that will never come.
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 5.0)

    def outdated_render() -> str:
        time.sleep(0.3)
        return "outdated"

    holder = threading.Thread(
        target=lambda: pagecache.cached("k", outdated_render, still_current=lambda: False)
    )
    holder.start()
    wait_for(lambda: cache.get(f"{pagecache.LOCK_PREFIX}:k") is not None, timeout=5)
    started = time.monotonic()
    assert pagecache.cached("k", lambda: "fresh") == "fresh"
    assert time.monotonic() - started < 2
    holder.join()
    assert pagecache.cached("k", lambda: "rendered again") == "fresh"


def test_a_miss_renders_itself_when_the_lock_holder_died(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagecache, "WAIT_SECONDS", 0.2)
    cache.add(f"{pagecache.LOCK_PREFIX}:k", "a worker that was killed", timeout=60)
    started = time.monotonic()
    assert pagecache.cached("k", lambda: "body") == "body"
    assert 0.2 <= time.monotonic() - started < 2


def test_an_open_dashboard_polls_with_no_sql_beyond_the_login(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    stamp = client.get(DASHBOARD).context["stamp"]
    programme = _programme_dashboard(cast.programme_a1)
    version = client.get(programme).context["health_version"]
    # The session and its user are all the database is asked.
    for url, since in ((DASHBOARD, stamp), (programme, version)):
        with CaptureQueriesContext(connection) as queries:
            poll = client.get(url, {"health_since": since}, HTTP_HX_REQUEST="true")
        assert poll.status_code == 204 and len(queries) <= 2, url


def test_a_poll_for_a_programme_the_viewer_may_not_see_is_refused(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    url = _programme_dashboard(cast.programme_b1)
    poll = client.get(url, {"health_since": "anything"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 404


def test_pages_and_writes_work_when_the_cache_is_unreachable(cast: Cast, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = cast.client_for(cast.executive)
    first, _ = _get(client, _cards(cast))
    _rename_with_save(cast)
    after, _ = _get(client, _cards(cast))
    assert "Renamed by save" not in first and "Renamed by save" in after
    HealthRequest.objects.all().delete()


# The invariant: whatever was written and rolled up, a page served from the cache is the
# page a fresh render shows; in particular never health older than the last roll-up.


def _autosave(cast: Cast, rng: random.Random) -> None:
    project = rng.choice([cast.project_a1, cast.project_a2, cast.project_b1])
    report, _ = status_report_open(project=project, period=WEEK, author=None)
    status_report_save(
        report=report,
        version=report.version,
        changes={"next_steps": str(rng.random())},
        author=None,
    )


def _submit_some(cast: Cast, rng: random.Random) -> None:
    project = rng.choice([cast.project_a1, cast.project_a2, cast.project_b1])
    report, _ = status_report_open(project=project, period=WEEK, author=None)
    rating = rng.choice(["green", "amber", "red"])
    reason = {} if rating == "green" else {"overall_reason": "Said so"}
    status_report_submit(
        report=report,
        version=report.version,
        changes={**GREEN, "overall": rating, **reason, "percent_complete": rng.randint(0, 100)},
        author=None,
    )


def _raise_risk(cast: Cast, rng: random.Random) -> None:
    where = rng.choice([{"project": cast.project_a1_sibling}, {"programme": cast.programme_a2}])
    RiskFactory(**where, title=f"Risk {rng.random()}", probability=5, impact=rng.randint(1, 5))


def _move_project(cast: Cast, rng: random.Random) -> None:
    project = Project.objects.get(pk=cast.project_a1_sibling.pk)
    project.programme = rng.choice([cast.programme_a1, cast.programme_a2])
    project.save()


def _rename(cast: Cast, rng: random.Random) -> None:
    programme = Programme.objects.get(pk=cast.programme_a2.pk)
    programme.name = f"Programme A2 ({rng.randint(1, 99)})"
    programme.save()


def _roll_up(cast: Cast, rng: random.Random) -> None:
    rollup.recompute_pending()


WRITES = [_autosave, _submit_some, _raise_risk, _move_project, _rename, _roll_up, _roll_up]


def _comparable(html: str) -> str:
    # The poll's stamp says how the page was served, not what it shows.
    return re.sub(r"health_since=[^\"&]*", "health_since=", _main(html))


@pytest.mark.parametrize("seed", [1])
def test_a_page_served_from_the_cache_is_always_the_page_a_fresh_render_shows(
    cast: Cast, settings: Any, seed: int
) -> None:
    rng = random.Random(seed)
    rollup.recompute_everything()
    pages = [
        DASHBOARD,
        _programme_dashboard(cast.programme_a1),
        _programme_dashboard(cast.programme_a2),
        reverse("projects:detail", args=[cast.project_a1.pk]),
    ]
    clients = [cast.client_for(cast.executive), cast.client_for(cast.pmo)]
    for step in range(16):
        write = rng.choice(WRITES)
        write(cast, rng)
        for client in clients:
            for url in pages:
                served = _comparable(_get(client, url)[0])
                settings.PAGE_CACHE_SECONDS = 0
                fresh = _comparable(_get(client, url)[0])
                settings.PAGE_CACHE_SECONDS = 600
                assert served == fresh, (step, write.__name__, url)


def test_an_open_dashboard_gets_its_body_again_when_something_changed(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    stamp = client.get(DASHBOARD).context["stamp"]
    RiskFactory(project=cast.project_a1, title="New in A1", probability=5, impact=5)
    poll = client.get(DASHBOARD, {"health_since": stamp}, HTTP_HX_REQUEST="true")
    html = poll.content.decode()
    assert poll.headers["HX-Retarget"] == "#dashboard-body"
    assert "New in A1" in html  # top risks
    # The cards load anew, each from its own fragment: only A1's is rendered again.
    new_stamp = re.search(r"health_since=([^\"&]+)", html)
    assert new_stamp is not None and new_stamp.group(1) != stamp


def test_a_poll_from_a_page_not_known_gets_the_whole_body(cast: Cast) -> None:
    client = cast.client_for(cast.executive)
    poll = client.get(DASHBOARD, {"health_since": "from-another-day"}, HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Retarget"] == "#dashboard-body"
    assert poll.content.decode().lstrip().startswith('<div id="dashboard-body"')


def test_a_fragment_is_not_filed_when_a_scope_its_page_declared_moved_while_it_rendered(
    cast: Cast,
) -> None:
    request = RequestFactory().get(DASHBOARD)
    request.user = cast.executive.user
    pagecache.declare(request, ["portfolio:1"])

    def render_while_someone_commits() -> str:
        pagecache._move(["portfolio:1"])
        return "rendered from what was read before the commit"

    checked = lambda: pagecache.declared_still_current(request)  # noqa: E731
    pagecache.cached("k", render_while_someone_commits, checked)
    assert cache.get("k") is None
    pagecache.declare(request, ["portfolio:1"])
    pagecache.cached("k", lambda: "fresh", checked)
    assert cache.get("k") == "fresh"


def test_content_changed_retires_every_cached_part(cast: Cast, renders: list[str]) -> None:
    client = cast.client_for(cast.executive)
    _get(client, DASHBOARD)
    _get(client, _cards(cast))
    renders.clear()
    pagecache.content_changed()
    _get(client, DASHBOARD)
    _get(client, _cards(cast))
    assert renders == ["executive-dashboard", "programme-card", "programme-card"]


def test_lost_versions_start_again_from_the_clock_and_one_set_first_elsewhere_is_kept() -> None:
    cache.clear()
    cache.set("scope-version:portfolio:7", 42, timeout=None)  # another process was first
    before = time.time_ns()

    found = pagecache.versions(["portfolio:7", "portfolio:8", "portfolio:9"])

    assert found is not None
    assert found["portfolio:7"] == 42
    assert found["portfolio:8"] >= before and found["portfolio:9"] >= before
    assert pagecache.versions(["portfolio:8"]) == {
        "catalogue": found["catalogue"],
        "portfolio:8": found["portfolio:8"],
    }
    cache.incr("scope-version:portfolio:8")  # a write moves it, as _move does
    assert pagecache.versions(["portfolio:8"])["portfolio:8"] == found["portfolio:8"] + 1  # type: ignore[index]
