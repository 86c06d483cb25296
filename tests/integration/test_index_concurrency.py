"""R6 (F size): searches on several threads while the single indexer commits; per-request searchers never fail."""

from __future__ import annotations

import re
import sys
import threading
import time
from pathlib import Path

import pytest

from archive.models import Document, Parsed
from index import IndexSettings, Searcher, SearchQuery, update_index

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "index"))

from index_testkit import ListCatalogue, make_doc  # noqa: E402

WORDS = ["公共交通", "医疗保障", "义务教育", "安全生产", "市场监管", "住房保障", "环境保护", "乡村振兴"]


def doc(i: int, seq: int) -> Document:
    body = "，".join(WORDS[(i + k) % len(WORDS)] for k in range(6)) + f"。编号{i:05d}的通知正文。"
    return make_doc(
        f"d{i}", seq, title=f"关于{WORDS[i % len(WORDS)]}的通知{i}", body=body, publish_date="2021-03-01"
    )


@pytest.mark.slow
# When a merge deletes a segment while a Searcher is opening the index, Whoosh's reader raises FileNotFoundError
# (Searcher.open retries) and leaves the files of the segments it had already opened to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_search_while_the_index_is_updated_never_errors(tmp_path: Path) -> None:
    settings = IndexSettings(lock_timeout_s=5.0)
    index_dir = tmp_path / "index"
    cat = ListCatalogue([doc(i, i + 1) for i in range(60)])
    update_index(cat, index_dir, settings)
    known = {d.doc_id for d in cat.docs}
    known_lock = threading.Lock()
    stop = threading.Event()
    errors: list[BaseException] = []
    searches = [0]

    def reader(n: int) -> None:
        while not stop.is_set():
            try:
                with Searcher(index_dir, settings) as s:
                    page = s.search(SearchQuery(q=WORDS[n % len(WORDS)], sort=("relevance", "newest")[n % 2]))
                with known_lock:
                    unknown = [h.id for h in page.hits if h.id not in known]
                assert not unknown, unknown
                searches[0] += 1
            except BaseException as exc:  # collected, the test thread reports them
                errors.append(exc)
                return

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    seq = 61
    deadline = time.monotonic() + 8
    batches = 0
    while time.monotonic() < deadline and not errors:
        for i in range(60 + batches * 10, 70 + batches * 10):
            with known_lock:
                known.add(f"d{i}")
            cat.put(doc(i, seq))
            seq += 1
        changed = cat.docs[batches % 50]
        cat.put(
            Document(
                **{
                    **changed.__dict__,
                    "seq": seq,
                    "fields": Parsed(title=changed.fields.title, body="改版后的正文"),
                }
            )
        )
        seq += 1
        update_index(cat, index_dir, settings)  # a commit, with Whoosh's merges, every round
        batches += 1
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert batches >= 3 and searches[0] >= 20
    with Searcher(index_dir, settings) as s:
        assert s.doc_count() == len(cat.docs)


def test_web_never_opens_an_index_writer() -> None:
    web = ROOT / "web"
    offenders = [
        str(p.relative_to(ROOT))
        for p in web.rglob("*.py")
        if re.search(
            r"\.writer\(|update_index|rebuild_index|AsyncWriter|BufferedWriter", p.read_text("utf-8")
        )
    ]
    assert offenders == []
