"""The bench's verdicts: each figure beside its target, a PASS/FAIL table, one JSON object.

Targets (issue 5): a page's p50 at most 5× the hello-world page's; the same number of SQL
queries at the small and the large size, and at most 20; a full roll-up within 10 s; a
submitted report on the programme dashboard within 2 s. Issue 12, beside them: under the
mixed load each page's p50 at most 10× and p95 at most 25× the idle hello's p50; a cold
render at most 25× it; a first response at most 150,000 bytes; a cold render at 3× L at
most 1.3× the one at L; submit → dashboard within 1 s p95 under the load; the executive
dashboard with a write each second at least half hello's requests per second. Issue 17:
levelling suggestions for every over-allocation, and a scenario's evaluation, each within
1 s at L. Figures, not tests: a missed target is reported, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.client import Timing

PAGE_P50_TIMES_HELLO = 5
MAX_QUERIES = 20
FULL_ROLLUP_LIMIT_S = 10.0
SUBMIT_TO_DASHBOARD_LIMIT_MS = 2000.0
# A page's times with the page cache emptied before every request are filed as
# "<page>.uncached": reported beside the page's, not a target of their own.
UNCACHED = ".uncached"
# Issue 12: judged on what users get under a read/write mix, cold renders, sizes, growth.
MIXED_P50_TIMES_HELLO = 10
MIXED_P95_TIMES_HELLO = 25
COLD_TIMES_HELLO = 25
MAX_PAGE_BYTES = 150_000
MAX_GROWTH = 1.3
SUBMIT_UNDER_LOAD_LIMIT_MS = 1000.0
DASHBOARD_RPS_SHARE_OF_HELLO = 0.5
# Issue 17: planning figures at L (bench.planning), each judged against this.
PLANNING_LIMIT_MS = {"suggestions_ms": 1000.0, "scenario_evaluation_ms": 1000.0}
# Timed in the mixed load but not pages (the weekly update's POSTs), and the yardstick.
NOT_JUDGED = ("autosave", "submit", "hello")


@dataclass(frozen=True)
class UserFigures:
    """Issue 12's figures: pages as many people at once get them (bench.load)."""

    mixed_load: dict[str, dict[str, Any]]  # page → p50_ms, p95_ms, cache_hit_rate, …
    cold_render_ms: dict[str, float]  # page → p50 with the cache emptied before each
    page_bytes: dict[str, int]  # page → bytes of its first response
    throughput_rps: dict[str, float]  # hello, executive_dashboard_with_writes
    submit_to_dashboard_under_load_p95_ms: float | None
    growth_3x: dict[str, float] | None = None  # page → cold render at 3× L / at L


def _target(
    value: float | None, limit: float, *, at_least: bool = False, **extra: Any
) -> dict[str, Any]:
    passed = value is not None and (value >= limit if at_least else value <= limit)
    return {"value": value, "limit": limit, **extra, **({"at_least": True} if at_least else {}),
            "pass": passed}  # fmt: skip


def _user_targets(hello_ms: float, figures: UserFigures) -> dict[str, dict[str, Any]]:
    targets: dict[str, dict[str, Any]] = {}
    for name, page in figures.mixed_load.items():
        if name in NOT_JUDGED:
            continue
        targets[f"mixed.{name}.p50_ms"] = _target(
            page["p50_ms"], round(MIXED_P50_TIMES_HELLO * hello_ms, 1)
        )
        targets[f"mixed.{name}.p95_ms"] = _target(
            page["p95_ms"], round(MIXED_P95_TIMES_HELLO * hello_ms, 1)
        )
    for name, ms in figures.cold_render_ms.items():
        targets[f"cold.{name}_ms"] = _target(ms, round(COLD_TIMES_HELLO * hello_ms, 1))
    for name, size in figures.page_bytes.items():
        targets[f"bytes.{name}"] = _target(size, MAX_PAGE_BYTES)
    for name, ratio in (figures.growth_3x or {}).items():
        targets[f"growth_3x.{name}"] = _target(ratio, MAX_GROWTH)
    targets["submit_to_dashboard_under_load_p95_ms"] = _target(
        figures.submit_to_dashboard_under_load_p95_ms, SUBMIT_UNDER_LOAD_LIMIT_MS
    )
    hello_rps = figures.throughput_rps.get("hello") or 0.0
    targets["executive_dashboard_rps_with_writes"] = _target(
        figures.throughput_rps.get("executive_dashboard_with_writes"),
        round(DASHBOARD_RPS_SHARE_OF_HELLO * hello_rps, 1),
        at_least=True,
    )
    return targets


