"""`make bench`: issue 5's figures in one run, on PostgreSQL, gunicorn and a real worker.

1. Databases: a large one (bench.seed) and a small one (the demo), on the throwaway
   PostgreSQL of scripts/with-services; static files collected into a temp STATIC_ROOT.
2. SQL queries per page at both sizes (Django's test client, CaptureQueriesContext).
3. Roll-up: the full run forced to store every subject, and the incremental path.
4. gunicorn (production settings) and a Celery worker; p50/p95 of each page over HTTP.
5. Submit to dashboard: a red report submitted here, the programme dashboard polled until
   it shows red.
Human-readable lines as it goes; the PASS/FAIL table, then one JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import psycopg

from bench.client import Timing
from bench.load import Cast, median, p95
from bench.servers import (
    ROOT,
    Processes,
    create_database,
    environment,
    free_port,
    python,
    require_loopback,
    start_gunicorn,
    start_worker,
    vacuum_analyze,
    wait_until,
)
from bench.summary import UNCACHED, UserFigures

if TYPE_CHECKING:  # bench.seed needs Django set up first
    from bench.seed import Sizes

T = TypeVar("T")
SUBMIT_TIMEOUT_S = 30.0


def say(text: str) -> None:
    print(text, flush=True)


def timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page")
    parser.add_argument(
        "--cold-requests",
        "--uncached-requests",
        type=int,
        default=15,
        help="timed requests per page with the cache emptied before each (0: skip)",
    )
    parser.add_argument("--mixed-seconds", type=float, default=180, help="mixed load length")
    parser.add_argument("--probes", type=int, default=8, help="submit → dashboard under load")
    parser.add_argument(
        "--throughput-seconds", type=float, default=20, help="each requests/s measurement"
    )
    parser.add_argument("--clients", type=int, default=4, help="requests/s: concurrent clients")
    parser.add_argument("--growth", action="store_true", help="also cold renders at 3× L")
    parser.add_argument(
        "--size",
        choices=["large", "tiny"],
        default="large",
        help="tiny: the test suite's seed, to try the bench itself in a minute",
    )
    parser.add_argument("--submits", type=int, default=5, help="submit-to-dashboard attempts")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument("--keep-logs", action="store_true", help="keep the log directory")
    return parser.parse_args()


def _collectstatic(procs: Processes) -> str:
    """Production's `collectstatic --no-input`; when it fails on a missing source map (the
    vendored files name .map files that are not vendored), say so and collect with
    bench.collectstatic's tolerant storage instead, so the pages can still be measured."""
    try:
        procs.run("collectstatic", *python("manage.py", "collectstatic", "--no-input"))
        return "ok"
    except RuntimeError as exc:
        if "MissingFileError" not in str(exc):
            raise
        lines = [line for line in str(exc).splitlines() if "could not be found" in line]
        missing = lines[0] if lines else "a referenced .map file is missing"
        say(f"  WARNING: production collectstatic fails: {missing.strip()}")
        say("  (so does the Dockerfile's); collecting without source-map rewriting instead")
        procs.run("collectstatic-fallback", *python("-m", "bench.collectstatic"))
        return "FAILED (MissingFileError on a .map file); bench used bench.collectstatic"


# Phases that need Django (imported after django.setup) ------------------------------------


def _sizes(args: argparse.Namespace) -> Sizes:
    from bench.seed import LARGE, TINY

    return TINY if args.size == "tiny" else LARGE


def _seed_large(sizes: Sizes) -> tuple[float, dict[str, int]]:
    from bench.seed import seed

    seconds, counts = timed(lambda: seed(sizes, log=say))
    return seconds, counts


def _small_queries(procs: Processes, url: str) -> dict[str, Any]:
    """The demo in its own database, counted in a subprocess so each process talks to one
    database only."""
    return _module_result("bench.small", {**procs.env, "DATABASE_URL": url})


