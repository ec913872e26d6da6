"""Many people at once over HTTP (issue 12): the mixed load, submit → dashboard under it,
and requests per second with a write each second.

Every person is a thread with a session of their own, logged in through the login form as
a different person (bench.seed's mixed-load cast), and uses the endpoints the pages use:
the weekly update's autosave (an htmx POST with the X-CSRFToken header) and its submit (the
form's POST with csrfmiddlewaretoken). Times are the client's wall time per request on
loopback; each response's X-Page-Cache header (bench.middleware) says whether the page
cache answered it.
"""

from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import cycle
from typing import Any

import requests

from bench.client import (
    TIMEOUT_S,
    csrf_header,
    form_fields,
    get_ok,
    login,
    new_version,
    page_cache_of,
    percentile,
    served_health,
)

PASSWORD = "stationmaster-demo"  # portfolio.demo.organisation.DEMO_PASSWORD, without Django
RATED = ("schedule", "cost", "scope", "resources", "risk", "overall")  # projects.models
SUBMIT_TIMEOUT_S = 30.0


@dataclass
class Observations:
    """What every thread saw, under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times_ms: dict[str, list[float]] = field(default_factory=dict)
    cache: dict[str, Counter[str]] = field(default_factory=dict)
    lookups: dict[str, list[int]] = field(default_factory=dict)  # page → [hits, lookups]
    errors: list[str] = field(default_factory=list)

    def record(self, page: str, started: float, response: requests.Response) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        state, hits, lookups = page_cache_of(response)
        with self.lock:
            self.times_ms.setdefault(page, []).append(elapsed)
            self.cache.setdefault(page, Counter())[state or "none"] += 1
            counted = self.lookups.setdefault(page, [0, 0])
            counted[0] += hits
            counted[1] += lookups

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def get(self, session: requests.Session, page: str, url: str) -> requests.Response:
        started = time.perf_counter()
        response = get_ok(session, url)
        self.record(page, started, response)
        return response

    def figures(self) -> dict[str, dict[str, Any]]:
        """Page → p50, p95, the share of responses the page cache answered whole (None when
        the page looked nothing up), the share of its lookups that hit, requests."""
        found = {}
        for page, samples in sorted(self.times_ms.items()):
            states = self.cache[page]
            looked_up = states["hit"] + states["miss"]
            hits, lookups = self.lookups[page]
            found[page] = {
                "p50_ms": round(percentile(samples, 50) if len(samples) > 1 else samples[0], 1),
                "p95_ms": round(percentile(samples, 95) if len(samples) > 1 else samples[0], 1),
                "cache_hit_rate": round(states["hit"] / looked_up, 3) if looked_up else None,
                "cache_lookup_hit_rate": round(hits / lookups, 3) if lookups else None,
                "requests": len(samples),
            }
        return found


class WeeklyUpdate:
    """One project's weekly update page as a browser drives it."""

    def __init__(self, session: requests.Session, base: str, project_id: int) -> None:
        self.session = session
        self.url = f"{base}/projects/{project_id}/update/"
        self.fields: dict[str, str] = {}
        self.csrf = ""

    def open(self, observed: Observations | None = None) -> None:
        started = time.perf_counter()
        page = get_ok(self.session, self.url)
        if observed is not None:
            observed.record("weekly_update", started, page)
        self.fields = form_fields(page.text, "report-form")
        self.csrf = csrf_header(page.text)

    def autosave(self, rng: random.Random, observed: Observations | None = None) -> None:
        """What htmx posts a moment after the user typed: the whole form, action=save."""
        self.fields["accomplishments"] = f"Worked on it ({rng.randint(1, 10_000)})"
        self.fields["percent_complete"] = str(rng.randint(1, 99))
        started = time.perf_counter()
        answer = self.session.post(
            self.url,
            data={**self.fields, "action": "save"},
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.url},
            allow_redirects=False,
            timeout=TIMEOUT_S,
        )
        if answer.status_code != 200:
            raise RuntimeError(f"autosave of {self.url} answered {answer.status_code}")
        if observed is not None:
            observed.record("autosave", started, answer)
        version = new_version(answer.text)
        if version is not None:
            self.fields["version"] = str(version)

    def submit(
        self, overall: str | None = None, observed: Observations | None = None
    ) -> requests.Response:
        """The "Submit report" button: a plain form POST, answered with a redirect."""
        # A first report has no ratings to carry forward; the form refuses a submit without.
        data = {**dict.fromkeys(RATED, "green"), **self.fields, "action": "submit"}
        data["percent_complete"] = data.get("percent_complete") or "10"
        if overall is not None:
            data["overall"] = overall
            data["overall_reason"] = "" if overall == "green" else "Bench: supplier slipped"
        started = time.perf_counter()
        answer = self.session.post(
            self.url,
            data=data,
            headers={"Referer": self.url},
            allow_redirects=False,
            timeout=TIMEOUT_S,
        )
        if answer.status_code != 302:
            refused = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', answer.text)
            raise RuntimeError(f"submit of {self.url} answered {answer.status_code} {refused}")
        if observed is not None:
            observed.record("submit", started, answer)
        return answer