def user_figures_json(figures: UserFigures | None, hello_idle_ms: float) -> dict[str, Any]:
    """The JSON keys issue 12 asks for (growth_3x only when the growth run ran)."""
    if figures is None:
        return {}
    found: dict[str, Any] = {
        "hello_idle_p50_ms": hello_idle_ms,
        "mixed_load": figures.mixed_load,
        "cold_render_ms": figures.cold_render_ms,
        "page_bytes": figures.page_bytes,
        "throughput_rps": figures.throughput_rps,
        "submit_to_dashboard_under_load_p95_ms": figures.submit_to_dashboard_under_load_p95_ms,
    }
    if figures.growth_3x is not None:
        found["growth_3x"] = figures.growth_3x
    return found


def build_summary(
    *,
    seed_s: float,
    sizes: dict[str, int],
    hello: Timing,
    pages: dict[str, Timing],
    queries_small: dict[str, int],
    queries_large: dict[str, int],
    full_rollup_s: float,
    incremental_rollup_ms: float,
    submit_to_dashboard_ms: float | None,
    users: UserFigures | None = None,
    planning: dict[str, float] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The JSON object the bench prints last; `pages` excludes the hello page.

    A page's p50/p95 are as users get them (its body served from the page cache, which
    never outlives a write); `uncached_*` are with the body rendered every time, and the
    query counts are those of rendering it.
    """
    dashboards: dict[str, dict[str, Any]] = {}
    for name, timing in pages.items():
        if name.endswith(UNCACHED):
            continue
        dashboards[name] = {
            "p50_ms": timing.p50_ms,
            "p95_ms": timing.p95_ms,
            "queries_small": queries_small.get(name),
            "queries_large": queries_large.get(name),
        }
        rendered = pages.get(name + UNCACHED)
        if rendered is not None:
            dashboards[name]["uncached_p50_ms"] = rendered.p50_ms
            dashboards[name]["uncached_p95_ms"] = rendered.p95_ms
    targets: dict[str, dict[str, Any]] = {}
    page_limit = round(PAGE_P50_TIMES_HELLO * hello.p50_ms, 1)
    for name, figures in dashboards.items():
        targets[f"{name}.p50_ms"] = _target(figures["p50_ms"], page_limit)
        small, large = figures["queries_small"], figures["queries_large"]
        same = small is not None and small == large
        targets[f"{name}.queries"] = {
            "value": large,
            "limit": MAX_QUERIES,
            "queries_small": small,
            "pass": same and large is not None and large <= MAX_QUERIES,
        }
    targets["full_rollup_s"] = _target(full_rollup_s, FULL_ROLLUP_LIMIT_S)
    targets["submit_to_dashboard_ms"] = _target(
        submit_to_dashboard_ms, SUBMIT_TO_DASHBOARD_LIMIT_MS
    )
    if users is not None:
        targets.update(_user_targets(hello.p50_ms, users))
    for name, limit in PLANNING_LIMIT_MS.items():
        if planning is not None and name in planning:
            targets[f"planning.{name}"] = _target(planning[name], limit)
    return {
        "hello_p50_ms": hello.p50_ms,
        "hello_p95_ms": hello.p95_ms,
        "dashboards": dashboards,
        "full_rollup_s": full_rollup_s,
        "incremental_rollup_ms": incremental_rollup_ms,
        "submit_to_dashboard_ms": submit_to_dashboard_ms,
        "seed_s": seed_s,
        "sizes": sizes,
        "targets": targets,
        "passed": sum(t["pass"] for t in targets.values()),
        "failed": sum(not t["pass"] for t in targets.values()),
        **user_figures_json(users, hello.p50_ms),
        **({"planning": planning} if planning is not None else {}),
        **(extra or {}),
    }


def table(summary: dict[str, Any]) -> str:
    """The PASS/FAIL lines printed before the JSON."""
    lines = [f"{'target':<32} {'value':>16} {'limit':>16}  result"]
    for name, target in summary["targets"].items():
        value, limit = target["value"], target["limit"]
        if "queries_small" in target:  # the large size's count, the small one's beside it
            value, limit = f"{value} (small {target['queries_small']})", f"same, <= {limit}"
        if target.get("at_least"):
            limit = f">= {limit}"
        shown = "-" if value is None else value
        verdict = "PASS" if target["pass"] else "FAIL"
        lines.append(f"{name:<32} {shown!s:>16} {limit!s:>16}  {verdict}")
    return "\n".join(lines)
