"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys

import pytest

CHECK = [sys.executable, "-c", "import django; django.setup(); print('ok')"]


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        CHECK,
        env={**base, "DJANGO_SETTINGS_MODULE": "portfolio.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unset_urls_give_the_embedded_quick_start() -> None:
    assert _run().stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must be a redis:// URL"),
        ({"DATABASE_URL": "nosuchdb://x/y"}, "nosuchdb"),
        ({"CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE must be a whole number"),
    ],
)
def test_bad_values_stop_start_up_with_a_message(env: dict[str, str], message: str) -> None:
    result = _run(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_static_files_collect(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The production image runs collectstatic with whitenoise's manifest storage, which
    refuses a file referring to one that is missing (a vendored source map, say)."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input"],
        env={**base, "DEBUG": "false", "SECRET_KEY": "x" * 50, "STATIC_ROOT": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "staticfiles.json").exists()
