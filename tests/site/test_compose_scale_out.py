"""docker-compose.yml's production shape, scaled out, run here without Docker.

Each service's `command` is started with its `environment` as docker-compose.yml writes
them (`${VAR:-default}` resolved as compose would, with a `.env` that sets SECRET_KEY and a
file mailbox): two `web` instances on two ports, two `worker`s and one `beat`, against a
PostgreSQL and a Redis of the test's own on 127.0.0.1 in place of the `postgres` and
`redis` hosts. Each is waited for with its own health check, adapted to a local process.
Then a submit → dashboard flow runs through both web instances (submit via one, read via
the other), and the invariants that must hold however many processes there are: health
requests coalesce (one pending per subject), a reminder run by both workers at once sends
one email per person, and every subject has one current health row.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from bench.client import login, served_health
from bench.load import WeeklyUpdate
from tests.conftest import ROOT
from tests.site.conftest import free_port

pytestmark = pytest.mark.worker  # a slow test that starts servers, like the worker tests
COMPOSE = ROOT / "docker-compose.yml"
PASSWORD = "correct-horse-battery"  # tests.factories.PASSWORD
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}")
STARTUP_S = 300.0  # generous: the suite shares two cores with other work
PROGRAMME_URL = "/programmes/{}/dashboard/"

# The organisation, written by the compose environment's own manage.py: a programme with
# five projects, each led by a different person; the first two report this week, the other
# three are due to (their portfolio's due day is today).
SETUP = """
import json
from datetime import timedelta
from django.utils import timezone
from programmes.models import HealthPolicy, Person
from tests.factories import PersonFactory, ProgrammeFactory, ProjectFactory
today = timezone.localdate()
programme = ProgrammeFactory()
HealthPolicy.objects.update_or_create(
    portfolio=programme.portfolio,
    defaults={"report_due_weekday": today.weekday(), "report_grace_days": 1},
)
executive = PersonFactory(user__username="exec", access=Person.Access.EXECUTIVE)
programme.portfolio.executives.add(executive)
people = [
    PersonFactory(user__username=f"pm{n}", email=f"pm{n}@example.org") for n in range(5)
]
projects = [
    ProjectFactory(
        programme=programme, manager=person,
        baseline_start=today - timedelta(days=90), baseline_finish=today + timedelta(days=200),
    )
    for person in people
]
print(json.dumps({"programme": programme.pk, "projects": [p.pk for p in projects]}))
"""


def resolve(value: str, env: Mapping[str, str]) -> str:
    """Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a dollar."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match.groups()
        if env.get(name):
            return env[name]
        if operator in (":?", "?"):
            raise KeyError(f"{name}: {argument}")
        return argument if operator in (":-", "-") else ""

    return _VARIABLE.sub(one, value).replace("$$", "$")


def _midday_zone() -> str:
    """A time zone where it is about noon now: reminders go only from 07:00 local time."""
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