def _module_result(module: str, env: dict[str, str]) -> dict[str, Any]:
    """Run a bench module in a process of its own and read the JSON its last line prints."""
    done = subprocess.run(python("-m", module), cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _import_rate(procs: Processes, url: str) -> dict[str, Any]:
    """Issue 13's figure, apart from issue 12's: rows per second of a 10,000-row return
    with history (bench.imports), in its own database and process."""
    say("== import throughput: a 10,000-row return with history, twice (bench.imports)")
    result = _module_result("bench.imports", {**procs.env, "DATABASE_URL": url})
    rate, times = result["import_rows_per_second"], result["import_seconds"]
    say(f"  {rate:,} rows/s (the two imports took {times} s)")
    return result


def _full_rollup_s() -> float:
    """The nightly run with every subject stored (kind="weekly"), so nothing is skipped as
    unchanged."""
    from portfolio.health import rollup

    say("== roll-up on the large organisation")
    seconds, stats = timed(lambda: rollup.recompute_everything(kind="weekly"))
    say(
        f"  full roll-up: {seconds:.2f} s ({stats.projects} projects, "
        f"{stats.programmes} programmes, {stats.portfolios} portfolios stored)"
    )
    return round(seconds, 2)


def _planning() -> dict[str, Any]:
    from bench.planning import planning_figures

    say("== planning at L: levelling, a scenario, money by month (issue 17)")
    figures = planning_figures()
    say(
        f"  suggestions for every over-allocation {figures['suggestions_ms']:.0f} ms "
        f"({figures['over_allocations']} over-allocations, {figures['suggestions']} suggestions)"
    )
    say(
        f"  a scenario's evaluation {figures['scenario_evaluation_ms']:.0f} ms (a project of a "
        f"{figures['scenario_programme_projects']}-project programme delayed 6 weeks)"
    )
    say(
        f"  money by month {figures['money_by_month_ms']:.0f} ms "
        f"(a portfolio of {figures['money_portfolio_projects']} projects)"
    )
    return figures


def _submit(project: Any, overall: str) -> None:
    """A submitted report for this week, every dimension green but `overall`."""
    from portfolio.core.periods import Period
    from projects.models import RATED
    from projects.reporting import status_report_open, status_report_submit

    report, _ = status_report_open(
        project=project, period=Period.containing(date.today()), author=None
    )
    changes: dict[str, Any] = {name: "green" for name in RATED}
    changes["percent_complete"] = 50
    if overall != "green":
        changes.update(overall=overall, overall_reason="Bench: supplier collapsed")
    status_report_submit(report=report, version=report.version, changes=changes, author=None)


def _incremental_rollup_ms(attempts: int) -> tuple[float, list[float]]:
    """After a submit: project, then its programme, then its portfolio, directly here."""
    from django.utils import timezone

    from portfolio.health import rollup
    from projects.models import Project

    candidates = list(
        Project.objects.active()
        .filter(programme__isnull=False)
        .exclude(stage=Project.Stage.CLOSED)
        .order_by("pk")
    )
    samples = []
    for project in random.Random(5).sample(candidates, attempts):
        programme_id = project.programme_id
        assert programme_id is not None
        _submit(project, "amber")
        today = timezone.localdate()
        started = time.perf_counter()
        rollup.recompute_projects([project.pk], today)
        rollup.recompute_programmes([programme_id], today)
        rollup.recompute_portfolios([project.portfolio_id], today)
        samples.append(round((time.perf_counter() - started) * 1000, 1))
    say(f"  incremental roll-up (ms): {samples}")
    return round(statistics.median(samples), 1), samples


def _queue_empty() -> bool:
    from portfolio.health.models import HealthRequest

    return not HealthRequest.objects.exists()


def _submit_candidates(attempts: int) -> list[Any]:
    """One project in each of the largest programmes that are not red yet and whose
    portfolio rolls up worst-of (so one red project must turn the programme red)."""
    from django.db.models import Count, Q

    from portfolio.health.models import ProgrammeHealth
    from programmes.models import HealthPolicy, Programme
    from projects.models import Project

    red = ProgrammeHealth.objects.filter(is_current=True, overall="red").values("programme")
    programmes = (
        Programme.objects.active()
        .filter(portfolio__health_policy__rollup=HealthPolicy.Rollup.WORST_OF)
        .exclude(pk__in=red)
        .annotate(n=Count("projects", filter=Q(projects__archived_at__isnull=True)))
        .order_by("-n", "pk")
    )
    chosen = []
    for programme in programmes:
        project = (
            Project.objects.active()
            .filter(programme=programme)
            .exclude(stage__in=[Project.Stage.CLOSED, Project.Stage.ON_HOLD])
            .order_by("pk")
            .first()
        )
        if project is not None:
            chosen.append(project)
        if len(chosen) == attempts:
            break
    return chosen


def _submit_to_dashboard_ms(base: str, attempts: int, procs: Processes) -> list[float]:
    """Submit red, then GET the programme dashboard (as the executive) until it says red.

    Timed from just before the submit to the response that shows red; polls back to back,
    so the resolution is one page load.
    """
    from django.urls import reverse

    from bench.client import login, served_health
    from portfolio.demo.organisation import DEMO_PASSWORD

    session = login(base, "executive", DEMO_PASSWORD)
    samples = []
    for project in _submit_candidates(attempts):
        url = base + reverse("dashboards:programme", args=[project.programme_id])
        before = served_health(session, url)
        started = time.perf_counter()
        _submit(project, "red")
        shown = before
        while shown != "red":
            procs.check_alive()
            if time.perf_counter() - started > SUBMIT_TIMEOUT_S:
                raise RuntimeError(f"{url} still shows {shown!r} after {SUBMIT_TIMEOUT_S:.0f} s")
            shown = served_health(session, url)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        samples.append(elapsed)
        size = project.programme.projects.count()
        say(
            f"  {project.code} in programme {project.programme_id} ({size} projects): "
            f"{before} → red in {elapsed} ms"
        )
        wait_until(_queue_empty, SUBMIT_TIMEOUT_S, "the health queue")  # next run starts idle
        time.sleep(1.0)  # let the portfolio job (0.5 s window) finish before the next submit
    return samples


def _cold(session: Any, url: str, count: int, location: str | None) -> tuple[Timing, int]:
    """`count` requests with every cache entry dropped before each (outside the time): the
    page as the first viewer after any change gets it. Also the bytes of the first one."""
    from bench.client import get_ok, percentile
    from bench.pages import empty_page_cache

    samples, size = [], 0
    for _ in range(count):
        empty_page_cache(location)
        started = time.perf_counter()
        response = get_ok(session, url)
        samples.append((time.perf_counter() - started) * 1000)
        size = size or len(response.content)
    median = round(percentile(samples, 50), 1) if count > 1 else round(samples[0], 1)
    high = round(percentile(samples, 95), 1) if count > 1 else median
    return Timing(median, high, count), size


def _time_pages(base: str, args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, int]]:
    """Each page as users get it when nobody writes (a body once rendered is served from
    the page cache), then cold: every cache entry dropped before each request. Returns the
    timings (cold ones as "<page>.uncached") and each page's bytes."""
    from bench.client import login, time_page
    from bench.pages import HELLO, page_targets
    from portfolio.demo.organisation import DEMO_PASSWORD

    sessions: dict[str, Any] = {}
    timings, sizes = {}, {}
    for name, page in page_targets().items():
        if page.username not in sessions:
            sessions[page.username] = login(base, page.username, DEMO_PASSWORD)
        session, url = sessions[page.username], base + page.url
        timing = time_page(session, url, args.warmup, args.requests)
        timings[name] = timing
        say(
            f"  {name:<22} {page.url:<32} p50 {timing.p50_ms:8.1f} ms   "
            f"p95 {timing.p95_ms:8.1f} ms   ({timing.requests} requests as {page.username})"
        )
        if name == HELLO or not args.cold_requests:
            continue
        rendered, sizes[name] = _cold(session, url, args.cold_requests, None)
        timings[f"{name}{UNCACHED}"] = rendered
        say(
            f"  {'  cold (cache emptied)':<22} {'':<32} p50 {rendered.p50_ms:8.1f} ms   "
            f"p95 {rendered.p95_ms:8.1f} ms   ({rendered.requests} requests), "
            f"{sizes[name]:,} bytes"
        )
    return timings, sizes