@dataclass(frozen=True)
class Cast:
    """Who takes part, with what (bench.seed's mixed-load logins and their work)."""

    project_managers: dict[str, list[int]]  # username → project ids
    readers: list[tuple[str, str, str, float]]  # username, page name, path, seconds apart


def _pause_until(moment: float, stop: threading.Event) -> bool:
    """Sleep until `moment` (perf_counter); False once the phase is over."""
    return not stop.wait(max(0.0, moment - time.perf_counter()))


def _project_manager(
    base: str, session: requests.Session, projects: list[int], seed: int,
    observed: Observations, stop: threading.Event,
) -> None:  # fmt: skip
    """Opens My projects and one of their updates, autosaves every 10-20 s (4 times on
    average), submits after the next pause, looks at the project's page; next project."""
    rng = random.Random(seed)
    next_at = time.perf_counter() + rng.uniform(0, 15)
    for project_id in cycle(projects):
        if not _pause_until(next_at, stop):
            return
        observed.get(session, "my_projects", f"{base}/projects/mine/")
        update = WeeklyUpdate(session, base, project_id)
        update.open(observed)
        for _ in range(rng.choice([3, 4, 4, 5])):
            next_at += rng.uniform(10, 20)
            if not _pause_until(next_at, stop):
                return
            update.autosave(rng, observed)
        next_at += rng.uniform(10, 20)
        if not _pause_until(next_at, stop):
            return
        overall = rng.choice([None, None, None, "green", "amber", "red"])
        update.submit(overall, observed)
        observed.get(session, "project_page", f"{base}/projects/{project_id}/")


def _reader(
    base: str, session: requests.Session, page: str, path: str, *, every_s: float,
    seed: int, observed: Observations, stop: threading.Event,
) -> None:  # fmt: skip
    """Reloads one page every `every_s` seconds (give or take 10 %), from a random start."""
    rng = random.Random(seed)
    next_at = time.perf_counter() + rng.uniform(0, every_s)
    while _pause_until(next_at, stop):
        observed.get(session, page, base + path)
        next_at += every_s * rng.uniform(0.9, 1.1)


def _guarded(work: Callable[[], None], who: str, observed: Observations) -> Callable[[], None]:
    """A thread that fails is recorded, not lost; the others go on."""

    def run() -> None:
        try:
            work()
        except Exception as exc:  # reported in the figures, the phase goes on
            observed.error(f"{who}: {exc}")

    return run


def _probe(
    base: str, sessions: tuple[requests.Session, requests.Session],
    candidates: Iterator[tuple[int, str]], count: int, every_s: float, samples: list[float],
    *, observed: Observations, stop: threading.Event,
) -> None:  # fmt: skip
    """Submit → dashboard under the load: the PMO submits a red report (the form's POST)
    on a project whose programme is not red and rolls up worst-of, and the executive reloads
    that programme's dashboard back to back until it shows red. Timed from just before the
    POST to the response that shows red."""
    pmo, watcher = sessions
    next_at = time.perf_counter() + every_s / 2
    for project_id, dashboard in candidates:
        if len(samples) >= count or not _pause_until(next_at, stop):
            break
        url = base + dashboard
        if served_health(watcher, url) == "red":
            continue  # the load turned it red meanwhile: it cannot show the change
        update = WeeklyUpdate(pmo, base, project_id)
        update.open()
        started = time.perf_counter()
        update.submit("red")
        while served_health(watcher, url) != "red":
            if time.perf_counter() - started > SUBMIT_TIMEOUT_S:
                observed.error(f"probe: {url} not red {SUBMIT_TIMEOUT_S:.0f} s after a submit")
                break
        else:
            samples.append(round((time.perf_counter() - started) * 1000, 1))
        next_at = time.perf_counter() + every_s
    if len(samples) < count:
        observed.error(f"probe: {len(samples)} of {count} submits timed (too few candidates)")


