"""The scale benchmark's export check: a 10,000-row CSV export of a broad query over HTTP, and searches sent on
another connection while it streams (the issue: under 10 s, and no search waits more than 1 s meanwhile).

The export reads its rows from the catalogue, so the data directory gets a `catalogue.sqlite` holding the same
documents as the index: the catalogue's own schema, one capture row and one document row per document, written
in one transaction (a benchmark fixture, not an archive: there are no WARC files behind it).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from archive import Catalogue
from archive.models import Document


def write_catalogue(docs: list[Document], path: Path) -> None:
    catalogue = Catalogue(path)
    conn = catalogue.conn.raw  # the sqlite3 connection (the catalogue's own schema, filled in bulk)
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO captures (capture_id, url, final_url, status, captured_at, kind) VALUES (?, ?, ?, 200, ?, 'document')",
        ((i + 1, d.url, d.url, d.captured_at) for i, d in enumerate(docs)),
    )
    conn.executemany(
        "INSERT INTO documents (doc_id, url, seq, status, versions, captured_at, first_seen_at, last_checked_at,"
        " last_seen_at, capture_id, sha256, fields_json) VALUES (?, ?, ?, 'live', 1, ?, ?, ?, ?, ?, NULL, ?)",
        (
            (
                d.doc_id,
                d.url,
                i + 1,
                d.captured_at,
                d.captured_at,
                d.captured_at,
                d.captured_at,
                i + 1,
                json.dumps(d.fields.to_json(), ensure_ascii=False),
            )
            for i, d in enumerate(docs)
        ),
    )
    conn.execute("COMMIT")
    catalogue.close()


def measure_export(port: int, query: str, search_paths: list[str]) -> dict[str, float]:
    """Stream /export.csv?q=query to the end while another connection sends searches; returns the export's
    seconds and rows and the searches' worst latency during it."""
    result: dict[str, Any] = {}

    def export() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        t0 = time.perf_counter()
        conn.request("GET", "/export.csv?" + urlencode({"q": query}))
        response = conn.getresponse()
        body = response.read()
        result["export_s"] = time.perf_counter() - t0
        result["status"] = response.status
        result["rows"] = int(response.getheader("X-Export-Rows") or -1)
        result["lines"] = body.decode("utf-8-sig").count("\r\n") - 1
        conn.close()

    worker = threading.Thread(target=export)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    waits: list[float] = []
    worker.start()
    i = 0
    while worker.is_alive() or not waits:
        t0 = time.perf_counter()
        conn.request("GET", search_paths[i % len(search_paths)])
        conn.getresponse().read()
        waits.append((time.perf_counter() - t0) * 1000)
        i += 1
    worker.join()
    conn.close()
    if result.get("status") != 200:
        raise RuntimeError(f"export answered {result.get('status')}")
    return {
        "export_s": result["export_s"],
        "export_rows": result["rows"],
        "export_lines": result["lines"],
        "search_during_max_ms": max(waits),
        "searches_during": len(waits),
    }
