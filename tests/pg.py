"""A real PostgreSQL server for the store tests.

``postgres_url`` (session scope) is ``$SAYWHO_TEST_POSTGRES_URL`` when set (a server where that
user may create databases); else a throwaway cluster: ``initdb`` into a temporary folder and
``pg_ctl start`` on a free localhost port, as the ``postgres`` system user when the tests run as
root (PostgreSQL refuses to run as root). It is stopped and removed at the end of the session.

``postgres_database`` gives each test a fresh, empty database on that server and drops it after.

Without PostgreSQL installed the tests that need it are skipped, unless ``CI`` is set: then they
fail, since `.ci/run` installs Debian's ``postgresql``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI: {message} (.ci/run installs Debian's postgresql)")
    pytest.skip(f"PostgreSQL not available: {message}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_quote, command))]


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL (postgresql://...) of a PostgreSQL server's maintenance database."""
    given = os.environ.get("SAYWHO_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable(f"no initdb on PATH or in {PG_BIN_GLOB}")
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root and there is no 'postgres' system user to run the server")
    root = Path(tempfile.mkdtemp(prefix="saywho-pg-"))
    data, sockets, log = root / "data", root / "run", root / "server.log"
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (root, sockets):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    port = _free_port()
    started = False
    try:
        _run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C", "--no-sync"]
            ),
            "initdb",
        )
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        _run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"]),
            "pg_ctl start",
        )
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    except RuntimeError as error:
        tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
        pytest.fail(f"could not start a throwaway PostgreSQL server: {error} {tail}")
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """URL of a fresh, empty database on the test server; dropped after the test."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url.replace("postgresql+psycopg://", "postgresql://", 1))
    name = f"saywho_test_{uuid.uuid4().hex[:12]}"
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
