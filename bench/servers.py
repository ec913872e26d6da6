"""The processes the bench starts: its databases, gunicorn and a Celery worker.

PostgreSQL and Redis themselves come from scripts/with-services (throwaway, on free ports
of 127.0.0.1); the bench adds its two databases to that server. Every process started here
is stopped by `Processes.stop_all`, which the caller runs in a `finally`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
# Production settings, as in the Dockerfile: only the database differs between processes.
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-not-for-deployment-0123456789abcdef",
    "ALLOWED_HOSTS": LOOPBACK,
    "SECURE_SSL_REDIRECT": "false",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    # The bench's PMO has no authenticator app: the figures are of pages, not of sign-in.
    "REQUIRE_MFA_FOR_PMO": "false",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def database_url(server_url: str, name: str) -> str:
    """The same server, another database."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def require_loopback(url: str) -> None:
    """The bench drops and creates databases: never on anything but a local throwaway."""
    host = urlsplit(url).hostname
    if host not in (LOOPBACK, "localhost"):
        raise SystemExit(f"refusing to run the bench against {host!r}: use `make bench`")


def create_database(server_url: str, name: str, template: str | None = None) -> str:
    """A fresh, empty database (or a copy of `template`); returns its URL."""
    with psycopg.connect(database_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    return database_url(server_url, name)


def vacuum_analyze(url: str) -> None:
    """Planner statistics and visibility maps, as autovacuum would have them in production
    after a bulk load (without it the first plans are guesses)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def wait_until(ready: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s")


@dataclass
class Processes:
    """Long-running children, each logging to a file in `logs`."""

    logs: Path
    env: dict[str, str]
    running: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def run(self, name: str, *args: str, extra: dict[str, str] | None = None) -> None:
        """A command to completion (migrate, collectstatic); its output goes to the log."""
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            done = subprocess.run(
                args, cwd=ROOT, env={**self.env, **(extra or {})}, stdout=out, stderr=out
            )
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed ({done.returncode}):\n{log.read_text()[-3000:]}")

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        log.close()  # the child holds its own descriptor
        self.running.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text()[-3000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def stop_all(self) -> None:
        """SIGTERM every child, newest first; SIGKILL whatever has not left after 15 s."""
        for _name, process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.running.clear()


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def start_gunicorn(procs: Processes, port: int, workers: int, threads: int) -> str:
    procs.start(
        "gunicorn",
        *python("-m", "gunicorn", "portfolio.wsgi:application"),
        "--bind", f"{LOOPBACK}:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "150",
    )  # fmt: skip
    base = f"http://{LOOPBACK}:{port}"

    def answers() -> bool:
        procs.check_alive()
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return True
        except OSError:
            return False

    wait_until(answers, 60, "gunicorn")
    return base


def start_worker(procs: Processes) -> None:
    log = procs.logs / "celery-worker.log"
    procs.start(
        "celery-worker",
        *python("-m", "celery", "-A", "portfolio", "worker"),
        "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "info",
    )  # fmt: skip

    def ready() -> bool:
        procs.check_alive()
        return log.exists() and " ready." in log.read_text(errors="replace")

    wait_until(ready, 60, "celery worker")


def environment(database: str) -> dict[str, str]:
    """This process's environment with production settings and the given database."""
    return {
        **os.environ,
        **PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE": "portfolio.settings",
        "BENCHMARK": "true",  # mounts the hello yardstick (bench/urls.py)
        "DATABASE_URL": database,
    }
