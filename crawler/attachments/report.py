"""ExtractReport: what attachment extraction did in one crawl or reparse, for the summary line and the bench."""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.attachments.model import Extraction


@dataclass
class ExtractReport:
    """What extraction did in one crawl or reparse: counts by status, files run, time, the largest child."""

    statuses: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    reused: int = 0  # payloads already extracted (identical attachments on many pages)
    elapsed_s: float = 0.0
    peak_rss_kb: int = 0

    def add(self, result: Extraction, size: int, peak_kb: int, elapsed_s: float) -> None:
        self.statuses[result.status] = self.statuses.get(result.status, 0) + 1
        self.files += 1
        self.bytes += size
        self.elapsed_s += elapsed_s
        self.peak_rss_kb = max(self.peak_rss_kb, peak_kb)

    def format(self) -> str:
        parts = ", ".join(f"{k} ×{v}" for k, v in sorted(self.statuses.items())) or "无 none"
        ocr = self.statuses.get("needs_ocr", 0)
        return (
            f"附件文字 attachment text: {self.files} file(s) extracted in {self.elapsed_s:.1f} s ({parts});"
            f" 需 OCR needs OCR {ocr}; 重复未再提取 reused {self.reused}"
        )
