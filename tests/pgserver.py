"""A real PostgreSQL server for tests: initdb + pg_ctl in a temp dir, on a free loopback port.

Tests that need it take the `pg_server` fixture (one server per test session and xdist worker) and
`pg_url` (a fresh, empty database on it per test). Where the binaries are absent the tests skip with the
reason; CI installs them (`apt-get install postgresql`). Run as root, the server runs as the `postgres`
user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

_DEBIAN_BIN = Path("/usr/lib/postgresql")


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    if (
        _DEBIAN_BIN.is_dir()
    ):  # Debian keeps the server programs off PATH, under /usr/lib/postgresql/<major>/bin
        for major in sorted(_DEBIAN_BIN.iterdir(), reverse=True):
            candidate = major / "bin" / name
            if candidate.is_file():
                return str(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database (UTF-8, C collation) and its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'")
        return self.url(name)


def _run_as(user: pwd.struct_passwd | None) -> dict[str, object]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid}


def _absent(reason: str) -> None:
    """Skip with the reason; CI sets GONGKAI_REQUIRE_POSTGRES=1 so that an absent server fails instead."""
    if os.environ.get("GONGKAI_REQUIRE_POSTGRES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def start_server(base: Path, settings: dict[str, str] | None = None) -> tuple[PgServer, list[str]]:
    """Start a server under `base` (`settings`: more -c name=value); returns it and the pg_ctl stop command."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        _absent("PostgreSQL is not installed (initdb/pg_ctl not found): apt-get install postgresql")
        raise AssertionError("unreachable")
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            _absent("running as root and there is no postgres user to run the server as")
            raise
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data = base / "data"
    sockets = base / "sock"
    sockets.mkdir()
    if owner is not None:
        os.chown(sockets, owner.pw_uid, owner.pw_gid)
    user = owner.pw_name if owner is not None else pwd.getpwuid(os.geteuid()).pw_name
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [initdb, "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True,
        capture_output=True,
        env=env,
        **_run_as(owner),  # type: ignore[arg-type]
    )
    port = _free_port()
    options = (
        f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=100"
    )
    for name, value in {"shared_buffers": "128MB", **(settings or {})}.items():
        options += f" -c {name}={value}"
    subprocess.run(
        [pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
        env=env,
        **_run_as(owner),  # type: ignore[arg-type]
    )
    stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
    return PgServer("127.0.0.1", port, user), stop


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed")
    base = Path(tempfile.mkdtemp(prefix="gongkai-pg-"))
    server, stop = start_server(base)
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    try:
        yield server
    finally:
        subprocess.run(stop, capture_output=True, **_run_as(owner))  # type: ignore[arg-type]
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh empty database for one test."""
    return pg_server.create_database()