@dataclass
class Compose:
    """docker-compose.yml's services as local processes."""

    services: dict[str, Any]
    dot_env: dict[str, str]
    hosts: dict[str, str]  # "postgres:5432" → "127.0.0.1:…"
    logs: Path
    running: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def env(self, service: str) -> dict[str, str]:
        found = {
            name: resolve(str(value), self.dot_env)
            for name, value in self.services[service]["environment"].items()
        }
        for name in ("DATABASE_URL", "REDIS_URL"):
            for host, local in self.hosts.items():
                found[name] = found[name].replace(f"@{host}/", f"@{local}/")
                found[name] = found[name].replace(f"//{host}/", f"//{local}/")
            assert "127.0.0.1" in found[name], f"{name} still names a compose host"
        # The image's collected static files (the Dockerfile's collectstatic) and the zone.
        local = {name: self.dot_env[name] for name in ("TIME_ZONE", "STATIC_ROOT")}
        return {**os.environ, **found, **local}

    def command(self, service: str, replace: Mapping[str, str]) -> list[str]:
        """The service's command, run by this Python: "python", "celery", "gunicorn" are
        the image's entry points; `replace` adapts container paths and ports."""
        argv = [resolve(str(arg), self.dot_env) for arg in self.services[service]["command"]]
        argv = [replace.get(arg, arg) for arg in argv]
        heads = {"python": [], "celery": ["-m", "celery"], "gunicorn": ["-m", "gunicorn"]}
        return [sys.executable, *heads[argv[0]], *argv[1:]]

    def run(self, service: str) -> str:
        done = subprocess.run(
            self.command(service, {}), cwd=ROOT, env=self.env(service), capture_output=True
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def start(self, name: str, service: str, replace: Mapping[str, str], extra: list[str]) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [*self.command(service, replace), *extra],
            cwd=ROOT,
            env=self.env(service),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.running.append((name, process))

    def healthy(self, name: str, service: str, replace: Mapping[str, str], hostname: str) -> None:
        """The service's health check, adapted to a local process, until it passes."""
        kind, *test = [resolve(str(arg), self.dot_env) for arg in self.services[service][
            "healthcheck"]["test"]]  # fmt: skip
        if kind == "CMD-SHELL":
            script = test[0]
            for old, new in replace.items():
                script = script.replace(old, new)
            script = re.sub(r"^celery ", f"{shlex.quote(sys.executable)} -m celery ", script)
            argv = ["sh", "-c", script]
        else:
            argv = [sys.executable if arg == "python" else arg for arg in test]
            for old, new in replace.items():
                argv = [arg.replace(old, new) for arg in argv]
        env = {**self.env(service), "HOSTNAME": hostname}
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            self.check_alive()
            if subprocess.run(argv, cwd=ROOT, env=env, capture_output=True).returncode == 0:
                return
            time.sleep(1)
        raise AssertionError(f"{name} not healthy after {STARTUP_S:.0f} s: {argv}")

    def check_alive(self) -> None:
        for name, process in self.running:
            if process.poll() is not None:
                tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
                raise AssertionError(f"{name} exited with {process.returncode}:\n{tail}")

    def stop_all(self) -> None:
        for _name, process in reversed(self.running):
            process.terminate()
        for _name, process in reversed(self.running):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def own_redis() -> Iterator[int]:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(port), "ping"], capture_output=True
            ).stdout.strip()
            != b"PONG"
        ):
            assert time.monotonic() < deadline, "Redis did not start"
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def compose(own_postgres: tuple[str, Path, int], own_redis: int) -> Iterator[Compose]:
    """Compose's database and role on the test's server; services not started yet."""
    url, _data, pg_port = own_postgres
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE ROLE stationmaster LOGIN SUPERUSER")  # trust: any password
        conn.execute("CREATE DATABASE stationmaster OWNER stationmaster")
    logs = Path(tempfile.mkdtemp(prefix="stationmaster-compose-"))
    (logs / "mail").mkdir()
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    dot_env = {
        "SECRET_KEY": "compose-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "EMAIL_URL": f"filemail:///{logs / 'mail'}",  # environ drops a slash
        "TIME_ZONE": _midday_zone(),
        "STATIC_ROOT": str(logs / "static"),
    }
    hosts = {"postgres:5432": f"127.0.0.1:{pg_port}", "redis:6379": f"127.0.0.1:{own_redis}"}
    running = Compose(services, dot_env, hosts, logs)
    try:
        yield running
    finally:
        running.stop_all()
        shutil.rmtree(logs, ignore_errors=True)


def _database(compose: Compose) -> Callable[[str], list[tuple[Any, ...]]]:
    url = compose.env("web")["DATABASE_URL"]

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]

    return query


def _start_everything(compose: Compose) -> list[str]:
    """Two web instances, two workers, one beat, each waited for by its health check.
    Returns the web instances' base URLs."""
    bases = []
    for n in (1, 2):
        port = str(free_port())
        replace = {"0.0.0.0:8000": f"127.0.0.1:{port}", "127.0.0.1:8000": f"127.0.0.1:{port}"}
        compose.start(f"web-{n}", "web", replace, [])
        bases.append((f"web-{n}", replace, f"http://127.0.0.1:{port}"))
    for n in (1, 2):
        # One host name per container in compose; here the node names must differ.
        compose.start(f"worker-{n}", "worker", {}, ["-n", f"celery@worker-{n}"])
    schedule = str(compose.logs / "celerybeat-schedule")
    beat_replace = {"/tmp/celerybeat-schedule": schedule}
    compose.start("beat", "beat", beat_replace, [])
    for name, replace, _base in bases:
        compose.healthy(name, "web", replace, name)
    for n in (1, 2):
        compose.healthy(f"worker-{n}", "worker", {}, f"worker-{n}")
    compose.healthy("beat", "beat", beat_replace, "beat")
    return [base for _name, _replace, base in bases]


