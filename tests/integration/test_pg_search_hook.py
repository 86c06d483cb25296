"""The PostgreSQL search table written inside the catalogue's transaction (issue 13): a search sees a document
as soon as its catalogue row commits, a change replaces the old text, a removal shows as status, and a write
that fails leaves neither the catalogue nor the search changed. Real catalogue, real server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, Catalogue, DataDir
from index import IndexSettings, PgIndexListener, SearchQuery, update_index
from index.pg import PgSearcher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "archive"))
from archive_factory import html_page, make_exchange, make_parsed  # noqa: E402

URL = "http://gov.example/a.html"


def _page(arc: Archive, body: str, status: int = 200) -> Any:
    content = html_page("标题", body) if status == 200 else b"gone"
    kind = "document" if status == 200 else "error"
    return arc.record(make_exchange(URL, content, status=status), kind=kind, reason=None, charset="utf-8")


def ids(settings: IndexSettings, q: str) -> list[str]:
    with PgSearcher(settings.database, settings) as s:
        return [h.id for h in s.search(SearchQuery(q=q)).hits]


def test_search_follows_the_catalogue_in_its_own_transaction(pg_url: str, tmp_path: Path) -> None:
    settings = IndexSettings(backend="postgresql", database=pg_url)
    listener = PgIndexListener(settings)
    with Archive.open(DataDir(tmp_path / "data", database=pg_url), listener=listener) as arc:
        doc = arc.upsert_document(_page(arc, "枫桥经验"), make_parsed(body="坚持枫桥经验。"), URL)
        assert ids(settings, "枫桥经验") == [doc.doc_id]  # no indexing run: the commit wrote it
        arc.upsert_document(_page(arc, "数字政府"), make_parsed(body="推进数字政府建设。"), URL)
        assert ids(settings, "枫桥经验") == [] and ids(settings, "数字政府") == [doc.doc_id]
        for _ in range(2):
            arc.record_check(URL, _page(arc, "", status=404))
        with PgSearcher(pg_url, settings) as s:
            assert [h.status for h in s.search(SearchQuery(q="数字政府")).hits] == ["removed"]

        class Failing(PgIndexListener):
            def document_written(self, conn: Any, doc_id: str) -> None:
                super().document_written(conn, doc_id)
                raise RuntimeError("after the search row was written")

        arc.catalogue.listener = Failing(settings)
        with pytest.raises(RuntimeError):
            arc.upsert_document(_page(arc, "法治政府"), make_parsed(body="法治政府建设。"), URL)
        assert ids(settings, "法治政府") == [] and ids(settings, "数字政府") == [doc.doc_id]
    with Catalogue(pg_url, readonly=True) as catalogue:
        assert update_index(catalogue, tmp_path / "unused", settings) == 0  # nothing was left behind
        assert catalogue.get_document(doc.doc_id).fields.body == "推进数字政府建设。"


def test_the_command_line_indexes_and_searches_on_the_configured_backend(pg_url: str, tmp_path: Path) -> None:
    """`[index] backend = "postgresql"` end to end: `gongkai index --rebuild`, `gongkai search`, and the
    composition root's archive writing through the hook (no index run for the later document)."""
    import json

    from click.testing import CliRunner

    from gongkai.cli import main
    from gongkai.config import load_config
    from gongkai.jobs import open_archive

    data = tmp_path / "data"
    data.mkdir()
    (data / "gongkai.toml").write_text(f'[archive]\ndatabase = "{pg_url}"\n[index]\nbackend = "postgresql"\n')
    with Archive.open(DataDir(data, database=pg_url)) as arc:  # written before any search table exists
        doc = arc.upsert_document(_page(arc, "枫桥经验"), make_parsed(body="坚持枫桥经验。"), URL)

    def cli(*args: str) -> Any:
        result = CliRunner().invoke(main, ["--data-dir", str(data), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    assert "1 document" in cli("index", "--rebuild").output
    page = json.loads(cli("search", "枫桥经验", "--json").output)
    assert [h["id"] for h in page["hits"]] == [doc.doc_id] and "<mark>枫桥经验</mark>" in page["hits"][0][
        "snippet"
    ]
    assert not list((data / "index").glob("*.toc"))  # no Whoosh index was made
    cfg = load_config(data, {})
    with open_archive(cfg) as arc:
        other = "http://gov.example/b.html"
        content = html_page("标题", "数字政府")
        capture = arc.record(make_exchange(other, content), kind="document", reason=None, charset="utf-8")
        new = arc.upsert_document(
            capture,
            make_parsed(
                body="推进数字政府建设。", doc_no="浙政办发〔2021〕9号", index_no="002482410/2021-00009"
            ),
            other,
        )
    page = json.loads(cli("search", "浙政办发(2021)9号", "--json").output)
    assert page["hits"][0]["id"] == new.doc_id
    cli("verify")  # the search table holds every document at its catalogue seq
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DELETE FROM gk_search WHERE doc_id = %s", (doc.doc_id,))
    result = CliRunner().invoke(main, ["--data-dir", str(data), "verify"], catch_exceptions=False)
    assert result.exit_code == 1 and f"document {doc.doc_id}" in result.output
