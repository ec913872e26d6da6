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
from typing import Any, TypeVar

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
        "--uncached-requests",
        type=int,
        default=30,
        help="timed requests per page with the page cache emptied before each (0: skip)",
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


def _seed_large() -> tuple[float, dict[str, int]]:
    from bench.seed import LARGE, seed

    seconds, counts = timed(lambda: seed(LARGE, log=say))
    return seconds, counts


def _small_queries(procs: Processes, url: str) -> dict[str, Any]:
    """The demo in its own database, counted in a subprocess so each process talks to one
    database only."""
    done = subprocess.run(
        python("-m", "bench.small"),
        cwd=ROOT,
        env={**procs.env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.small failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _import_rate(procs: Processes, url: str) -> dict[str, Any]:
    """Issue 13's figure, apart from issue 12's: rows per second of a 10,000-row return
    with history (bench.imports), in its own database and process."""
    done = subprocess.run(
        python("-m", "bench.imports"),
        cwd=ROOT,
        env={**procs.env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.imports failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _full_rollup_s() -> float:
    """The nightly run with every subject stored (kind="weekly"), so nothing is skipped as
    unchanged."""
    from portfolio.health import rollup

    seconds, stats = timed(lambda: rollup.recompute_everything(kind="weekly"))
    say(
        f"  full roll-up: {seconds:.2f} s ({stats.projects} projects, "
        f"{stats.programmes} programmes, {stats.portfolios} portfolios stored)"
    )
    return round(seconds, 2)


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


def _time_pages(base: str, args: argparse.Namespace) -> dict[str, Any]:
    """Each page as users get it (a body once rendered is served from the page cache until
    a write), and rendered every time: the version is moved before each of those requests.
    """
    from bench.client import login, time_page
    from bench.pages import HELLO, page_targets
    from portfolio.core.pagecache import content_changed
    from portfolio.demo.organisation import DEMO_PASSWORD

    sessions: dict[str, Any] = {}
    timings = {}
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
        if name == HELLO or not args.uncached_requests:
            continue
        rendered = time_page(session, url, 1, args.uncached_requests, content_changed)
        timings[f"{name}.uncached"] = rendered
        say(
            f"  {'  rendered each time':<22} {'':<32} p50 {rendered.p50_ms:8.1f} ms   "
            f"p95 {rendered.p95_ms:8.1f} ms   ({rendered.requests} requests)"
        )
    return timings


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
        imports_db = create_database(server, "bench_import", template="bench_large")
        static_s, extra["collectstatic"] = timed(lambda: _collectstatic(procs))
        say(f"  migrate {migrate_s:.1f} s, collectstatic {static_s:.1f} s")

        os.environ.update(procs.env)
        import django

        django.setup()
        from bench.pages import HELLO, count_queries, page_targets

        say("== seeding the large organisation (bulk_create)")
        seed_s, sizes = _seed_large()
        analyze_s, _ = timed(lambda: vacuum_analyze(large))
        say(f"  seed {seed_s:.1f} s (data and health), then VACUUM ANALYZE {analyze_s:.1f} s")
        say("  " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))

        say("== the small organisation (portfolio.demo.organisation) and SQL queries per page")
        small_s, small_result = timed(lambda: _small_queries(procs, small))
        queries_small: dict[str, int] = small_result["queries"]
        queries_large = count_queries(page_targets())
        for name, large_count in queries_large.items():
            say(f"  {name:<22} small {queries_small.get(name)!s:>3}   large {large_count:>3}")

        say("== import throughput: a 10,000-row return with history, twice (bench.imports)")
        import_rate = _import_rate(procs, imports_db)
        rate, times = import_rate["import_rows_per_second"], import_rate["import_seconds"]
        say(f"  {rate:,} rows/s (the two imports took {times} s)")

        say("== roll-up on the large organisation")
        full_rollup_s = _full_rollup_s()
        incremental_ms, incremental_samples = _incremental_rollup_ms(args.submits)

        say("== gunicorn and the Celery worker")
        start_worker(procs)
        base = start_gunicorn(procs, free_port(), args.workers, args.threads)
        wait_until(_queue_empty, 120, "the worker to catch up")
        say(f"  gunicorn on {base} ({args.workers} workers × {args.threads} threads)")

        say(f"== page times over HTTP ({args.warmup} warm-up + {args.requests} timed each)")
        timings = _time_pages(base, args)

        say("== submit to dashboard (real worker)")
        submits = _submit_to_dashboard_ms(base, args.submits, procs)
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
        extra=extra,
    )
    say(f"== done in {extra['total_s']:.0f} s")
    say(table(summary))
    print(json.dumps(summary), flush=True)
    return 0
