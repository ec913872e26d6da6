"""Fixtures of the site tests that start servers of their own: a throwaway PostgreSQL (the
suite's must stay up while a test restarts or reshapes one)."""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else [*command]


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Path, int]]:
    if PG_BIN is None:
        pytest.fail("PostgreSQL's binaries are missing: make test installs them")
    # Not pytest's tmp_path: its parents are closed to the postgres user.
    tmp_path = Path(tempfile.mkdtemp(prefix="stationmaster-restart-"))
    tmp_path.chmod(0o755)
    data, port = tmp_path / "pg", free_port()
    if os.getuid() == 0:
        shutil.chown(tmp_path, "postgres")
    run = lambda *args: subprocess.run(as_postgres(*args), check=True, capture_output=True)  # noqa: E731
    run(f"{PG_BIN}/initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp_path} -c fsync=off"
    run(
        f"{PG_BIN}/pg_ctl",
        "-D",
        str(data),
        "-l",
        str(tmp_path / "log"),
        "-w",
        "-o",
        options,
        "start",
    )
    run(f"{PG_BIN}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "restart")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/restart", data, port
    finally:
        subprocess.run(as_postgres(f"{PG_BIN}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"))
        shutil.rmtree(tmp_path, ignore_errors=True)
