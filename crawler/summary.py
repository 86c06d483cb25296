"""CrawlSummary: what a crawl did, in numbers, plus a progress line for terminals and logs."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from crawler.attachments.report import ExtractReport


@dataclass
class CrawlSummary:
    """Counts of one crawl run. `fetched` counts HTTP responses (pages and attachments); robots.txt excluded."""

    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    blocked: int = 0
    failed: int = 0
    attachments: int = 0
    lists: int = 0
    robots_denied: int = 0
    pending: int = 0  # left in the frontier (paused hosts, max_pages): the next run continues
    resumed: bool = False
    elapsed_s: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)
    paused_hosts: dict[str, str] = field(default_factory=dict)  # host -> why it was paused
    extraction: ExtractReport = field(default_factory=ExtractReport)  # attachment text

    def count(self, reason: str | None) -> None:
        if reason:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def format(self) -> str:
        lines = [
            f"抓取 fetched {self.fetched}，新文件 new {self.new}，已更改 changed {self.changed}，"
            f"未更改 unchanged {self.unchanged}，已删除 removed {self.removed}，"
            f"被拦截 blocked {self.blocked}，失败 failed {self.failed}",
            f"列表页 lists {self.lists}，附件 attachments {self.attachments}，robots 禁止 denied {self.robots_denied}，"
            f"待抓取 pending {self.pending}，用时 {self.elapsed_s:.1f} s"
            + ("（续抓 resumed）" if self.resumed else ""),
        ]
        if self.extraction.files or self.extraction.reused:
            lines.append(self.extraction.format())
        if self.reasons:
            lines.append(
                "原因 reasons: "
                + ", ".join(f"{k} ×{v}" for k, v in sorted(self.reasons.items(), key=lambda kv: -kv[1]))
            )
        for host, why in sorted(self.paused_hosts.items()):
            lines.append(
                f"已暂停主机 paused host {host}: {why}（本次不再请求，下次运行继续 next run continues）"
            )
        return "\n".join(lines)


class Progress:
    """A one-line bar on a terminal, a plain log line every `every` pages otherwise. Writes to stderr only."""

    def __init__(self, stream: TextIO | None = None, every: int = 50) -> None:
        self.stream = stream or sys.stderr
        self.is_tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self._last = 0

    def update(self, summary: CrawlSummary, pending: int) -> None:
        done = summary.fetched
        text = (
            f"已抓取 {done} | 新 {summary.new} 改 {summary.changed} 同 {summary.unchanged} "
            f"拦截 {summary.blocked} 失败 {summary.failed} | 待抓取 {pending}"
        )
        if self.is_tty:
            total = done + pending
            width = 24
            filled = int(width * done / total) if total else width
            self.stream.write("\r[" + "#" * filled + "." * (width - filled) + "] " + text + "\x1b[K")
            self.stream.flush()
        elif done - self._last >= self.every:
            self._last = done
            self.stream.write(text + "\n")

    def close(self) -> None:
        if self.is_tty:
            self.stream.write("\n")
            self.stream.flush()
