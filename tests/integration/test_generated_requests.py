"""Generated requests over every route of a real demo archive: never a 5xx (issue 16, done-when 1).

F size here (GONGKAI_REQUESTS, default 2,000); the full 10,000 run is `pytest -m full` with GONGKAI_FULL=1, and
bench/load_bench.py sends them over real sockets. Queries combine words, phrases, OR, NOT, groups, fields,
filters, dates, sorts and pages, with 文号 in every bracket style and numbers in Unicode digits. Seeded
(GONGKAI_SEED, printed).
"""

from __future__ import annotations

import os
import random
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner
from flask import Flask

from gongkai.cli import main
from gongkai.config import load_config
from web import create_app, make_raw_app

SEED = int(os.environ.get("GONGKAI_SEED", "1616"))
ODD_NUMBERS = ["²", "①", "١٢", "１", "01", "0", "-1", "999999999999", "1.5", " 2", "3\n", "", "٣"]
BRACKETS = [("〔", "〕"), ("[", "]"), ("【", "】"), ("（", "）"), ("(", ")"), ("［", "］"), ("", " ")]


class Vocabulary:
    """What the archive holds, to build queries that hit (and miss) real documents."""

    def __init__(self, data_dir: Path) -> None:
        conn = sqlite3.connect(data_dir / "catalogue.sqlite")
        rows = conn.execute("SELECT doc_id, fields_json, versions FROM documents").fetchall()
        self.captures = [
            r[0] for r in conn.execute("SELECT capture_id FROM captures WHERE warc_file IS NOT NULL")
        ]
        conn.close()
        import json

        self.ids = [r[0] for r in rows]
        fields = [json.loads(r[1]) for r in rows]
        self.titles = [f.get("title") or "" for f in fields]
        self.agencies = sorted({f.get("agency") for f in fields if f.get("agency")})
        self.topics = sorted({f.get("topic") for f in fields if f.get("topic")})
        self.doc_nos = [f["doc_no"] for f in fields if f.get("doc_no")]
        self.index_nos = [f["index_no"] for f in fields if f.get("index_no")]


def _word(rng: random.Random, v: Vocabulary) -> str:
    title = rng.choice(v.titles) or "公安"
    if len(title) < 2:
        return title or "公安"
    start = rng.randrange(len(title) - 1)
    return title[start : start + rng.randint(1, 4)]


def _doc_no(rng: random.Random, v: Vocabulary) -> str:
    import re

    if not v.doc_nos:
        return "国办发〔2018〕128号"
    match = re.match(r"(.*?)[〔\[【（(［](\d{4})[〕\]】）)］](\d+)号?", rng.choice(v.doc_nos))
    if not match:
        return rng.choice(v.doc_nos)
    left, right = rng.choice(BRACKETS)
    year, number = match.group(2), match.group(3)
    if rng.random() < 0.3:
        year = year.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return f"{match.group(1)}{left}{year}{right}{number}{rng.choice(['号', ''])}"


def query(rng: random.Random, v: Vocabulary) -> str:
    a, b, c = _word(rng, v), _word(rng, v), _word(rng, v)
    shapes = [
        a,
        f"{a} {b}",
        f"{a} OR {b}",
        f"{a} | {b}",
        f"{a} -{b}",
        f"{a} NOT {b}",
        f"({a} OR {b}) {c}",
        f"({a} OR {b}) -{c}",
        f'"{a} {b}"',
        f"“{a}{b}”",
        f"title:{a} -{b}",
        f"标题:{a} OR 机构:{rng.choice(v.agencies or ['市公安局'])}",
        f"topic:{rng.choice(v.topics or ['公安'])} {a}",
        _doc_no(rng, v),
        f"doc_no:{_doc_no(rng, v)}",
        f"文号:{_doc_no(rng, v)} {a}",
        f"index_no:{rng.choice(v.index_nos or ['x'])}",
        f"{a} -{_doc_no(rng, v)}",
        "".join(rng.choice('公安局市政府()（）"-|: ORNOT²①１') for _ in range(rng.randint(1, 30))),
    ]
    return rng.choice(shapes)