REMINDER = re.compile(r"^Subject: (Weekly report|Reminder from the PMO)", flags=re.MULTILINE)


def _reminders_to(mailbox: Path) -> Counter[str]:
    """Who got report reminders (other mail, such as a notice of health turning red, is
    not what this invariant counts)."""
    texts = [message.read_text() for message in mailbox.iterdir()]
    return Counter(
        address
        for text in texts
        if REMINDER.search(text)
        for address in re.findall(r"^To: (.+)$", text, flags=re.MULTILINE)
    )


def test_two_web_instances_two_workers_and_beat_keep_every_invariant(compose: Compose) -> None:
    subprocess.run(  # what the Dockerfile does when it builds the image
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        cwd=ROOT,
        env=compose.env("web"),
        check=True,
        capture_output=True,
    )
    compose.run("migrate")
    made = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP],
            cwd=ROOT,
            env=compose.env("web"),
            capture_output=True,
            check=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    query = _database(compose)
    web_a, web_b = _start_everything(compose)
    pending = "SELECT count(*) FROM programmes_healthrequest"
    _wait(lambda: query(pending)[0][0] == 0, "the workers to compute the first health")

    # Submit → dashboard: reports submitted through both instances, read through the other.
    dashboard = web_b + PROGRAMME_URL.format(made["programme"])
    watcher = login(web_b, "exec", PASSWORD)
    assert served_health(watcher, dashboard) != "red"
    sampled: list[int] = []
    sampling = threading.Event()

    def sample() -> None:  # the most requests one subject ever had pending
        per_subject = "SELECT count(*) FROM programmes_healthrequest GROUP BY subject, subject_id"
        while not sampling.is_set():
            sampled.extend(n for (n,) in query(per_subject))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        for n, (base, overall) in enumerate([(web_a, "red"), (web_b, "amber")]):
            update = WeeklyUpdate(login(base, f"pm{n}", PASSWORD), base, made["projects"][n])
            update.open()
            update.submit(overall)
        _wait(lambda: served_health(watcher, dashboard) == "red", "the dashboard to turn red")
        _wait(lambda: query(pending)[0][0] == 0, "the health queue to empty")
    finally:
        sampling.set()
        sampler.join()
    assert sampled and max(sampled) == 1

    # One current health row per subject, whichever worker computed it.
    for table, column, subjects in [
        ("projects_projecthealth", "project_id", "projects_project"),
        ("programmes_programmehealth", "programme_id", "programmes_programme"),
        ("programmes_portfoliohealth", "portfolio_id", "programmes_portfolio"),
    ]:
        current = query(
            f"SELECT s.id, count(h.id) FROM {subjects} s LEFT JOIN {table} h "
            f"ON h.{column} = s.id AND h.is_current GROUP BY s.id"
        )
        assert current and all(n == 1 for _id, n in current), (table, current)

    # The reminder job six times at once on both workers: one email per person still due.
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from projects.tasks import send_reporting_reminders as job\n"
            "for _ in range(6): job.delay()",
        ],
        cwd=ROOT,
        env=compose.env("worker"),
        check=True,
        capture_output=True,
    )
    done = re.compile(r"projects\.send_reporting_reminders\[[^]]+\] succeeded")

    def all_ran() -> bool:
        return sum(len(done.findall(compose.log(f"worker-{n}"))) for n in (1, 2)) == 6

    _wait(all_ran, "six reminder runs")
    assert _reminders_to(compose.logs / "mail") == {f"pm{n}@example.org": 1 for n in (2, 3, 4)}
    for n in (1, 2):
        assert "Traceback" not in compose.log(f"worker-{n}")


def _wait(ready: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