def _cast(sizes: Sizes) -> Cast:
    """The mixed load's people (bench.seed's load logins) and what each opens: 20 project
    managers on their own projects, 6 programme managers and 4 executives reloading their
    dashboards every 10 s; the PMO's reporting page every 30 s and hello every 5 s besides,
    so every page has figures under the load."""
    from django.urls import reverse

    from bench.pages import page_targets
    from bench.seed import load_username
    from programmes.models import Programme
    from projects.models import Project

    managers = {
        load_username("pm", n): list(
            Project.objects.filter(manager__user__username=load_username("pm", n))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for n in range(sizes.load_project_managers)
    }
    readers = []
    for n in range(sizes.load_programme_managers):
        username = load_username("progman", n)
        programme = Programme.objects.filter(manager__user__username=username).order_by("pk")[0]
        path = reverse("dashboards:programme", args=[programme.pk])
        readers.append((username, "programme_dashboard", path, 10.0))
    for n in range(sizes.load_executives):
        path = reverse("dashboards:portfolio")
        readers.append((load_username("executive", n), "executive_dashboard", path, 10.0))
    readers.append(("pmo", "pmo_reporting", reverse("projects:reporting"), 30.0))
    # The largest portfolio's timeline (bench.pages), reloaded by one more executive.
    timeline = page_targets()["portfolio_timeline"].url
    readers.append((load_username("executive", 0), "portfolio_timeline", timeline, 10.0))
    readers.append(("pm", "hello", reverse("bench-hello"), 5.0))
    return Cast(project_managers=managers, readers=readers)


def _probe_targets(count: int) -> list[tuple[int, str]]:
    """Projects for submit → dashboard under the load, none of them the load's own."""
    from django.urls import reverse

    chosen = [p for p in _submit_candidates(count * 3) if not p.manager or not p.manager.user_id]
    return [(p.pk, reverse("dashboards:programme", args=[p.programme_id])) for p in chosen]


def _mixed_load(base: str, args: argparse.Namespace, procs: Processes) -> tuple[Any, list[float]]:
    from bench.load import mixed_load

    cast = _cast(_sizes(args))
    observed, probes = mixed_load(
        base,
        cast,
        args.mixed_seconds,
        _probe_targets(args.probes),
        args.probes,
        procs.check_alive,
    )
    for name, page in observed.figures().items():
        rate = page["cache_hit_rate"]
        shown = "-" if rate is None else f"{rate:.0%}"
        say(
            f"  {name:<22} p50 {page['p50_ms']:8.1f} ms   p95 {page['p95_ms']:8.1f} ms   "
            f"cache hits {shown:>5}   ({page['requests']} requests)"
        )
    say(f"  submit → dashboard under the load (ms): {probes}")
    for error in observed.errors[:10]:
        say(f"  ERROR {error}")
    return observed, probes


def _throughput(base: str, args: argparse.Namespace) -> dict[str, float]:
    """Requests/s of hello and of the executive dashboard, `--clients` executives at once,
    while a project manager writes once a second."""
    from django.urls import reverse

    from bench.load import requests_per_second
    from bench.seed import load_username
    from projects.models import Project

    writer = load_username("pm", 0)
    project = Project.objects.filter(manager__user__username=writer).order_by("pk")[0]
    executives = _sizes(args).load_executives
    readers = [load_username("executive", n % executives) for n in range(args.clients)]
    found = {}
    for name, path in [
        ("hello", reverse("bench-hello")),
        ("executive_dashboard_with_writes", reverse("dashboards:portfolio")),
    ]:
        wait_until(_queue_empty, 120, "the health queue")
        rps, writes = requests_per_second(
            base, path, readers, args.throughput_seconds, (writer, project.pk)
        )
        found[name] = rps
        say(f"  {name:<34} {rps:8.1f} requests/s ({args.clients} clients, {writes} writes)")
    return found


def _growth(
    procs: Processes, grown: str, cold_at_l: dict[str, float], args: argparse.Namespace
) -> tuple[dict[str, float], dict[str, Any]]:
    """Bench.seed at 3× L in its own database (and Redis db, so its jobs and cache stay
    apart), its own gunicorn and worker; each page's cold render there over the one at L."""
    from bench.client import login

    redis = procs.env["REDIS_URL"].rsplit("/", 1)[0] + "/1"
    env = {**procs.env, "DATABASE_URL": grown, "REDIS_URL": redis}
    result = _module_result("bench.growth", env)
    vacuum_analyze(grown)
    say(f"  seeded 3× L in {result['seed_s']} s: " + ", ".join(
        f"{k} {v:,}" for k, v in result["sizes"].items()
    ))  # fmt: skip
    (procs.logs / "growth").mkdir(exist_ok=True)
    grown_procs = Processes(logs=procs.logs / "growth", env=env)
    ratios = {}
    try:
        start_worker(grown_procs)
        base = start_gunicorn(grown_procs, free_port(), args.workers, args.threads)
        wait_until(lambda: _pending(grown) == 0, 300, "the 3× L worker to catch up")
        sessions: dict[str, Any] = {}
        for name, (username, path) in result["pages"].items():
            if name not in cold_at_l:
                continue
            if username not in sessions:
                sessions[username] = login(base, username, _password())
            timing, size = _cold(sessions[username], base + path, args.cold_requests, redis)
            ratios[name] = round(timing.p50_ms / cold_at_l[name], 2)
            say(
                f"  {name:<22} cold p50 {timing.p50_ms:8.1f} ms at 3× L, "
                f"{cold_at_l[name]:8.1f} ms at L: × {ratios[name]}   ({size:,} bytes)"
            )
    finally:
        grown_procs.stop_all()
    return ratios, {"growth_seed_s": result["seed_s"], "growth_sizes": result["sizes"]}


def _as_users(
    base: str,
    args: argparse.Namespace,
    procs: Processes,
    grown: str,
    timings: dict[str, Timing],
    page_bytes: dict[str, int],
) -> tuple[UserFigures, dict[str, Any]]:
    """Issue 12's phases after the quiet ones: requests/s with writes, the mixed load with
    submit → dashboard under it, and (--growth) the cold renders at 3× L."""
    say(f"== requests/s, {args.throughput_seconds:.0f} s each, with a write each second")
    throughput = _throughput(base, args)

    say(f"== mixed load for {args.mixed_seconds:.0f} s (bench.load)")
    wait_until(_queue_empty, 300, "the health queue")
    observed, probes = _mixed_load(base, args, procs)
    extra: dict[str, Any] = {
        "submit_to_dashboard_under_load_samples_ms": probes,
        "submit_to_dashboard_under_load_median_ms": median(probes),
        "mixed_load_errors": observed.errors,
        "mixed_load_seconds": args.mixed_seconds,
    }
    cold_at_l = {
        name.removesuffix(UNCACHED): timing.p50_ms
        for name, timing in timings.items()
        if name.endswith(UNCACHED)
    }
    growth = None
    if args.growth:
        say("== growth: bench.seed at 3× L, cold renders there")
        procs.stop_all()  # the L servers leave the cores to the 3× L ones
        growth, extra_growth = _growth(procs, grown, cold_at_l, args)
        extra.update(extra_growth)
    figures = UserFigures(
        mixed_load=observed.figures(),
        cold_render_ms=cold_at_l,
        page_bytes=page_bytes,
        throughput_rps=throughput,
        submit_to_dashboard_under_load_p95_ms=p95(probes),
        growth_3x=growth,
    )
    return figures, extra


def _pending(url: str) -> int:
    """Health requests waiting in another database than this process's."""
    from portfolio.health.models import HealthRequest

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f'SELECT count(*) FROM "{HealthRequest._meta.db_table}"').fetchone()
    return int(row[0]) if row else 0


