"""`make run PORT=…` serves the demo on that port, and reminder emails link to it."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW_SITE_URL = [
    sys.executable,
    "-c",
    "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)",
]


def _env_of(command: str, **env: str) -> dict[str, str]:
    """The environment `make run` gives the first line running `command` (dry run)."""
    base = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    lines = subprocess.run(
        ["make", "-n", "run", *(f"{k}={v}" for k, v in env.items())],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    [line] = [line for line in lines if command in line]
    words = shlex.split(line)
    assignments = dict(w.split("=", 1) for w in words[: words.index(".venv/bin/python")])
    return {**base, "DJANGO_SETTINGS_MODULE": "portfolio.settings", **assignments}


def _site_url(env: dict[str, str]) -> str:
    return subprocess.run(
        SHOW_SITE_URL, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def test_make_run_on_another_port_links_reminders_to_that_port() -> None:
    assert _site_url(_env_of("runserver", PORT="8123")) == "http://127.0.0.1:8123"
    assert _site_url(_env_of("seed_demo", PORT="8123")) == "http://127.0.0.1:8123"


def test_make_run_keeps_a_site_url_it_is_given() -> None:
    env = _env_of("runserver", PORT="8123", SITE_URL="https://pmo.example.org")
    assert _site_url(env) == "https://pmo.example.org"
