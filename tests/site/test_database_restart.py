"""A PostgreSQL restart under traffic costs no request: kept connections are checked
before reuse, new ones wait for the server, and a read that lost its connection mid-way is
answered again. Against a server of its own (the suite's must stay up) and gunicorn."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tests.site.conftest import PG_BIN, as_postgres, free_port

pytestmark = pytest.mark.worker  # a slow test that starts servers, like the worker tests


def test_a_database_restart_under_traffic_fails_no_request(
    own_postgres: tuple[str, Path, int],
) -> None:
    url, data, pg_port = own_postgres
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)  # the page cache is not what this test is about
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--no-input"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portfolio.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        outcomes: list[int] = []
        stop = threading.Event()

        def traffic() -> None:
            with requests.Session() as session:
                while not stop.is_set():
                    for path in ("/healthz", "/accounts/login/"):
                        outcomes.append(session.get(base + path, timeout=30).status_code)

        clients = [threading.Thread(target=traffic) for _ in range(3)]
        for client in clients:
            client.start()
        time.sleep(2)
        before = len(outcomes)
        subprocess.run(
            as_postgres(
                f"{PG_BIN}/pg_ctl",
                "-D",
                str(data),
                "-l",  # else the server keeps our pipe open and run() never returns
                str(data.parent / "log"),
                "-m",
                "fast",
                "-w",
                "restart",
                "-o",
                f"-c listen_addresses=127.0.0.1 -p {pg_port} -k {data.parent}",
            ),
            check=True,
            capture_output=True,
        )
        time.sleep(3)
        stop.set()
        for client in clients:
            client.join(timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert len(outcomes) > before + 20, "too little traffic after the restart to judge"
    failed = [status for status in outcomes if status != 200]
    assert failed == [], f"{len(failed)} of {len(outcomes)} requests failed: {set(failed)}"
