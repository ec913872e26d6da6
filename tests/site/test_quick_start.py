"""The newcomer's first command on its embedded default: SQLite, no broker, tasks run in
the process. Migrating and loading the demo works there, and leaves computed health with
nothing waiting (the suite itself runs on PostgreSQL, so this is the one SQLite check)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.worker  # slow: a whole demo load in a subprocess

ROOT = Path(__file__).resolve().parents[2]
CHECK = """
import django; django.setup()
from portfolio.health.models import HealthRequest, ProjectHealth
from projects.models import Project
print(Project.objects.active().count(), ProjectHealth.objects.filter(
    is_current=True, project__archived_at__isnull=True).count(), HealthRequest.objects.count())
"""


def test_the_demo_loads_on_sqlite_with_its_health_computed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'quick.sqlite3'}"

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("migrate", "--no-input")
    manage("seed_demo")
    checked = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    projects, with_health, waiting = map(int, checked.stdout.split())
    assert projects > 0 and with_health == projects and waiting == 0