def search_params(rng: random.Random, v: Vocabulary) -> list[tuple[str, str]]:
    params = [("q", query(rng, v))] if rng.random() < 0.9 else []
    for _ in range(rng.choice([0, 0, 1, 2])):
        params.append(("agency", rng.choice(v.agencies or ["x"])))
    for _ in range(rng.choice([0, 0, 1, 2])):
        params.append(("topic", rng.choice(v.topics or ["x"])))
    if rng.random() < 0.3:
        params.append(("since", rng.choice(["2015-01-01", "2020-06-30", "2021-02-30", "２０２１-01-01", ""])))
    if rng.random() < 0.3:
        params.append(("until", rng.choice(["2022-12-31", "2019-01-01", "2024-13-01"])))
    if rng.random() < 0.3:
        params.append(("date_field", rng.choice(["publish", "written", "bogus"])))
    if rng.random() < 0.4:
        params.append(("sort", rng.choice(["relevance", "newest", "oldest", "x"])))
    for name in ("page", "limit", "offset"):
        if rng.random() < 0.2:
            params.append((name, rng.choice([*ODD_NUMBERS, "2", "5", "100", "101"])))
    return params


def request_path(rng: random.Random, v: Vocabulary) -> tuple[str, str]:
    """(origin, path): origin "app" or "raw"."""
    doc = rng.choice(v.ids) if rng.random() < 0.9 else rng.choice(["nope", "../etc", "%00", "x" * 300, "１"])
    route = rng.choice(
        ["search", "api", "api", "feed", "csv", "jsonl", "doc", "apidoc", "diff", "original", "raw", "static"]
    )
    qs = urlencode(search_params(rng, v))
    if route == "search":
        return "app", rng.choice(["/", "/search"]) + "?" + qs
    if route == "api":
        return "app", "/api/search?" + qs
    if route == "feed":
        return "app", "/feed.atom?" + qs
    if route in ("csv", "jsonl"):
        return "app", f"/export.{route}?" + qs
    if route == "doc":
        return "app", f"/documents/{quote(doc)}"
    if route == "apidoc":
        return "app", f"/api/documents/{quote(doc)}"
    if route == "diff":
        a, b = rng.choice([*ODD_NUMBERS, "1", "2"]), rng.choice([*ODD_NUMBERS, "1", "2"])
        return "app", f"/documents/{quote(doc)}/diff?a={quote(a)}&b={quote(b)}"
    if route == "original":
        capture = rng.choice([*ODD_NUMBERS, str(rng.choice(v.captures))])
        return "app", f"/documents/{quote(doc)}/original?capture={quote(capture)}"
    if route == "raw":
        capture = rng.choice([*ODD_NUMBERS, *(str(c) for c in rng.sample(v.captures, 3))])
        return "raw", f"/captures/{quote(capture)}"
    return "app", rng.choice(["/static/app.js", "/favicon.ico", "/api/openapi.json", "/nope"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Flask, Flask, Vocabulary]:
    data_dir = tmp_path_factory.mktemp("generated") / "data"
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "demo", "--no-serve", "--docs", "160"])
    assert result.exit_code == 0, result.output
    cfg = load_config(data_dir, {"GONGKAI_WEB_RATE_PER_S": "100000", "GONGKAI_WEB_RATE_BURST": "100000"})
    app = create_app(cfg.web, data_dir=cfg.data_dir, index_settings=cfg.index)
    raw = make_raw_app(cfg.web, data_dir=cfg.data_dir)
    return app, raw, Vocabulary(data_dir)


def _run(served: tuple[Flask, Flask, Vocabulary], n: int) -> None:
    app, raw, vocabulary = served
    print(f"GONGKAI_SEED={SEED}")
    rng = random.Random(SEED)
    clients = {"app": app.test_client(), "raw": raw.test_client()}
    statuses: Counter[int] = Counter()
    failures: list[tuple[str, int]] = []
    for _ in range(n):
        origin, path = request_path(rng, vocabulary)
        response = clients[origin].get(path)
        response.get_data()
        response.close()
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append((origin + " " + path, response.status_code))
    print(dict(sorted(statuses.items())))
    assert not failures, failures[:20]
    assert statuses[200] > n // 3  # most generated requests are valid and answered


@pytest.mark.slow
def test_generated_requests_never_5xx(served: tuple[Flask, Flask, Vocabulary]) -> None:
    _run(served, int(os.environ.get("GONGKAI_REQUESTS", "2000")))


@pytest.mark.full
def test_ten_thousand_generated_requests_never_5xx(served: tuple[Flask, Flask, Vocabulary]) -> None:
    _run(served, 10_000)
