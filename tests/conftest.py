"""Shared fixtures and helpers: the fixed cast of users who prove who sees what.

The cast: a PMO, an executive of portfolio A, the manager of programme A1, two project
managers (one in A1, one in programme B1 of another portfolio) and an outsider with a login
but no role; `cast.client_for(person)` is a Django test Client logged in as one of them.
ROLES names them in the column order of every role matrix, and VISIBLE_PROJECTS and
VISIBLE_PROGRAMMES say what each may read. Tests import these from here, as they import
factories (tests/factories.py) and the API's world (tests/api_world.py).
"""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model
from django.test import Client

from portfolio.core import pagecache
from programmes.models import Person, Portfolio, Programme
from projects.models import Project
from tests.factories import PersonFactory, PortfolioFactory, ProgrammeFactory, ProjectFactory

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    if connection.vendor != "postgresql":
        raise pytest.UsageError(
            "The tests run on PostgreSQL: use `make test`, which starts a throwaway server, "
            "or set DATABASE_URL=postgres://… yourself."
        )
    # Deliberately slow password hashing only costs time here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the tests share one Redis)."""
    from django.core.cache import cache

    cache.clear()
    yield


# The roles of the cast, in the column order of every role matrix.
ROLES = (
    "pmo",
    "executive",
    "programme_manager",
    "project_manager",
    "other_project_manager",
    "outsider",
)
# The matrices that also try a visitor who has not logged in add a last column for them.
ROLES_AND_ANONYMOUS = (*ROLES, "anonymous")

# role -> the cast's projects and programmes it may read (the pages of all others are a 404)
VISIBLE_PROJECTS = {
    "pmo": {"project_a1", "project_a1_sibling", "project_a2", "project_b1"},
    "executive": {"project_a1", "project_a1_sibling", "project_a2"},
    "programme_manager": {"project_a1", "project_a1_sibling"},
    "project_manager": {"project_a1", "project_a1_sibling"},
    "other_project_manager": {"project_b1"},
    "outsider": set(),
}
VISIBLE_PROGRAMMES = {
    "pmo": {"programme_a1", "programme_a2", "programme_b1"},
    "executive": {"programme_a1", "programme_a2"},
    "programme_manager": {"programme_a1"},
    "project_manager": {"programme_a1"},
    "other_project_manager": {"programme_b1"},
    "outsider": set(),
}


@dataclass
class Cast:
    pmo: Person
    executive: Person
    programme_manager: Person
    project_manager: Person
    other_project_manager: Person
    outsider: Person
    portfolio_a: Portfolio
    portfolio_b: Portfolio
    programme_a1: Programme
    programme_a2: Programme
    programme_b1: Programme
    project_a1: Project
    project_a1_sibling: Project
    project_a2: Project
    project_b1: Project

    def client_for(self, person: Person) -> Client:
        client = Client()
        assert person.user is not None
        client.force_login(person.user)
        return client


@pytest.fixture
def cast(db: None) -> Cast:
    pmo = PersonFactory(name="Pat PMO", access=Person.Access.PMO, user__username="pmo")
    executive = PersonFactory(
        name="Eve Executive", access=Person.Access.EXECUTIVE, user__username="executive"
    )
    programme_manager = PersonFactory(name="Gus Programme", user__username="progman")
    project_manager = PersonFactory(name="Pam Project", user__username="pm")
    other_project_manager = PersonFactory(name="Otto Project", user__username="pm2")
    outsider = PersonFactory(name="Olga Outsider", user__username="outsider")

    portfolio_a = PortfolioFactory(name="Portfolio A")
    portfolio_a.executives.add(executive)
    portfolio_b = PortfolioFactory(name="Portfolio B")
    programme_a1 = ProgrammeFactory(
        portfolio=portfolio_a, name="Programme A1", manager=programme_manager
    )
    programme_a2 = ProgrammeFactory(portfolio=portfolio_a, name="Programme A2")
    programme_b1 = ProgrammeFactory(portfolio=portfolio_b, name="Programme B1")
    return Cast(
        pmo=pmo,
        executive=executive,
        programme_manager=programme_manager,
        project_manager=project_manager,
        other_project_manager=other_project_manager,
        outsider=outsider,
        portfolio_a=portfolio_a,
        portfolio_b=portfolio_b,
        programme_a1=programme_a1,
        programme_a2=programme_a2,
        programme_b1=programme_b1,
        project_a1=ProjectFactory(
            programme=programme_a1, name="Project A1", manager=project_manager
        ),
        project_a1_sibling=ProjectFactory(programme=programme_a1, name="Project A1 sibling"),
        project_a2=ProjectFactory(programme=programme_a2, name="Project A2"),
        project_b1=ProjectFactory(
            programme=programme_b1, name="Project B1", manager=other_project_manager
        ),
    )


ROOT = Path(__file__).resolve().parent.parent
WORKER_LOG = ROOT / "test-results" / "celery-worker.log"
T = TypeVar("T")


def database_url(name: str | None = None) -> str:
    """The test database's URL, or that of database `name` on the same server."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name or db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker on the throwaway Redis, writing to the test database; its log is
    test-results/celery-worker.log."""
    assert settings.REDIS_URL, "the worker tests need REDIS_URL (make test starts Redis)"
    WORKER_LOG.parent.mkdir(exist_ok=True)
    log = WORKER_LOG.open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portfolio",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=30)
    log.close()


@pytest.fixture
def file_mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder where a worker started after this fixture writes its emails, one file
    each (Django's file-based backend through EMAIL_URL): ask for it before `celery_worker`."""
    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{folder}")
    return folder


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the cached parts rendered (not served from the cache), in order. A
    programme dashboard's panels are left out: drawn inline, they are part of its body."""
    rendered: list[str] = []
    real = pagecache.cached

    def spy(key: str | None, render: Callable[[], str], *args: Any) -> str:
        def counted() -> str:
            name = key.split(":")[1] if key else "uncached"
            if not name.startswith("programme-panel-"):
                rendered.append(name)
            return render()

        return real(key, counted, *args)

    monkeypatch.setattr(pagecache, "cached", spy)
    return rendered


def wait_for(predicate: Callable[[], T], timeout: float = 30.0) -> T:
    """Poll until `predicate` returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"nothing came in {timeout} s; see {WORKER_LOG}")


def errors_of(instance: Model) -> dict[str, list[str]]:
    """The field errors full_clean() raises; fails when it raises none."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict
