"""The PostgreSQL the tests start is real, UTF-8, and gives each test its own database."""

from __future__ import annotations

import pytest
from pgserver import PgServer


def test_server_speaks_utf8_and_isolates_databases(pg_server: PgServer, pg_url: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    other = pg_server.create_database()
    assert other != pg_url
    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE t (x text)")
        conn.execute("INSERT INTO t VALUES (%s)", ("岚公发〔2021〕4号",))
        assert conn.execute("SELECT x, length(x) FROM t").fetchone() == ("岚公发〔2021〕4号", 11)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)
    with psycopg.connect(other) as conn:
        exists = conn.execute("SELECT to_regclass('public.t')").fetchone()
        assert exists == (None,)
