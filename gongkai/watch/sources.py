"""`sources.toml`: the catalogues a data dir watches, one `[source.NAME]` table each.

```toml
[source.sx]
label = "绍兴市人民政府 政府信息公开"
seeds = ["https://www.sx.gov.cn/col/col1229362008/index.html"]
interval = "6h"        # re-crawl lists and new documents this often (default watch.interval_s)
recheck = "7d"         # re-check every known document this often (default watch.recheck_s)
delay_s = 3            # politeness delay for this site (default crawler.delay_s)
max_pages = 2000       # fetches per run (default: no limit)
adapter = "hanweb_jpage"
extra_hosts = ["file.sx.gov.cn"]
```

A bad entry is refused with one line naming the source and the key, Chinese first; nothing is half-read. The
file is rewritten whole (to a temporary file, then renamed) by `gongkai sources add`.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler import adapter_names

SOURCES_FILE = "sources.toml"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_KEYS = {"label", "seeds", "interval", "recheck", "delay_s", "max_pages", "adapter", "extra_hosts"}
_HOST = re.compile(r"^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$")


class SourceError(ValueError):
    """A bad sources.toml entry or `sources add` argument: one line, Chinese first."""


@dataclass(frozen=True)
class Source:
    name: str
    seeds: tuple[str, ...]
    label: str = ""
    interval_s: float | None = None
    recheck_s: float | None = None
    delay_s: float | None = None
    max_pages: int | None = None
    adapter: str = "auto"
    extra_hosts: tuple[str, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        """The politeness units this source fetches from: its seeds' hosts (with port)."""
        return tuple(sorted({urlsplit(s).netloc.lower() for s in self.seeds}))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "seeds": list(self.seeds),
            "interval_s": self.interval_s,
            "recheck_s": self.recheck_s,
            "delay_s": self.delay_s,
            "max_pages": self.max_pages,
            "adapter": self.adapter,
            "extra_hosts": list(self.extra_hosts),
        }


def parse_duration(value: Any, where: str) -> float:
    """ "6h", "90m", "7d", "1w", "3600" or a number of seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if match is None:
            raise SourceError(
                f"{where}: 时长格式应如 6h、30m、7d / a duration like 6h, 30m or 7d, not {value!r}"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 60:
        raise SourceError(f"{where}: 间隔不得少于 60 秒 / an interval must be at least 60 seconds")
    return seconds


def format_duration(seconds: float) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{int(seconds // _UNITS[unit])}{unit}"
    return f"{int(seconds)}s"


def make_source(name: str, table: dict[str, Any]) -> Source:
    where = f"sources.toml [source.{name}]"
    if not _NAME.match(name):
        raise SourceError(
            f"{where}: 名称只能用小写字母、数字、- 和 _ / a name is lower-case letters, digits, - and _ (max 40)"
        )
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise SourceError(f"{where}: 未知的键 unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    seeds = table.get("seeds")
    if isinstance(seeds, str):
        seeds = [seeds]
    if not isinstance(seeds, list) or not seeds:
        raise SourceError(f"{where}: seeds 必须是网址列表 / seeds must be a non-empty list of http(s) URLs")
    for seed in seeds:
        parts = urlsplit(seed) if isinstance(seed, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(f"{where}: 不是 http(s) 网址 / not an http(s) URL: {seed!r}")
    label = table.get("label", "")
    if not isinstance(label, str):
        raise SourceError(f"{where}: label 必须是文字 / label must be a string")
    interval = parse_duration(table["interval"], f"{where} interval") if "interval" in table else None
    recheck = parse_duration(table["recheck"], f"{where} recheck") if "recheck" in table else None
    delay = table.get("delay_s")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0):
        raise SourceError(f"{where}: delay_s 必须是非负秒数 / delay_s must be a number of seconds >= 0")
    max_pages = table.get("max_pages")
    if max_pages is not None and (
        isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1
    ):
        raise SourceError(f"{where}: max_pages 必须是正整数 / max_pages must be a whole number >= 1")
    adapter = table.get("adapter", "auto")
    known = ("auto", *sorted(adapter_names()))
    if adapter not in known:
        raise SourceError(f"{where}: 未知的适配器 unknown adapter {adapter!r} (one of: {', '.join(known)})")
    extra = table.get("extra_hosts", [])
    if isinstance(extra, str):
        extra = [extra]
    if not isinstance(extra, list) or not all(isinstance(h, str) and _HOST.match(h.lower()) for h in extra):
        raise SourceError(f"{where}: extra_hosts 必须是主机名列表 / extra_hosts must be a list of host names")
    return Source(
        name=name,
        seeds=tuple(seeds),
        label=label,
        interval_s=interval,
        recheck_s=recheck,
        delay_s=float(delay) if delay is not None else None,
        max_pages=max_pages,
        adapter=adapter,
        extra_hosts=tuple(h.lower() for h in extra),
    )


def load_sources(root: Path) -> list[Source]:
    """Every source of the data dir, in file order; no file is no source."""
    path = root / SOURCES_FILE
    if not path.is_file():
        return []
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"无法读取 cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"sources.toml 格式错误 / is not valid TOML: {exc}") from None
    extra = sorted(set(document) - {"source"})
    if extra:
        raise SourceError(f"sources.toml: 未知的表 unknown table [{extra[0]}] (write [source.NAME])")
    tables = document.get("source", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise SourceError(
            "sources.toml: 每个来源写作 [source.NAME] 表 / each source is a [source.NAME] table"
        )
    return [make_source(name, table) for name, table in tables.items()]


def save_sources(root: Path, sources: list[Source]) -> Path:
    """Write the whole file atomically (temporary file, fsync, rename)."""
    path = root / SOURCES_FILE
    lines = ["# 监视的目录 Watched catalogues (gongkai sources add / gongkai watch)", ""]
    for s in sources:
        lines.append(f"[source.{s.name}]")
        if s.label:
            lines.append(f"label = {_str(s.label)}")
        lines.append(f"seeds = [{', '.join(_str(u) for u in s.seeds)}]")
        if s.interval_s is not None:
            lines.append(f"interval = {_str(format_duration(s.interval_s))}")
        if s.recheck_s is not None:
            lines.append(f"recheck = {_str(format_duration(s.recheck_s))}")
        if s.delay_s is not None:
            lines.append(f"delay_s = {s.delay_s}")
        if s.max_pages is not None:
            lines.append(f"max_pages = {s.max_pages}")
        if s.adapter != "auto":
            lines.append(f"adapter = {_str(s.adapter)}")
        if s.extra_hosts:
            lines.append(f"extra_hosts = [{', '.join(_str(h) for h in s.extra_hosts)}]")
        lines.append("")
    tmp = path.with_suffix(".toml.tmp")
    with open(tmp, "w", encoding="utf-8") as fp:
        fp.write("\n".join(lines))
        fp.flush()
        os.fsync(fp.fileno())
    os.replace(tmp, path)
    return path


def _str(value: str) -> str:
    """A TOML basic string (JSON's escapes are a subset TOML accepts)."""
    return json.dumps(value, ensure_ascii=False)
