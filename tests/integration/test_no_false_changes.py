"""No false changes (issue 15): re-crawls where only volatile parts differ record no version.

`gongkai demo` twice on one data dir (the demo site gets a new port each time, so every document and attachment
link moves) must record 0 new versions and one "moved" event per document; a crawl of a site whose articles
carry a grown view counter, a new generation time and new session tokens in their links must record none either,
while a real edit on the same crawl still does.
"""

from __future__ import annotations

from pathlib import Path

import crawlkit as ck
import pytest
from click.testing import CliRunner

from demosite.site import DemoSite
from gongkai.cli import main

N_DOCS = 60


def _counts(root: Path) -> tuple[int, dict[str, int]]:
    with ck.catalogue(root) as cat:
        versions = int(cat.conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0])
        kinds = dict(cat.conn.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    return versions, kinds


@pytest.mark.slow
def test_rerunning_the_demo_on_the_same_data_dir_records_no_new_version(tmp_path: Path) -> None:
    root = tmp_path / "data"
    args = ["--data-dir", str(root), "demo", "--no-serve", "--docs", str(N_DOCS)]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    versions, kinds = _counts(root)
    documents = kinds["new"]
    assert versions > documents and kinds["changed"] > 0  # the demo's editing agency revised some documents
    second = CliRunner().invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert "已更改 changed 0" in second.output
    again, after = _counts(root)
    assert again == versions  # 0 new versions
    # the new port is recorded as a move of every live document; nothing is new, changed, removed or restored
    assert {k: n - kinds.get(k, 0) for k, n in after.items() if n != kinds.get(k, 0)} == {
        "moved": documents - kinds.get("removed", 0)
    }


@pytest.mark.slow
def test_counters_timestamps_and_session_tokens_make_no_version_but_an_edit_does(tmp_path: Path) -> None:
    site = DemoSite(seed=11, n_docs=N_DOCS)
    with_files = [d.index for d in site.documents if d.attachments]
    assert with_files, "the fixture site needs documents with attachments"
    edited = [i for i in range(N_DOCS) if i not in with_files][:2] + with_files[
        :1
    ]  # one whose file changes too
    with ck.served(site) as (srv, switch):
        seeds = ck.seeds(srv, site)
        ck.crawl_into(tmp_path, seeds)
        assert _counts(tmp_path)[0] == N_DOCS
        for visit in (1, 2):
            switch.switch(DemoSite(seed=11, n_docs=N_DOCS, volatile=visit))
            summary = ck.crawl_into(tmp_path, seeds)
            assert summary.changed == 0 and summary.new == 0
            assert summary.fetched >= N_DOCS  # every article answered 200 with new bytes (no 304)
        assert _counts(tmp_path)[0] == N_DOCS
        switch.switch(DemoSite(seed=11, n_docs=N_DOCS, volatile=3, changed=edited))
        summary = ck.crawl_into(tmp_path, seeds)
    assert summary.changed == len(edited)
    versions, kinds = _counts(tmp_path)
    assert versions == N_DOCS + len(edited)  # the edited page and its replaced file: one version, not two
    with ck.catalogue(tmp_path) as cat:
        doc = cat.document_by_url(srv.url + site.documents[with_files[0]].path)
        assert doc is not None
        changes = cat.document_history(doc.doc_id)["versions"][1]["changes"]
    assert {"body", "attachment_content"} <= {c["field"] for c in changes}
    # A new session token in a link is neither a version nor a move (the host and port stayed).
    assert kinds.get("moved", 0) == 0
