"""Timing pages over HTTP as a logged-in user, the way a browser would reach gunicorn.

Server time is the client's wall time of each request on loopback (127.0.0.1): connection
set-up, Django, PostgreSQL and the transfer of the body, with no network in between.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import requests

TIMEOUT_S = 120  # a cold render on a loaded 2-core machine can take tens of seconds
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_HEALTH = re.compile(r'data-testid="health-panel" data-health="([^"]*)"')
_HX_CSRF = re.compile(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""")
_VERSION = re.compile(r'name="version" id="id_version" value="(\d+)"')


def _keep_cookies_on_http(session: requests.Session) -> None:
    """Production marks the session and CSRF cookies Secure (HTTPS only), and the client
    would not send them back over the plain HTTP the bench speaks to 127.0.0.1, where a TLS
    proxy would normally sit in front: clear the flag in the client's own jar."""
    for cookie in session.cookies:
        cookie.secure = False


def login(base: str, username: str, password: str) -> requests.Session:
    """Log in through the real login form: GET it for the CSRF token, POST credentials."""
    session = requests.Session()
    form = session.get(f"{base}/accounts/login/", timeout=TIMEOUT_S)
    form.raise_for_status()
    _keep_cookies_on_http(session)
    match = _CSRF_FIELD.search(form.text)
    if match is None:
        raise RuntimeError("no CSRF token in the login form")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=TIMEOUT_S,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"login as {username} failed: HTTP {answer.status_code}")
    _keep_cookies_on_http(session)
    return session


def get_ok(session: requests.Session, url: str) -> requests.Response:
    response = session.get(url, allow_redirects=False, timeout=TIMEOUT_S)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if response.cookies:
        _keep_cookies_on_http(session)  # a rotated cookie comes back Secure
    return response


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    requests: int


def percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def time_page(
    session: requests.Session,
    url: str,
    warmup: int,
    count: int,
    before_each: Callable[[], None] | None = None,
) -> Timing:
    """`warmup` untimed requests, then `count` timed ones, one after another;
    `before_each` runs before every timed request, outside the time."""
    for _ in range(warmup):
        get_ok(session, url)
    samples = []
    for _ in range(count):
        if before_each is not None:
            before_each()
        started = time.perf_counter()
        get_ok(session, url)
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(round(percentile(samples, 50), 1), round(percentile(samples, 95), 1), count)


def served_health(session: requests.Session, url: str) -> str:
    """The overall health the programme dashboard's health panel shows."""
    match = _HEALTH.search(get_ok(session, url).text)
    if match is None:
        raise RuntimeError(f"no health panel on {url}")
    return match[1]


def page_cache_of(response: requests.Response) -> tuple[str | None, int, int]:
    """What the page cache did for this response (bench.middleware): "hit", "miss" or None
    (no lookup), and the hits and lookups behind it."""
    state = response.headers.get("X-Page-Cache")
    hits, _, lookups = response.headers.get("X-Page-Cache-Lookups", "0/0").partition("/")
    return state, int(hits or 0), int(lookups or 0)


class _FormFields(HTMLParser):
    """The fields one <form id=…> would send, as a browser serialises it: text inputs,
    hidden inputs, checked radios and boxes, textareas, selected options."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if self.inside and tag == "option" and self._select:
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = a.get("value", "")
            return
        name = a.get("name")
        if not self.inside or not name:
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "file"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.fields[name] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_fields(html: str, form_id: str) -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    if not parser.fields:
        raise RuntimeError(f"no form #{form_id} with fields in the page")
    return parser.fields


def csrf_header(html: str) -> str:
    """The CSRF token htmx sends (base.html puts it in hx-headers on <body>)."""
    match = _HX_CSRF.search(html)
    if match is None:
        raise RuntimeError("no X-CSRFToken in the page's hx-headers")
    return match[1]


def new_version(fragment: str) -> int | None:
    """The draft's version after an autosave (the out-of-band input the answer carries)."""
    match = _VERSION.search(fragment)
    return int(match[1]) if match else None