def _start(threads: list[threading.Thread], name: str, work: Callable[[], None]) -> None:
    thread = threading.Thread(target=work, name=name, daemon=True)
    threads.append(thread)
    thread.start()


def mixed_load(
    base: str,
    cast: Cast,
    seconds: float,
    probes: list[tuple[int, str]],
    probe_count: int,
    check: Callable[[], None],
) -> tuple[Observations, list[float]]:
    """Every person of the cast at once for `seconds`, plus the submit → dashboard probe
    (`probes`: project id and its programme dashboard's path, in the order to try them);
    `check` runs every second (it raises when a server process died)."""
    observed, stop = Observations(), threading.Event()
    threads: list[threading.Thread] = []
    # Everyone signs in before the clock starts, one session per thread: a login hashes its
    # password on purpose (about a second of CPU here), and thirty of them at one instant
    # made the first pages of the phase wait seconds behind that storm, not behind the work.
    managers = [(u, p, login(base, u, PASSWORD)) for u, p in cast.project_managers.items()]
    readers = [(*reader, login(base, reader[0], PASSWORD)) for reader in cast.readers]
    probing = (login(base, "pmo", PASSWORD), login(base, "executive", PASSWORD))
    for n, (username, projects, session) in enumerate(managers):
        work = lambda s=session, p=projects, n=n: _project_manager(  # noqa: E731
            base, s, p, n, observed, stop
        )
        _start(threads, username, _guarded(work, username, observed))
    for n, (username, page, path, every_s, session) in enumerate(readers):
        work = lambda s=session, g=page, p=path, e=every_s, n=n: _reader(  # noqa: E731
            base, s, g, p, every_s=e, seed=1000 + n, observed=observed, stop=stop
        )
        _start(threads, f"{username}:{page}", _guarded(work, username, observed))
    samples: list[float] = []
    every_s = seconds / (probe_count + 1)
    work = lambda: _probe(  # noqa: E731
        base, probing, iter(probes), probe_count, every_s, samples, observed=observed, stop=stop
    )
    _start(threads, "probe", _guarded(work, "probe", observed))
    ends = time.perf_counter() + seconds
    try:
        while time.perf_counter() < ends:
            check()
            time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=SUBMIT_TIMEOUT_S + TIMEOUT_S)
    return observed, samples


def requests_per_second(
    base: str,
    path: str,
    usernames: list[str],
    seconds: float,
    writer: tuple[str, int],
) -> tuple[float, int]:
    """One client per username GETs `path` back to back for `seconds` while a project
    manager (`writer`: username, project id) writes once a second, four autosaves to one
    submit as in the mixed load. Returns requests per second and the writes made."""
    stop = threading.Event()
    done = Counter[str]()
    lock = threading.Lock()
    sessions = [login(base, username, PASSWORD) for username in usernames]
    writer_session = login(base, writer[0], PASSWORD)

    def client(session: requests.Session) -> None:
        while not stop.is_set():
            get_ok(session, base + path)
            with lock:
                done["requests"] += 1

    def write() -> None:
        rng = random.Random(7)
        update = WeeklyUpdate(writer_session, base, writer[1])
        update.open()
        next_at = time.perf_counter()
        for n in cycle(range(5)):
            next_at += 1.0
            if not _pause_until(next_at, stop):
                return
            if n < 4:
                update.autosave(rng)
            else:
                update.submit()
                update.open()  # the next write starts the next revision's draft
            with lock:
                done["writes"] += 1

    threads = [threading.Thread(target=client, args=(s,), daemon=True) for s in sessions]
    threads.append(threading.Thread(target=write, daemon=True))
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    with lock:
        counted = done["requests"]
    stop.set()
    for thread in threads:
        thread.join(timeout=TIMEOUT_S)
    return round(counted / seconds, 1), done["writes"]


def p95(samples: list[float]) -> float | None:
    if not samples:
        return None
    if len(samples) == 1:
        return samples[0]
    return round(percentile(samples, 95), 1)


def median(samples: list[float]) -> float | None:
    return round(statistics.median(samples), 1) if samples else None
