"""Parse benchmark: the pathological page shapes of tests/unit/crawler/test_parse_fuzz.py against a plain page.

The unit test only checks that these shapes parse without an error; how long they take is measured here, as a
ratio against an ordinary page of the same size (paragraphs of text under a normal metadata block) parsed in the
same run, so the machine's speed and load cancel out. A shape that became quadratic shows as a ratio far above 1.

    python bench/parse_bench.py               # every shape, best of 3 CPU-time runs each
    python bench/parse_bench.py --repeat 1    # quicker
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.decode import decode_html  # noqa: E402
from crawler.extract import looks_binary, parse_page  # noqa: E402

URL = "http://www.example.gov.cn/art/2021/2/26/art_1_2.html"


def pathological_shapes() -> dict[str, str]:
    path = ROOT / "tests" / "unit" / "crawler" / "test_parse_fuzz.py"
    spec = importlib.util.spec_from_file_location("parse_fuzz_shapes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shapes: dict[str, str] = module.PATHOLOGICAL
    return shapes


def page(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body>{body}</body></html>".encode()


def plain_page(size: int) -> bytes:
    """An ordinary disclosure page grown with paragraphs to about `size` bytes."""
    head = (
        "<table><tr><td>索引号：</td><td>11330600002577508J/2021-200062</td></tr>"
        "<tr><td>发布机构：</td><td>市公安局</td></tr><tr><td>发布日期：</td><td>2021-02-26</td></tr></table>"
        "<h1 class='title'>关于做好2021年窗口服务工作的通知</h1><div class='content'>"
    )
    paragraph = (
        "<p>为进一步规范公安窗口服务，保障人民群众合法权益，根据有关规定，结合我市实际，通知如下。</p>"
    )
    count = max(1, (size - len(page(head).decode())) // len(paragraph.encode()))
    return page(head + paragraph * count + "</div>")


def cpu_seconds(raw: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        decode_html(raw, None)
        parse_page(raw, URL, None)
        looks_binary(raw)
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page; the best CPU time counts")
    args = parser.parse_args()
    print("| shape | bytes | seconds | plain page, same size | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, body in sorted(pathological_shapes().items()):
        raw = page(body)
        shape_s = cpu_seconds(raw, args.repeat)
        plain_s = cpu_seconds(plain_page(len(raw)), args.repeat)
        ratio = shape_s / plain_s if plain_s else float("inf")
        print(f"| {name} | {len(raw):,} | {shape_s:.3f} | {plain_s:.3f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