def _password() -> str:
    from portfolio.demo.organisation import DEMO_PASSWORD

    return DEMO_PASSWORD


# The run ---------------------------------------------------------------------------------


def main() -> int:
    args = _arguments()
    run_started = time.perf_counter()
    server, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not server or not redis:
        raise SystemExit("DATABASE_URL and REDIS_URL must be set: run `make bench`")
    require_loopback(server)
    require_loopback(redis)
    work = Path(tempfile.mkdtemp(prefix="stationmaster-bench-"))
    failed = True
    say(f"== bench (logs in {work})")
    large = create_database(server, "bench_large")
    procs = Processes(logs=work, env={**environment(large), "STATIC_ROOT": str(work / "static")})
    extra: dict[str, Any] = {}
    try:
        say("== databases and static files")
        migrate_s, _ = timed(
            lambda: procs.run("migrate", *python("manage.py", "migrate", "--no-input"))
        )
        small = create_database(server, "bench_small", template="bench_large")
        grown = (
            create_database(server, "bench_large3", template="bench_large") if args.growth else ""
        )
        imports_db = create_database(server, "bench_import", template="bench_large")
        static_s, extra["collectstatic"] = timed(lambda: _collectstatic(procs))
        say(f"  migrate {migrate_s:.1f} s, collectstatic {static_s:.1f} s")

        os.environ.update(procs.env)
        import django

        django.setup()
        from bench.pages import HELLO, count_queries, page_targets

        say("== seeding the large organisation (bulk_create)")
        seed_s, sizes = _seed_large(_sizes(args))
        analyze_s, _ = timed(lambda: vacuum_analyze(large))
        say(f"  seed {seed_s:.1f} s (data and health), then VACUUM ANALYZE {analyze_s:.1f} s")
        say("  " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

        say("== the small organisation (portfolio.demo.organisation) and SQL queries per page")
        small_s, small_result = timed(lambda: _small_queries(procs, small))
        queries_small: dict[str, int] = small_result["queries"]
        queries_large = count_queries(page_targets())
        for name, large_count in queries_large.items():
            say(f"  {name:<22} small {queries_small.get(name)!s:>3}   large {large_count:>3}")

        import_rate = _import_rate(procs, imports_db)

        full_rollup_s = _full_rollup_s()
        incremental_ms, incremental_samples = _incremental_rollup_ms(args.submits)

        planning = _planning()

        say("== gunicorn and the Celery worker")
        start_worker(procs)
        base = start_gunicorn(procs, free_port(), args.workers, args.threads)
        wait_until(_queue_empty, 120, "the worker to catch up")
        say(f"  gunicorn on {base} ({args.workers} workers × {args.threads} threads)")

        say(f"== page times over HTTP ({args.warmup} warm-up + {args.requests} timed each)")
        say(f"   then cold ({args.cold_requests} each, every cache entry dropped before each)")
        timings, page_bytes = _time_pages(base, args)

        say("== submit to dashboard, nothing else happening (real worker)")
        submits = _submit_to_dashboard_ms(base, args.submits, procs)

        users, extra_users = _as_users(base, args, procs, grown, timings, page_bytes)
        extra.update(extra_users)
        failed = False
    finally:
        procs.stop_all()
        if failed or args.keep_logs:
            say(f"logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    extra.update(
        import_rows_per_second=import_rate["import_rows_per_second"],
        import_seconds=import_rate["import_seconds"],
        hello_queries_small=queries_small.get(HELLO),
        hello_queries_large=queries_large.get(HELLO),
        incremental_rollup_samples_ms=incremental_samples,
        submit_to_dashboard_samples_ms=submits,
        small_seed_s=round(small_s, 1),
        analyze_s=round(analyze_s, 1),
        migrate_s=round(migrate_s, 1),
        requests_per_page=args.requests,
        gunicorn=f"{args.workers} workers x {args.threads} threads",
        timing="client wall time per request on loopback (127.0.0.1), sequential",
        total_s=round(time.perf_counter() - run_started, 1),
    )
    from bench.summary import build_summary, table

    summary = build_summary(
        seed_s=round(seed_s, 1),
        sizes=sizes,
        hello=timings.pop(HELLO),
        pages=timings,
        queries_small=queries_small,
        queries_large=queries_large,
        full_rollup_s=full_rollup_s,
        incremental_rollup_ms=incremental_ms,
        submit_to_dashboard_ms=round(statistics.median(submits), 1) if submits else None,
        users=users,
        planning=planning,
        extra=extra,
    )
    say(f"== done in {extra['total_s']:.0f} s")
    say(table(summary))
    print(json.dumps(summary), flush=True)
    return 0
